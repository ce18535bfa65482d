import { createHmac } from 'node:crypto';

/**
 * The key `suppressions` are stored under: HMAC-SHA256 (hex) of the trimmed, lower-cased address
 * with a secret key from config. Keyed, so a leaked table does not reveal addresses, and kept
 * after GDPR erasure (reason `erased`), so a re-import of the address is never mailed until a
 * fresh consent is recorded for it (which lifts only that reason: src/consent/erase.ts).
 */
export function hashAddress(address: string, key: string): string {
  return createHmac('sha256', key).update(normalizeAddress(address)).digest('hex');
}

export const normalizeAddress = (address: string) => address.trim().toLowerCase();
