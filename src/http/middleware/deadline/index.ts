export { DEFAULT_REQUEST_DEADLINE_MS, deadline, DeadlineExceeded, type DeadlineOptions, type DeadlineTimer, sharedTimer } from './deadline';
