// Searches logs for the secrets a test run used: node scan-logs.mjs SECRETS LOG...
//
// SECRETS holds one "kind<TAB>value" line per secret (end2end/tests/secrets.ts writes it as the
// suite types passwords and card numbers and receives codes and session ids). A log line that
// holds any of them is printed with the secret masked, and the scan fails. A six-digit code is
// matched only as a number of its own, so that it is not found inside a timestamp's fraction.
import { readFileSync } from 'node:fs';

const [secretsPath, ...logs] = process.argv.slice(2);
if (!secretsPath || logs.length === 0) {
  console.error('usage: node scan-logs.mjs SECRETS LOG...');
  process.exit(2);
}

const secrets = new Map();
for (const line of readFileSync(secretsPath, 'utf8').split('\n')) {
  const [kind, value] = line.split('\t');
  if (kind && value && value.length >= 6) secrets.set(value, kind);
}
if (secrets.size === 0) {
  console.error(`${secretsPath} names no secret: the suite did not write down what it used`);
  process.exit(1);
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const patterns = [...secrets].map(([value, kind]) => ({
  kind,
  value,
  pattern: new RegExp(/^\d+$/.test(value) ? `(?<![\\d.])${value}(?!\\d)` : escape(value)),
}));
const mask = (value) => `${value.slice(0, 2)}${'*'.repeat(Math.max(value.length - 2, 4))}`;

let lines = 0;
const found = [];
for (const log of logs) {
  readFileSync(log, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      lines += 1;
      for (const { kind, value, pattern } of patterns) {
        if (pattern.test(text)) found.push(`${log}:${index + 1}: a ${kind} (${mask(value)})`);
      }
    });
}
if (lines <= logs.length) {
  console.error(`the logs (${logs.join(', ')}) are empty: nothing was searched`);
  process.exit(1);
}
const counts = {};
for (const kind of secrets.values()) counts[kind] = (counts[kind] ?? 0) + 1;
const used = Object.entries(counts).map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`).join(', ');
if (found.length > 0) {
  console.error(`The logs hold secrets the tests used (${used} searched in ${lines} lines):`);
  for (const line of found) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`No secret in the logs: ${used} searched in ${lines} lines of ${logs.join(', ')}.`);
