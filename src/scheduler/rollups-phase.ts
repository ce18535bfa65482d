import type { Database } from '../storage/db';
import { foldRollupDeltas } from '../storage/rollups';
import type { TickPhase } from './tick';

/**
 * Tick phase `rollups`, last in the tick: fold the deltas the run and send triggers appended
 * (src/storage/rollups.ts) into the daily report rollups, in one short transaction. Reports are
 * exact without it (they add the unfolded deltas); it keeps the delta tables a few rows long.
 */
export function createRollupsPhase(deps: { database: Database }): TickPhase {
  return {
    name: 'rollups',
    run: () => deps.database.db.transaction((tx) => foldRollupDeltas(tx)),
  };
}
