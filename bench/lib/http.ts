import { type ChildProcess, spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { freePort } from '../../tests/helpers/net';

export { freePort };

export interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Start a server process (its own process group) and wait until `GET readyPath` answers 2xx. */
export async function startServer(command: string, args: string[], env: Record<string, string>, readyPath = '/healthz'): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, TZ: 'UTC', ...env, PORT: String(port), HOST: '127.0.0.1' },
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const stop = async () => {
    if (child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGTERM');
    const t = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited (${child.exitCode}):\n${err}`);
    const ok = await fetch(url + readyPath).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, pid: child.pid!, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${command} ${args.join(' ')} was not ready in 60 s:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Load {
  /** Completed 2xx/3xx requests per second. */
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
}

/**
 * A bounded load over loopback (autocannon): `connections` at once for `seconds`. Every
 * `[<id>]` in the body is a fresh id per request (unique event ids). Non-2xx/3xx answers and
 * socket errors are counted, never hidden.
 */
export async function load(
  url: string,
  o: { connections: number; seconds: number; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
): Promise<Load> {
  const r = await autocannon({
    url,
    connections: o.connections,
    duration: o.seconds,
    method: o.method ?? 'GET',
    headers: o.headers ?? {},
    ...(o.body === undefined ? {} : { body: o.body, idReplacement: true }),
  });
  const good = r['2xx'] + r['3xx'];
  return {
    rps: good / o.seconds,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    requests: r.requests.total,
  };
}
