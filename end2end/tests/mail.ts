// Reads the mail the app sent, from maildev's HTTP API (end2end/README.md, "Mail").
import { expect } from '@playwright/test';
import { mailApiPort } from '../playwright.config';
import { recordSecret } from './secrets';

type Mail = { subject: string; text: string; to: { address: string }[]; time: string };

/** Which mail: only this subject, only mail sent at or after this moment. */
export type MailFilter = { subject?: string; after?: Date };

const CODE = /\b\d{6}\b/;

async function newestTo(email: string, filter: MailFilter, what: string, wanted: (mail: Mail) => boolean): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(
      async () => {
        const response = await fetch(`http://127.0.0.1:${mailApiPort}/api/email`);
        const mails = ((await response.json()) as Mail[]).filter(
          (m) =>
            m.to.some((t) => t.address.toLowerCase() === email.toLowerCase()) &&
            (filter.subject === undefined || m.subject === filter.subject) &&
            new Date(m.time) >= (filter.after ?? new Date(0)) &&
            wanted(m),
        );
        found = mails[mails.length - 1];
        return found !== undefined;
      },
      { message: `${what} to ${email}${filter.subject ? ` ("${filter.subject}")` : ''}`, timeout: 15_000 },
    )
    .toBe(true);
  return found as Mail;
}

/** Waits for the newest email to `email` with `subject` (sent at or after `after`), and returns
 * its plain-text part. */
export async function lastMailTo(email: string, subject: string, after?: Date): Promise<string> {
  return (await newestTo(email, { subject, after }, 'an email', () => true)).text;
}

/** Waits for the newest email to `email` that carries a one-time code (of `filter.subject`, if
 * given), and returns the 6-digit code. */
export async function latestCodeFor(email: string, filter: MailFilter = {}): Promise<string> {
  const mail = await newestTo(email, filter, 'a one-time code', (m) => CODE.test(m.text));
  const code = mail.text.match(CODE)?.[0] ?? '';
  recordSecret('code', code);
  return code;
}
