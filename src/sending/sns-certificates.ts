import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SnsCertificates, SnsHttp } from './feedback/ports';

/**
 * The real `SnsCertificates`: in memory, then on disk in `dir` (SNS_CERT_CACHE_DIR) as one file
 * per URL, named by the SHA-256 hex of the exact `SigningCertURL` plus `.pem`, and only then
 * fetched (through `http`) and written there. An operator whose server cannot reach AWS can
 * pre-seed the directory: `curl -o "$DIR/$(printf %s "$URL" | sha256sum | cut -c1-64).pem" "$URL"`.
 * Only a body that parses as an X.509 certificate is kept.
 */
export function cachedSnsCertificates(o: { dir: string; http: SnsHttp }): SnsCertificates {
  const memory = new Map<string, string>();
  return {
    async get(url) {
      const key = createHash('sha256').update(url.href).digest('hex');
      const known = memory.get(key);
      if (known !== undefined) return known;
      const file = join(o.dir, `${key}.pem`);
      const pem = (await readFile(file, 'utf8').catch(() => undefined)) ?? (await fetchAndStore(o, url, file));
      memory.set(key, pem);
      return pem;
    },
  };
}

async function fetchAndStore(o: { dir: string; http: SnsHttp }, url: URL, file: string): Promise<string> {
  const res = await o.http.get(url);
  if (res.status !== 200) throw new Error(`${url.href} answered ${res.status}`);
  new X509Certificate(res.body); // throws on anything that is not a certificate
  await mkdir(o.dir, { recursive: true });
  // Written beside and renamed, so a reader never sees half a file.
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, res.body, { mode: 0o644 });
  await rename(partial, file);
  return res.body;
}
