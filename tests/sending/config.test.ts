import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { AppError } from '../../src/errors';
import { createTransport } from '../../src/runtime/transport';
import type { Database } from '../../src/storage/db';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).message;
  }
  throw new Error('expected loadConfig to refuse this environment');
};
/** createTransport only keeps the handle; nothing here touches the database. */
const noDatabase = {} as Database;

describe('TRANSPORT and SES_* configuration', () => {
  it('defaults to the outbox, which has no send rate to respect', () => {
    const config = loadConfig({});
    expect(config.transport).toEqual({ kind: 'outbox' });
    const wiring = createTransport(config, noDatabase);
    expect(wiring.transport.name).toBe('outbox');
    expect(wiring.rateLimiter).toBeUndefined();
  });

  it('TRANSPORT=ses builds the SES transport with the configured shared send rate', () => {
    const config = loadConfig({
      TRANSPORT: 'ses',
      MAIL_POSTAL_ADDRESS: 'Shop, 1 Main St, Springfield',
      SES_REGION: 'eu-central-1',
      SES_CONFIGURATION_SET: 'almanac',
      SES_MAX_SEND_RATE: '14',
      SES_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      SES_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
    expect(config.transport).toEqual({
      kind: 'ses',
      region: 'eu-central-1',
      configurationSet: 'almanac',
      maxSendRate: 14,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    });
    const wiring = createTransport(config, noDatabase);
    expect(wiring.transport.name).toBe('ses');
    expect(wiring.rateLimiter?.ratePerSecond).toBe(14);
    wiring.close();
    // no keys → the SDK's default credential chain; the rate defaults to SES's sandbox 1/s
    expect(loadConfig({ TRANSPORT: 'ses', SES_REGION: 'us-east-1', MAIL_POSTAL_ADDRESS: 'Shop, 1 Main St' }).transport).toEqual({
      kind: 'ses',
      region: 'us-east-1',
      maxSendRate: 1,
    });
  });

  it('names what is missing or wrong, and never echoes the secret key', () => {
    expect(problems({ TRANSPORT: 'ses' })).toContain('SES_REGION: required when TRANSPORT=ses');
    expect(problems({ TRANSPORT: 'ses', SES_REGION: 'eu-west-1' })).toContain(
      "MAIL_POSTAL_ADDRESS: required when TRANSPORT=ses: the shop's postal address",
    );
    expect(problems({ TRANSPORT: 'smtp' })).toContain('TRANSPORT: expected outbox (store every message) or ses (Amazon SES) (got "smtp")');
    expect(problems({ TRANSPORT: 'ses', SES_REGION: 'Ireland' })).toContain('SES_REGION: expected an AWS region such as eu-west-1');
    expect(problems({ TRANSPORT: 'ses', SES_REGION: 'eu-west-1', SES_MAX_SEND_RATE: '0' })).toContain(
      'SES_MAX_SEND_RATE: expected messages per second, a number > 0',
    );
    expect(problems({ TRANSPORT: 'ses', SES_REGION: 'eu-west-1', SES_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' })).toContain(
      'SES_SECRET_ACCESS_KEY: required with SES_ACCESS_KEY_ID',
    );
    const secret = problems({ SES_SECRET_ACCESS_KEY: 'short' });
    expect(secret).toContain('SES_SECRET_ACCESS_KEY: expected the secret access key');
    expect(secret).not.toContain('short');
    expect(problems({ SES_ENDPOINT: 'localhost:8005' })).toContain('SES_ENDPOINT: expected an http:// or https:// URL');
  });
});
