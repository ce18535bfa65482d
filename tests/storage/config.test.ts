import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { AppError } from '../../src/errors';

describe('config', () => {
  it('runs on the embedded database with defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.database).toEqual({ kind: 'pglite', dataDir: './.almanac/db', schema: 'public' });
    expect(c.http.port).toBe(8787);
    expect(c.scheduler.tickIntervalSeconds).toBe(5);
  });

  it('uses postgres.js when DATABASE_URL is set', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', DATABASE_SCHEMA: 'almanac' });
    expect(c.database).toMatchObject({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/test', schema: 'almanac' });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).http.port).toBe(8787);
  });

  it('names every bad variable and what it expects', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TICK_INTERVAL_SECONDS: '0', AUTO_MIGRATE: 'maybe' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    const e = error as AppError;
    expect(e.code).toBe('config_invalid');
    expect(e.message).toContain('PORT: expected a whole number from 1 to 65535 (got "eighty")');
    expect(e.message).toContain('DATABASE_URL: expected a postgres:// or postgresql:// URL (got "mysql://x")');
    expect(e.message).toContain('TICK_INTERVAL_SECONDS: expected a whole number from 1 to 59 (got "0")');
    expect(e.message).toContain('AUTO_MIGRATE: expected true or false (got "maybe")');
    expect((e.details as Array<{ variable: string }>).map((d) => d.variable).sort()).toEqual([
      'AUTO_MIGRATE',
      'DATABASE_URL',
      'PORT',
      'TICK_INTERVAL_SECONDS',
    ]);
  });

  it('rejects a schema name that is not a plain identifier', () => {
    expect(() => loadConfig({ DATABASE_SCHEMA: 'x; drop table contacts' })).toThrow(
      /DATABASE_SCHEMA: expected a lower-case SQL identifier/,
    );
  });
});
