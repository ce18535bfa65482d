import type { Renderer } from '../render/types';

/**
 * The Worker's renderer before any template was applied: workerd has no templates folder, so
 * until `almanac apply` (from Node) stores them, every render fails with this, and the send is
 * marked failed naming it rather than sent empty.
 */
export function workerTemplates(): Renderer {
  return {
    render: (template) => ({
      ok: false,
      template,
      message: 'no templates were applied to this database: run almanac apply from Node (DATABASE_URL) to store them',
    }),
  };
}
