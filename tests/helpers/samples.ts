/**
 * The sample campaigns in campaigns/, in id order: what tests of the sample project expect to be
 * compiled, applied and listed. Adding a sample means adding it here (one place).
 */
export const SAMPLE_CAMPAIGNS = [
  'abandoned-cart',
  'birthday',
  'browse-abandonment',
  'consent-confirmation',
  'newsletter',
  'review-request',
  'vip-welcome',
  'welcome',
  'win-back',
] as const;
