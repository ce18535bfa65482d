export { type StandardWebhookEnv, standardWebhooks, type StandardWebhooksOptions } from './standard-webhooks';
