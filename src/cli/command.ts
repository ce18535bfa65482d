import type { Env } from '../config';

/** What a command may touch: its arguments, the environment, and two output streams. */
export interface CliIo {
  env: Env;
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
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
