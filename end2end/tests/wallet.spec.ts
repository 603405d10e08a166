// Money leaving the wallet: a new patient tops up, is refused a withdrawal with the wrong
// password and one larger than the balance (nothing moves), then withdraws part of it and sees
// the balance and the history say so.
import { test, expect } from './fixtures';
import { approved, cardForm, form, newPatient, openWallet, patientPassword } from './patients';
import { secret } from './secrets';

test('a patient withdraws to a card with the password, and only what is there', { tag: ['@patient', '@wallet'] }, async ({ page, consoleErrors }) => {
  await newPatient(page, 'payout');
  await openWallet(page);
  const topUp = await cardForm(page, 'Top up', '300', approved);
  await expect(topUp.getByRole('status')).toContainText('Added $300.00');
  const balance = page.getByTestId('balance');
  await expect(balance).toHaveText('$300.00');

  const withdraw = form(page, 'Withdraw');
  const attempt = async (amount: string, password: string) => {
    await withdraw.getByLabel(/Amount/).fill(amount);
    await withdraw.getByLabel('Card number').fill(approved);
    await withdraw.getByLabel('Expiry (MM/YY)').fill('12/34');
    await withdraw.getByLabel('Security code').fill('123');
    await withdraw.getByLabel('Your password').fill(password);
    await withdraw.getByRole('button', { name: 'Withdraw' }).click();
  };

  await attempt('100', secret('password', 'not-my-password-at-all'));
  await expect(withdraw).toContainText('Your password is not right.');
  await expect(balance).toHaveText('$300.00');

  await attempt('300.01', patientPassword);
  await expect(withdraw).toContainText('Your balance is $300.00: you can withdraw at most that.');
  await page.reload();
  await expect(balance).toHaveText('$300.00');

  await attempt('120', patientPassword);
  await expect(withdraw.getByRole('status')).toContainText('Sent $120.00');
  await page.reload();
  await expect(balance).toHaveText('$180.00');
  const newest = page.locator('table.history tbody tr').first();
  await expect(newest).toContainText('Withdrawal');
  await expect(newest).toContainText('$120.00');
});
