export { type RawBodyEnv, shopifyHmac, type ShopifyHmacOptions } from './shopify-hmac';
