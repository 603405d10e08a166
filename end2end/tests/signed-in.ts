// The demo accounts the suite keeps signed in for a whole run (tests/signed-in.setup.ts).
import path from 'node:path';

/** Who each signed-in role is, in the demo data. */
export const SIGNED_IN = { patient: 'ann', doctor: 'dr.hart', admin: 'admin' } as const;

export type SignedInRole = keyof typeof SIGNED_IN;

/** Where the role's saved browser state lives (written by the setup project, never committed). */
export function stateFile(role: SignedInRole): string {
  return path.join(__dirname, '..', 'playwright', '.auth', `${role}.json`);
}
