import type { Renderer } from '../render/types';

/**
 * The Worker's renderer. workerd has no templates folder and `apply` does not store templates in
 * the database yet (issue 18, open), so the Worker renders nothing: it does not dispatch (a Node
 * `almanac worker` on the same database sends what its ticks queue), and view-in-browser answers
 * this error instead of a message.
 */
export function workerTemplates(): Renderer {
  return {
    render: (template) => ({
      ok: false,
      template,
      message: 'templates are not available on Workers yet: open the message from the Node server',
    }),
  };
}
