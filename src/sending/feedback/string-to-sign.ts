import type { SnsEnvelope } from './sns-envelope';

/**
 * The exact bytes Amazon SNS signs ("Verifying the signatures of Amazon SNS messages", AWS SNS
 * developer guide): for each key, in this order, `Key\nValue\n`. A Notification signs
 * Message, MessageId, Subject (only when present), Timestamp, TopicArn, Type; the two
 * confirmations sign Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
 * Values are the JSON-decoded strings, exactly as they arrived.
 */
const notificationKeys = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const confirmationKeys = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

export function stringToSign(e: SnsEnvelope): string {
  const keys = e.Type === 'Notification' ? notificationKeys : confirmationKeys;
  let out = '';
  for (const key of keys) {
    const value = e[key];
    if (value === undefined) continue; // only Subject may be absent (the parser requires the rest)
    out += `${key}\n${value}\n`;
  }
  return out;
}
