import type { Config } from '../config';
import type { SesFeedbackDeps } from '../http/webhooks-ses';
import { cachedSnsCertificates } from '../sending/sns-certificates';
import { fetchSnsHttp } from '../sending/sns-fetch';

/** The real ports of `POST /webhooks/ses`: `fetch`, and certificates cached in SNS_CERT_CACHE_DIR. */
export function sesFeedbackDeps(config: Config): SesFeedbackDeps {
  const c = config.sesFeedback;
  const http = fetchSnsHttp();
  return {
    trust: {
      topicArns: c.topicArns,
      ...(c.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: c.maxAgeSeconds }),
      certificates: cachedSnsCertificates({ dir: c.certCacheDir, http }),
    },
    http,
    suppressionKey: config.mail.suppressionKey,
    transientBounces: { limit: c.transientBounceLimit, windowMs: c.transientBounceDays * 86_400_000 },
  };
}
