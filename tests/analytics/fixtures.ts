/** A campaign that mails a customer once when customer analytics finds them starting to churn (`lifecycle.changed` to churning). */
export const CHURN_ALERT = [
  'campaign: churn-alert',
  'name: Churn alert',
  'purpose: email.marketing',
  'trigger: { event: lifecycle.changed, where: { attribute: to, is: churning } }',
  'steps:',
  '  - send: win-back-miss-you',
].join('\n');
