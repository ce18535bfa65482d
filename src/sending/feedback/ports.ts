/**
 * The two ports of SNS feedback; the real adapters are ../sns-fetch.ts and
 * ../sns-certificates.ts, wired in src/runtime/services.ts. Tests inject fakes that serve a test
 * certificate and record every call. Callers pass only URLs that ./sns-url.ts accepted.
 */

/** An outbound GET. Redirects are not followed (a redirect is an answer like any other). */
export interface SnsHttp {
  get(url: URL): Promise<{ status: number; body: string }>;
}

/** The PEM of the signing certificate at `url` (cached; fetched only when it is not). */
export interface SnsCertificates {
  get(url: URL): Promise<string>;
}
