/**
 * Tests that need something optional (a real PostgreSQL, Chromium, …) ask here. Missing → the
 * test is skipped and a line says why. When ALMANAC_REQUIRE names the capability (.ci/run sets
 * it), missing is an error instead, so CI can never pass by skipping.
 */
import { existsSync } from 'node:fs';

export type Capability = 'postgres' | 'chromium';

/** Debian's Chromium (`apt-get install chromium`); never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const required = () => (process.env.ALMANAC_REQUIRE ?? '').split(',').map((s) => s.trim());

const probes: Record<Capability, () => string | undefined> = {
  postgres: () => (process.env.DATABASE_URL ? undefined : 'DATABASE_URL is not set (it points the suite at a real PostgreSQL)'),
  chromium: () => (existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`),
};

/** True when `capability` is present; logs the reason and returns false when it is not. */
export function has(capability: Capability, what: string): boolean {
  const missing = probes[capability]();
  if (missing === undefined) return true;
  if (required().includes(capability)) {
    throw new Error(`${what} needs ${capability}, which ALMANAC_REQUIRE demands, but ${missing}`);
  }
  console.warn(`skipping "${what}": needs ${capability}; ${missing}`);
  return false;
}
