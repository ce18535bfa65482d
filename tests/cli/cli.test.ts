import { describe, expect, it } from 'vitest';
import { main } from '../../src/runtime/cli';

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { env, out: (t: string) => out.push(t), err: (t: string) => err.push(t), cwd: process.cwd() }, out, err };
}

describe('almanac CLI', () => {
  it('--help lists the commands and exits 0', async () => {
    const c = io();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/Usage: almanac <command>[\s\S]*migrate[\s\S]*serve[\s\S]*worker/);
  });

  it('--version prints the package version', async () => {
    const c = io();
    expect(await main(['--version'], c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('an unknown command exits 2 with usage on stderr', async () => {
    const c = io();
    expect(await main(['sned'], c.io)).toBe(2);
    expect(c.err.join('')).toContain('unknown command "sned"');
    expect(c.err.join('')).toContain('Usage: almanac <command>');
  });

  it('no command at all is a usage error', async () => {
    const c = io();
    expect(await main([], c.io)).toBe(2);
  });

  it('a stray argument is a usage error naming it', async () => {
    const c = io();
    expect(await main(['migrate', 'now'], c.io)).toBe(2);
    expect(c.err.join('')).toContain('almanac migrate: unexpected argument "now"');
  });

  it('bad configuration exits 1 naming the variable', async () => {
    const c = io({ PORT: '99999' });
    expect(await main(['serve'], c.io)).toBe(1);
    expect(c.err.join('')).toContain('PORT: expected a whole number from 1 to 65535 (got "99999")');
  });

  it('<command> --help shows that command', async () => {
    const c = io();
    expect(await main(['worker', '--help'], c.io)).toBe(0);
    expect(c.out.join('')).toContain('almanac worker');
  });
});
