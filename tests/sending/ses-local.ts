import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, waitForStatus } from '../helpers/net';

/** One message as aws-ses-v2-local's `GET /store` lists it (it keeps no headers and no tags). */
export interface StoredEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  /** Only the first To address is kept. */
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

const bin = fileURLToPath(new URL('../../node_modules/.bin/aws-ses-v2-local', import.meta.url));

/**
 * aws-ses-v2-local (a devDependency) on a free 127.0.0.1 port, started for one test file and
 * killed by `stop()` in its afterAll. Never call `GetSendQuota` on it: it hangs.
 */
export async function startSesLocal() {
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ['--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForStatus(`${url}/health-check`, 200, 20_000);
  } catch (err) {
    child.kill();
    throw new Error(`aws-ses-v2-local did not start: ${(err as Error).message}\n${output}`);
  }
  return {
    url,
    async store(): Promise<StoredEmail[]> {
      const res = await fetch(`${url}/store`);
      return ((await res.json()) as { emails: StoredEmail[] }).emails;
    },
    async clear(): Promise<void> {
      await fetch(`${url}/clear-store`, { method: 'POST' });
    },
    stop(): Promise<void> {
      if (child.exitCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      });
    },
  };
}
