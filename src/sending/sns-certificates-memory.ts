import { X509Certificate } from 'node:crypto';
import type { SnsCertificates, SnsHttp } from './feedback/ports';

/**
 * `SnsCertificates` without a disk (Workers): each `SigningCertURL` fetched once through `http`
 * and kept in memory for the isolate's life (the caller holds one per isolate). Only a body that
 * parses as an X.509 certificate is kept; a failed fetch is not cached, so the next message retries.
 */
export function memorySnsCertificates(o: { http: SnsHttp }): SnsCertificates {
  const memory = new Map<string, string>();
  return {
    async get(url) {
      const known = memory.get(url.href);
      if (known !== undefined) return known;
      const res = await o.http.get(url);
      if (res.status !== 200) throw new Error(`${url.href} answered ${res.status}`);
      new X509Certificate(res.body); // throws on anything that is not a certificate
      memory.set(url.href, res.body);
      return res.body;
    },
  };
}
