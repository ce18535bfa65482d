import { createVerify, X509Certificate } from 'node:crypto';
import type { SnsEnvelope } from './sns-envelope';
import { stringToSign } from './string-to-sign';

/**
 * Whether `Signature` is the signing certificate's RSA signature of the string to sign:
 * SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA. A certificate that does not parse, or a
 * signature that is not base64 of the key's size, is simply no match.
 */
export function signatureMatches(e: SnsEnvelope, certificatePem: string): boolean {
  try {
    const key = new X509Certificate(certificatePem).publicKey;
    const verifier = createVerify(e.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
    verifier.update(stringToSign(e), 'utf8');
    return verifier.verify(key, e.Signature, 'base64');
  } catch {
    return false;
  }
}
