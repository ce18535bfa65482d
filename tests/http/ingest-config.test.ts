import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';

const secret = `whsec_${Buffer.from('a-32-byte-secret-for-the-crm-src').toString('base64')}`;

describe('webhook configuration', () => {
  it('reads SHOPIFY_WEBHOOK_SECRET and INGEST_SECRETS pairs', () => {
    const c = loadConfig({ SHOPIFY_WEBHOOK_SECRET: 'shpss_0123456789', INGEST_SECRETS: `crm=${secret}, billing-2=${secret}` });
    expect(c.webhooks).toEqual({ shopifySecret: 'shpss_0123456789', ingestSecrets: { crm: secret, 'billing-2': secret } });
    expect(loadConfig({}).webhooks).toEqual({ ingestSecrets: {} });
  });

  it('names a bad INGEST_SECRETS entry without echoing the secret', () => {
    const fail = (value: string) => {
      try {
        loadConfig({ INGEST_SECRETS: value });
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('expected a config error');
    };
    expect(fail(`crm=${secret.slice(0, 12)}`)).toContain(
      'INGEST_SECRETS: expected source=whsec_… pairs separated by commas; the secret of "crm" is not whsec_ followed by base64 of at least 16 bytes',
    );
    expect(fail(`crm=${secret.slice(0, 12)}`)).not.toContain(secret.slice(6, 12));
    expect(fail(`CRM=${secret}`)).toContain('"CRM" is not a source name');
    expect(fail(`crm=${secret},crm=${secret}`)).toContain('source "crm" is listed twice');
  });
});
