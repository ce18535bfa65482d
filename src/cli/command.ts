import type { Config, Env } from '../config';
import type { Renderer } from '../render/types';
import type { SimulationRequest, SimulationResult } from '../simulate/run';
import type { Database } from '../storage/db';
import type { AdminApi } from './admin';

/**
 * What commands get from the runtime (src/runtime/cli.ts wires it): the engine is built only
 * there, so a command parses its arguments, asks for what it needs, and prints.
 */
export interface CliEngine {
  /** The configured database (DATABASE_URL, else the embedded PGlite), migrated unless AUTO_MIGRATE=false, for the length of `fn`. */
  withDatabase<T>(config: Config, fn: (database: Database) => Promise<T>): Promise<T>;
  /** Apply pending migrations to the configured database; returns the names applied. */
  migrate(config: Config): Promise<string[]>;
  /** `serve` / `worker`: run until SIGTERM or SIGINT; resolves to the exit code. */
  serve(config: Config, options: { http: boolean }, io: Omit<CliIo, 'engine'>): Promise<number>;
  /** `simulate`: the real engine on an in-memory database and a virtual clock. */
  simulate(request: SimulationRequest): Promise<SimulationResult>;
  /**
   * What plan, apply, calendar and preview work through: a running server's admin API (ALMANAC_URL
   * with ALMANAC_API_KEY, or the live server announced in the embedded data directory), else the
   * configured database in this process. `env` is the command's environment (io.env).
   */
  admin(config: Config, env: Env): AdminApi;
  /** The template renderer over a templates/ folder (`preview`). */
  renderer(templatesDir: string): Renderer;
  /** The engine's clock (`plan --forecast`'s "now"): the wall clock, unless a test pins it. */
  now(): Date;
}

/** What a command may touch: its arguments, the environment, two output streams, and the engine. */
export interface CliIo {
  env: Env;
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  engine: CliEngine;
}

export interface Command {
  /** One line for `almanac --help`. */
  summary: string;
  /** The command's own usage text (`almanac CMD --help`). */
  usage: string;
  /** Returns the exit code: 0 ok, 1 validation or runtime error, 2 usage. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Thrown by argument parsing; `main` prints it with the command's usage and exits 2. */
export class UsageError extends Error {}
