// Reads the mail the app sent, from maildev's HTTP API.
import { expect } from '@playwright/test';
import { mailApiPort } from '../playwright.config';
import { recordSecret } from './secrets';

type Mail = { subject: string; text: string; to: { address: string }[]; time: string };

/** Waits for the newest email to `to` with `subject`, and returns its plain-text part. */
export async function mailSentTo(to: string, subject: string, after = new Date(0)): Promise<string> {
  let text = '';
  await expect
    .poll(
      async () => {
        const response = await fetch(`http://127.0.0.1:${mailApiPort}/api/email`);
        const mails = ((await response.json()) as Mail[])
          .filter((m) => m.subject === subject && m.to.some((t) => t.address.toLowerCase() === to.toLowerCase()))
          .filter((m) => new Date(m.time) >= after);
        text = mails[mails.length - 1]?.text ?? '';
        return text;
      },
      { message: `an email "${subject}" to ${to}`, timeout: 15_000 },
    )
    .not.toBe('');
  return text;
}

/** Waits for the newest email to `to` with `subject`, and returns the 6-digit code in it. */
export async function codeSentTo(to: string, subject: string, after = new Date(0)): Promise<string> {
  const text = await mailSentTo(to, subject, after);
  const code = text.match(/\b\d{6}\b/)?.[0];
  expect(code, `a 6-digit code in "${subject}"`).toBeTruthy();
  recordSecret('code', code ?? '');
  return code ?? '';
}
