/** The whole drizzle schema. Tables live beside their domain; migrations come from here. */
export * from './people';
export * from './events';
export * from './journeys';
export * from './tracking';
export * from './analytics';
export * from './rollups';
export * from './webhooks';
