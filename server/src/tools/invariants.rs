//! The money and booking invariants, checked against the whole database. The concurrency tests
//! run it after every storm and the booking benchmark after every run: a non-empty answer means
//! money or a booking was lost, doubled or made negative.

use sqlx::PgPool;

/// Each check: what must hold, and a query returning one row per violation (as text).
const CHECKS: &[(&str, &str)] = &[
    (
        "every wallet balance equals the sum of its ledger",
        "SELECT 'user ' || u.id || ': balance ' || u.wallet_balance || ', ledger sum ' || coalesce(l.total, 0)
           FROM users u
           LEFT JOIN (SELECT user_id, sum(amount) AS total FROM wallet_transactions GROUP BY user_id) l
             ON l.user_id = u.id
          WHERE u.wallet_balance <> coalesce(l.total, 0)",
    ),
    (
        "every wallet balance equals its last ledger row's balance_after",
        "SELECT 'user ' || u.id || ': balance ' || u.wallet_balance || ', last balance_after ' || last.balance_after
           FROM users u
           JOIN LATERAL (SELECT balance_after FROM wallet_transactions w
                          WHERE w.user_id = u.id ORDER BY id DESC LIMIT 1) last ON TRUE
          WHERE u.wallet_balance <> last.balance_after",
    ),
    (
        "each ledger row's balance_after follows from the row before it",
        "SELECT 'ledger row ' || id || ' of user ' || user_id
           FROM (SELECT id, user_id, balance_after,
                        coalesce(lag(balance_after) OVER (PARTITION BY user_id ORDER BY id), 0) + amount AS expected
                   FROM wallet_transactions) w
          WHERE balance_after <> expected",
    ),
    (
        "no balance is negative",
        "SELECT 'user ' || id || ': ' || wallet_balance FROM users WHERE wallet_balance < 0",
    ),
    (
        "no slot has two live appointments",
        "SELECT 'slot ' || time_slot_id || ': ' || count(*) || ' live appointments'
           FROM appointments WHERE status <> 'cancelled'
          GROUP BY time_slot_id HAVING count(*) > 1",
    ),
    (
        "a slot with a live appointment is not offered as free",
        "SELECT 'slot ' || s.id FROM time_slots s
           JOIN appointments a ON a.time_slot_id = s.id AND a.status <> 'cancelled'
          WHERE s.is_available",
    ),
    (
        "every confirmed or completed paid appointment has exactly one completed payment",
        "SELECT 'appointment ' || a.id || ': ' || count(p.id) FILTER (WHERE p.status = 'completed') || ' completed payments'
           FROM appointments a LEFT JOIN payments p ON p.appointment_id = a.id
          WHERE a.status IN ('confirmed', 'completed') AND a.consultation_fee > 0
          GROUP BY a.id
         HAVING count(p.id) FILTER (WHERE p.status = 'completed') <> 1",
    ),
    (
        "every completed or refunded payment was taken from the wallet exactly once, for its amount",
        "SELECT 'payment ' || p.id || ' of appointment ' || p.appointment_id
           FROM payments p
          WHERE p.status IN ('completed', 'refunded')
            AND (SELECT count(*) FROM wallet_transactions w
                  WHERE w.appointment_id = p.appointment_id AND w.transaction_type = 'payment'
                    AND w.amount = -p.amount) <> 1",
    ),
    (
        "every refunded payment has exactly one refund row, of at most its amount",
        "SELECT 'payment ' || p.id || ' of appointment ' || p.appointment_id
           FROM payments p
          WHERE p.status = 'refunded'
            AND (SELECT count(*) FROM wallet_transactions w
                  WHERE w.appointment_id = p.appointment_id AND w.transaction_type = 'refund'
                    AND w.amount > 0 AND w.amount <= p.amount) <> 1",
    ),
    (
        "refunds go only to cancelled appointments whose payment is refunded",
        "SELECT 'refund row ' || w.id FROM wallet_transactions w
           JOIN appointments a ON a.id = w.appointment_id
           LEFT JOIN payments p ON p.appointment_id = a.id
          WHERE w.transaction_type = 'refund'
            AND (a.status <> 'cancelled' OR p.status IS DISTINCT FROM 'refunded')",
    ),
    (
        "money is taken only for appointments that were confirmed",
        "SELECT 'payment row ' || w.id FROM wallet_transactions w
           JOIN payments p ON p.appointment_id = w.appointment_id
          WHERE w.transaction_type = 'payment' AND p.status NOT IN ('completed', 'refunded')",
    ),
    (
        "a pending appointment has a pending payment and holds its slot",
        "SELECT 'appointment ' || a.id FROM appointments a
           JOIN time_slots s ON s.id = a.time_slot_id
           LEFT JOIN payments p ON p.appointment_id = a.id
          WHERE a.status = 'pending' AND (s.is_available OR p.status IS DISTINCT FROM 'pending')",
    ),
];

/// Every violation found, as "rule: detail" lines; empty when all hold.
pub async fn violations(pool: &PgPool) -> Result<Vec<String>, sqlx::Error> {
    let mut found = Vec::new();
    for (rule, query) in CHECKS {
        let rows: Vec<String> = sqlx::query_scalar(query).fetch_all(pool).await?;
        found.extend(
            rows.into_iter()
                .take(20)
                .map(|row| format!("{rule}: {row}")),
        );
    }
    Ok(found)
}
