import type { Config } from '../config';
import { createOutboxTransport } from '../sending/outbox';
import { createRateLimiter, type RateLimiter } from '../sending/rate-limit';
import { createSesTransport } from '../sending/ses';
import type { Transport } from '../sending/transport';
import type { Database } from '../storage/db';

export interface TransportWiring {
  transport: Transport;
  /** The provider's shared send rate; none for the outbox, which has no rate to respect. */
  rateLimiter?: RateLimiter;
  close(): void;
}

/**
 * The configured transport (`TRANSPORT=outbox|ses`) and, for SES, the send-rate bucket every
 * process shares: named per region, because SES quotas are per account and region. The bucket
 * runs on wall time (`clock`), since it paces real provider calls, whatever `now` ticks carry.
 */
export function createTransport(config: Config, database: Database, clock: () => Date = () => new Date()): TransportWiring {
  const t = config.transport;
  if (t.kind === 'outbox') return { transport: createOutboxTransport({ database }), close: () => {} };
  const transport = createSesTransport({
    region: t.region,
    ...(t.endpoint ? { endpoint: t.endpoint } : {}),
    ...(t.credentials ? { credentials: t.credentials } : {}),
    ...(t.configurationSet ? { configurationSet: t.configurationSet } : {}),
  });
  const rateLimiter = createRateLimiter({ database, name: `ses:${t.region}`, ratePerSecond: t.maxSendRate, clock });
  return { transport, rateLimiter, close: () => transport.close() };
}
