import type { Config } from '../config';
import type { SesFeedbackDeps } from '../http/webhooks-ses';
import type { SnsCertificates, SnsHttp } from '../sending/feedback/ports';

/**
 * The ports of `POST /webhooks/ses`: `http` (fetch) and the certificate store the runtime chose —
 * on Node cached in SNS_CERT_CACHE_DIR (../sending/sns-certificates.ts), on Workers in memory
 * (../sending/sns-certificates-memory.ts).
 */
export function sesFeedbackDeps(config: Config, ports: { http: SnsHttp; certificates: SnsCertificates }): SesFeedbackDeps {
  const c = config.sesFeedback;
  return {
    trust: {
      topicArns: c.topicArns,
      ...(c.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: c.maxAgeSeconds }),
      certificates: ports.certificates,
    },
    http: ports.http,
    suppressionKey: config.mail.suppressionKey,
    transientBounces: { limit: c.transientBounceLimit, windowMs: c.transientBounceDays * 86_400_000 },
  };
}
