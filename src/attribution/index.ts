/** The pure attribution core: models, holdout lift and daily rollups, with no I/O (see each file). */
export * from './types';
export * from './money';
export * from './models';
export * from './stats';
export * from './lift';
export * from './rollup';
