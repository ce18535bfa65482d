import type { SnsCertificates } from './ports';
import { signatureMatches } from './signature';
import type { SnsEnvelope } from './sns-envelope';
import { signingCertUrl, subscribeUrl } from './sns-url';

declare const verified: unique symbol;
/** An SNS message whose signature, topic and age passed: only `verifySnsMessage` makes one. */
export type VerifiedSnsMessage = SnsEnvelope & { readonly [verified]: true };

export interface SnsTrust {
  /** SNS_TOPIC_ARNS: the topics whose messages are accepted, compared in full. */
  topicArns: readonly string[];
  /** SNS_MAX_AGE: a message whose `Timestamp` is older than this many seconds is refused; unset → any age. */
  maxAgeSeconds?: number;
  certificates: SnsCertificates;
}

export type Verification =
  | { ok: true; message: VerifiedSnsMessage }
  /** `refused`: forged, foreign or stale (401); `unavailable`: the certificate could not be fetched (503, SNS retries). */
  | { ok: false; kind: 'refused' | 'unavailable'; problem: string; cause?: unknown };

/**
 * Check an SNS message in the order that costs least and reveals least: the topic allow-list,
 * the certificate URL and a confirmation's SubscribeURL first (a foreign message never makes
 * Almanac request anything), then
 * its age, and only then the certificate (cached) and the signature over the string to sign.
 */
export async function verifySnsMessage(e: SnsEnvelope, trust: SnsTrust, now: Date): Promise<Verification> {
  const refused = (problem: string): Verification => ({ ok: false, kind: 'refused', problem });
  if (!trust.topicArns.includes(e.TopicArn)) return refused(`TopicArn ${e.TopicArn} is not in SNS_TOPIC_ARNS`);
  const certUrl = signingCertUrl(e.SigningCertURL);
  if (!certUrl.ok) return refused(certUrl.problem);
  // Checked before the signature too, so a confirmation pointing anywhere else costs no request at all.
  if (e.Type === 'SubscriptionConfirmation') {
    const confirm = subscribeUrl(e.SubscribeURL ?? '');
    if (!confirm.ok) return refused(confirm.problem);
  }
  if (trust.maxAgeSeconds !== undefined) {
    const ageMs = now.getTime() - new Date(e.Timestamp).getTime();
    if (ageMs > trust.maxAgeSeconds * 1000) return refused(`Timestamp ${e.Timestamp} is older than SNS_MAX_AGE (${trust.maxAgeSeconds} s)`);
  }
  let pem: string;
  try {
    pem = await trust.certificates.get(certUrl.url);
  } catch (cause) {
    return { ok: false, kind: 'unavailable', problem: `could not fetch the signing certificate ${certUrl.url.href}`, cause };
  }
  if (!signatureMatches(e, pem)) return refused('the SNS signature does not match the message (forged, or altered in transit)');
  return { ok: true, message: e as VerifiedSnsMessage };
}
