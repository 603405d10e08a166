// Route coverage: every page in the app's route table (as `server routes` prints it) is opened
// here, fresh, as the role it is for, and must hydrate without a console error and pass axe
// (no serious or critical violation). A route the table gains without an entry below fails
// this spec, and so does an entry whose route is gone: the suite always knows every page.
import { execFileSync } from 'node:child_process';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, waitForHydration } from './fixtures';
import { serverBin } from '../playwright.config';

type Role = 'visitor' | 'patient' | 'doctor' | 'admin';
/** The ids a page's address needs, found or made before the visits. */
type Samples = { doctor: number; slot: number; appointment: number };
type Visit = { role: Role; address: (s: Samples) => string };

const as = (role: Role, address: string | ((s: Samples) => string)): Visit => ({
  role,
  address: typeof address === 'string' ? () => address : address,
});

// Each route of the table, by its pattern, with the role it is for and the address to open.
const visits: Record<string, Visit> = {
  '/': as('visitor', '/'),
  '/doctors': as('visitor', '/doctors'),
  '/doctors/{id}': as('visitor', (s) => `/doctors/${s.doctor}`),
  '/register': as('visitor', '/register'),
  '/sign-in': as('visitor', '/sign-in'),
  '/verify-email': as('visitor', '/verify-email'),
  '/forgot-password': as('visitor', '/forgot-password'),
  '/reset-password': as('visitor', '/reset-password'),
  '/account-deleted': as('visitor', '/account-deleted'),
  '/profile': as('patient', '/profile'),
  '/reviews': as('patient', '/reviews'),
  '/patient': as('patient', '/patient'),
  '/book/{slot}': as('patient', (s) => `/book/${s.slot}`),
  '/appointments': as('patient', '/appointments'),
  '/appointments/{id}': as('patient', (s) => `/appointments/${s.appointment}`),
  '/appointments/{id}/reschedule': as('patient', (s) => `/appointments/${s.appointment}/reschedule`),
  '/wallet': as('patient', '/wallet'),
  '/doctor': as('doctor', '/doctor'),
  '/doctor/practice': as('doctor', '/doctor/practice'),
  '/doctor/slots': as('doctor', '/doctor/slots'),
  '/doctor/reviews': as('doctor', '/doctor/reviews'),
  '/doctor/appointments': as('doctor', '/doctor/appointments'),
  '/admin': as('admin', '/admin'),
  '/admin/specialties': as('admin', '/admin/specialties'),
  '/admin/doctors': as('admin', '/admin/doctors'),
  '/admin/doctors/new': as('admin', '/admin/doctors/new'),
  '/admin/doctors/{id}': as('admin', (s) => `/admin/doctors/${s.doctor}`),
  '/admin/doctors/{id}/slots': as('admin', (s) => `/admin/doctors/${s.doctor}/slots`),
  '/admin/reviews': as('admin', '/admin/reviews'),
  '/admin/users': as('admin', '/admin/users'),
  '/admin/audit': as('admin', '/admin/audit'),
  '/admin/appointments': as('admin', '/admin/appointments'),
  '/admin/payments': as('admin', '/admin/payments'),
  '/admin/transactions': as('admin', '/admin/transactions'),
};

/** The app's route table, from the server binary the suite runs. */
function routeTable(): string[] {
  const printed = execFileSync(serverBin, ['routes'], { encoding: 'utf8' });
  return printed.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('/'));
}

test.describe.configure({ timeout: 180_000 });

test('every route in the table has a visit here, and every visit a route', { tag: ['@a11y'] }, async () => {
  const table = routeTable();
  expect(table.length, 'the route table is not empty').toBeGreaterThan(20);
  const missing = table.filter((route) => !(route in visits));
  expect(missing, 'routes without a visit in routes.spec.ts (add them there)').toEqual([]);
  const stale = Object.keys(visits).filter((route) => !table.includes(route));
  expect(stale, 'visits in routes.spec.ts of routes the app no longer has').toEqual([]);
});

for (const role of ['visitor', 'patient', 'doctor', 'admin'] as Role[]) {
  test.describe(`as the ${role}`, () => {
    test.use({ signedInAs: role === 'visitor' ? undefined : role });
    test(`every ${role} page hydrates and passes axe`, { tag: [`@${role}`, '@a11y'] }, async ({ page, db, consoleErrors }) => {
      const { rows: doctors } = await db.query('SELECT id FROM doctors WHERE is_active ORDER BY id LIMIT 1');
      const { rows: slots } = await db.query(
        `SELECT s.id FROM time_slots s JOIN doctors d ON d.id = s.doctor_id
          WHERE s.is_available AND d.is_active AND s.date >= current_date + 3 ORDER BY s.date DESC, s.id LIMIT 2`,
      );
      const samples: Samples = { doctor: doctors[0].id, slot: slots[0].id, appointment: 0 };
      if (role === 'patient') {
        // A visit of the patient's own, booked as the booking page books it.
        const key = `route-coverage-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;
        const answer = await page.request.post('/api/booking/book', {
          form: { slot_id: String(slots[1].id), request_key: key },
          headers: { Accept: 'application/json' },
        });
        expect(answer.ok(), `booking a visit to look at: ${answer.status()}`).toBeTruthy();
        const outcome = await answer.json();
        samples.appointment = outcome.Confirmed?.appointment_id ?? outcome.AwaitingPayment?.appointment_id;
        expect(samples.appointment, `a booked appointment in ${JSON.stringify(outcome)}`).toBeTruthy();
      }
      const problems: string[] = [];
      for (const [route, visit] of Object.entries(visits).filter(([, v]) => v.role === role)) {
        const address = visit.address(samples);
        const response = await page.goto(address);
        expect(response?.status(), `${route} (${address}) as ${role}`).toBeLessThan(400);
        await waitForHydration(page);
        const results = await new AxeBuilder({ page }).analyze();
        for (const v of results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
          problems.push(`${route}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
        }
        await page.waitForLoadState('networkidle');
      }
      expect(problems, `axe on the ${role}'s pages`).toEqual([]);
    });
  });
}
