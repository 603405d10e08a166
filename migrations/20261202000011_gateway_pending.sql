-- Card operations are recorded as pending before the provider is called, and settled after
-- (app/src/services/wallet.rs): the provider is never called inside a transaction that holds
-- the wallet's lock, and an operation whose answer was lost (a timeout, a crash) is settled
-- later by asking the provider what became of its request key (reconciliation).

-- The request key the operation was sent with: the provider's idempotency key, and the key
-- the patient's answer is stored under. Older rows, settled at once, have none.
ALTER TABLE gateway_operations ADD COLUMN request_key VARCHAR(64);
CREATE UNIQUE INDEX gateway_operations_request_key_idx
    ON gateway_operations (user_id, request_key) WHERE request_key IS NOT NULL;

-- How often reconciliation has asked about a pending operation, and when it last did.
ALTER TABLE gateway_operations ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0
    CONSTRAINT gateway_operations_attempts_check CHECK (attempts >= 0);
ALTER TABLE gateway_operations ADD COLUMN last_attempt_at TIMESTAMPTZ;

-- A withdrawal takes the money from the wallet before the payout; a declined payout gives it
-- back with a deposit of its own (the ledger is append-only), named here.
ALTER TABLE gateway_operations ADD COLUMN reversal_transaction_id BIGINT
    REFERENCES wallet_transactions (id);
CREATE INDEX gateway_operations_reversal_idx ON gateway_operations (reversal_transaction_id);
ALTER TABLE gateway_operations ADD CONSTRAINT gateway_operations_reversal_check
    CHECK (reversal_transaction_id IS NULL OR (kind = 'withdrawal' AND status IN ('declined', 'failed')));
