import { describeTarget } from './http-suite';
import { startNode } from './targets';

/** The HTTP suite against the Node server (almanac serve) on a fresh PostgreSQL database (npm run test:workers). */
describeTarget('node', startNode);
