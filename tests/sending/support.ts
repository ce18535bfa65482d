import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Metrics } from '../../src/metrics';
import { createRenderer } from '../../src/render/renderer-files';
import { createLogger } from '../../src/lib/log';
import { createDispatcher, type DispatcherOptions } from '../../src/scheduler/dispatch';
import type { OutgoingMessage, SendOutcome, Transport } from '../../src/sending/transport';
import type { Database } from '../../src/storage/db';

export const templatesDir = fileURLToPath(new URL('./templates/', import.meta.url));
export const FROM = 'Shop <news@shop.example>';

/** mailparser (a devDependency without types), read the way a mail client would. */
export interface ParsedMail {
  subject?: string;
  text?: string;
  html?: string | false;
  headers: Map<string, unknown>;
  from?: { text: string };
  to?: { text: string };
}
const require = createRequire(import.meta.url);
export const parseMail = (raw: Buffer | string): Promise<ParsedMail> =>
  (require('mailparser') as { simpleParser: (input: Buffer | string) => Promise<ParsedMail> }).simpleParser(raw);

/** The transport seam: every message handed to `inner` and what it answered. */
export function recording(inner: Transport) {
  const calls: Array<{ message: OutgoingMessage; outcome: SendOutcome }> = [];
  const transport: Transport = {
    name: inner.name,
    async send(message) {
      const outcome = await inner.send(message);
      calls.push({ message, outcome });
      return outcome;
    },
  };
  return { transport, calls };
}

/** The real dispatcher over this folder's templates. */
export function dispatcher(database: Database, transport: Transport, overrides: Partial<DispatcherOptions> = {}) {
  return createDispatcher({
    database,
    transport,
    renderer: createRenderer({ templatesDir }),
    from: FROM,
    suppressionKey: 'delivery-test-key',
    batchSize: 100,
    leaseMs: 60_000,
    metrics: new Metrics(),
    log: createLogger('silent'),
    ...overrides,
  });
}

/** A seeded PRNG (mulberry32): faults and jitter that differ per call but repeat per run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
