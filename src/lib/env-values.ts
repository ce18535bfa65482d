import { z } from 'zod';
import { isStandardWebhookSecret } from './standard-webhooks';

/**
 * The value parsers of src/config.ts, one per kind of environment variable (whole numbers in a
 * range, comma lists, host names, currency codes and rates, channel costs, booleans, ingest
 * secrets, SNS topic ARNs, SQL identifiers): each says in its error what it expects.
 */
export const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) => {
  const expected = max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`;
  return z.coerce
    .number({ error: `expected ${expected}` })
    .int({ error: `expected ${expected}` })
    .min(min, { error: `expected ${expected}` })
    .max(max, { error: `expected ${expected}` });
};
export const port = wholeNumber(1, 65535);
export const positiveInt = wholeNumber(1);
export const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean),
);
export const allowedHosts = csv
  .pipe(z.array(z.string().regex(/^[a-z0-9.-]+$/i, { error: 'expected host names such as shop.example, comma-separated' })))
  .transform((hosts) => hosts.map((h) => h.toLowerCase()))
  .default([]);
export const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as PLN or EUR')
  .refine((c) => {
    try {
      new Intl.NumberFormat('en', { style: 'currency', currency: c });
      return true;
    } catch {
      return false;
    }
  }, 'expected an ISO 4217 currency code such as PLN or EUR');
/** `CURRENCY_RATES`: `EUR=4.31,USD=3.97` — one unit of each currency in the shop's currency (src/attribution/currency.ts). */
export const currencyRates = z.string().transform((s, ctx) => {
  const out: Record<string, number> = {};
  for (const pair of s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z]{3})\s*=\s*(\S+)$/.exec(pair);
    const rate = m && /^\d+(\.\d+)?$/.test(m[2]!) ? Number(m[2]) : NaN;
    const problem = !m
      ? `"${pair.slice(0, 40)}" is not CODE=RATE`
      : !currencyCode.safeParse(m[1]).success
        ? `${m[1]} is not an ISO 4217 code`
        : !(rate > 0) || !Number.isFinite(rate)
          ? `the rate of ${m[1]} must be a number > 0`
          : m[1]! in out
            ? `${m[1]} is listed twice`
            : undefined;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `expected CODE=RATE pairs such as EUR=4.31,USD=3.97; ${problem}` });
      return z.NEVER;
    }
    out[m![1]!] = rate;
  }
  return out;
});
/** `ACQUISITION_COST_BY_CHANNEL`: `facebook=12.5,google=8` — cost of acquiring a contact per channel. */
export const channelCosts = z.string().transform((s, ctx) => {
  const out: Record<string, number> = {};
  for (const pair of s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([a-z0-9][a-z0-9_.-]{0,62})\s*=\s*(\d+(?:\.\d+)?)$/i.exec(pair);
    if (!m || m[1]!.toLowerCase() in out) {
      ctx.addIssue({
        code: 'custom',
        message: `expected channel=amount pairs such as facebook=12.5,google=8; ${m ? `${m[1]} is listed twice` : `"${pair.slice(0, 40)}" is not channel=amount`}`,
      });
      return z.NEVER;
    }
    out[m[1]!.toLowerCase()] = Number(m[2]);
  }
  return out;
});
export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
/**
 * `name=whsec_<base64>` pairs, comma-separated, each secret a Standard Webhooks secret:
 * `INGEST_SECRETS` (each name a source, a URL segment of `POST /webhooks/ingest/:source`) and
 * `WEBHOOK_SECRETS` (each name what a campaign's `webhook` step writes as `secret: NAME`).
 */
const namedSecrets = (what: 'source' | 'secret') =>
  z.string().transform((s, ctx) => {
    const out: Record<string, string> = {};
    for (const pair of s
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? '' : pair.slice(0, eq).trim();
      const secret = eq < 0 ? '' : pair.slice(eq + 1).trim();
      const problem = !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name)
        ? `"${name || pair}" is not a ${what} name (lower-case letters, digits, - and _)`
        : !isStandardWebhookSecret(secret)
          ? `the secret of "${name}" is not whsec_ followed by base64 of at least 16 bytes`
          : name in out
            ? `${what} "${name}" is listed twice`
            : undefined;
      if (problem) {
        ctx.addIssue({ code: 'custom', message: `expected ${what}=whsec_… pairs separated by commas; ${problem}` });
        return z.NEVER;
      }
      out[name] = secret;
    }
    return out;
  });
export const ingestSecrets = namedSecrets('source');
export const webhookSecrets = namedSecrets('secret');
/** `WEBHOOK_SECRET`: one Standard Webhooks secret, `whsec_<base64>`. */
export const webhookSecret = z
  .string()
  .refine(isStandardWebhookSecret, { error: 'expected whsec_ followed by base64 of at least 16 bytes (a Standard Webhooks secret)' });
/** `SNS_TOPIC_ARNS`: full SNS topic ARNs, comma-separated (`arn:aws:sns:eu-west-1:123456789012:ses-feedback`). */
export const topicArns = csv.pipe(
  z.array(
    z
      .string()
      .regex(
        /^arn:aws(-cn|-us-gov)?:sns:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/,
        'expected full SNS topic ARNs such as arn:aws:sns:eu-west-1:123456789012:ses-feedback, comma-separated',
      ),
  ),
);
export const sqlIdentifier = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier such as "public" or "almanac"');
