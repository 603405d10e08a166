// The secrets the suite types or receives (passwords, one-time codes, session ids, card
// numbers), each written down as it is used, so that scripts/test.sh can search the server's
// log for them after the run: none may ever appear there.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const secretsFile = path.join(__dirname, '..', 'test-results', 'secrets-used.txt');

export type SecretKind = 'password' | 'code' | 'session id' | 'card number';

/** Writes `value` down as a secret of `kind` the suite used. */
export function recordSecret(kind: SecretKind, value: string) {
  if (!value) return;
  mkdirSync(path.dirname(secretsFile), { recursive: true });
  appendFileSync(secretsFile, `${kind}\t${value}\n`);
}

/** A secret a spec uses as it is: written down when the spec is loaded. */
export function secret(kind: SecretKind, value: string): string {
  recordSecret(kind, value);
  return value;
}

// The demo data's password (server/src/tools/demo).
export const demoPassword = secret('password', 'demo-clinic-2026');
