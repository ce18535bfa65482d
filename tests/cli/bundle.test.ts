import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript beside bin/almanac.js, no types
import { bundledCli } from '../../bin/bundle.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function checkout(cliSource: string): string {
  const root = mkdtempSync(join(tmpdir(), 'almanac-bundle-'));
  roots.push(root);
  mkdirSync(join(root, 'src', 'runtime'), { recursive: true });
  writeFileSync(join(root, 'src', 'runtime', 'cli.ts'), cliSource);
  return root;
}

describe('bin/bundle.js: the CLI bundled on first use and rebuilt when the sources change', () => {
  it('builds dist/cli-<stamp>/cli.js, reuses it while src/ is unchanged, and builds anew after an edit', async () => {
    const root = checkout(`import { answer } from './answer';\nexport const main = (): number => answer;\n`);
    writeFileSync(join(root, 'src', 'runtime', 'answer.ts'), 'export const answer: number = 1;\n');
    const first = (await bundledCli({ root, env: {} })) as string;
    expect(first).toMatch(/\/dist\/cli-[0-9a-f]{16}\/cli\.js$/);
    expect((await import(first)).main()).toBe(1);
    expect(await bundledCli({ root, env: {} })).toBe(first);

    writeFileSync(join(root, 'src', 'runtime', 'answer.ts'), 'export const answer: number = 22;\n');
    const second = (await bundledCli({ root, env: {} })) as string;
    expect(second).not.toBe(first);
    expect((await import(second)).main()).toBe(22);
    expect(readdirSync(join(root, 'dist')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('answers undefined (bin/almanac.js then runs the sources through tsx) with ALMANAC_NO_BUNDLE=1 or when the build fails', async () => {
    const root = checkout('export const main = () => 1;\n');
    expect(await bundledCli({ root, env: { ALMANAC_NO_BUNDLE: '1' } })).toBeUndefined();
    const broken = checkout('export const main = ( => 1;\n');
    expect(await bundledCli({ root: broken, env: {} })).toBeUndefined();
  });
});
