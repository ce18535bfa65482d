import { fileTree } from './file-tree';
import { createTreeRenderer } from './renderer';
import type { Renderer } from './types';

/** The renderer over a templates folder on disk (TEMPLATES_DIR): Node's sending, previews and simulate. */
export function createRenderer(options: { templatesDir: string }): Renderer {
  return createTreeRenderer({ templatesDir: options.templatesDir, tree: fileTree });
}
