export { apiKey, type ApiKeyOptions } from './api-key';
