import type { Database } from '../storage/db';
import { currentTemplateFiles, templateFilesStamp } from '../storage/template-files';
import { memoryTree } from './memory-tree';
import { createTreeRenderer } from './renderer';
import type { Renderer, TemplateSource } from './types';

/** What the paths in render errors start with for stored templates: `templates/welcome/subject.hbs is missing`. */
export const STORED_TEMPLATES_ROOT = 'templates';

/** The renderer built from one stamp of template_files; keep one per process (or Worker isolate) and share it between sources. */
export interface StoredTemplatesCache {
  entry?: { stamp: number; renderer: Renderer };
}

/**
 * The templates `apply` stored (src/storage/template-files.ts), as a renderer. Each `current()`
 * costs one `max(id)` query; only when it moved (a later apply stored a template version) are the
 * files read again — one statement — and compiled afresh (lazily, per template, as ./renderer.ts
 * does), so a running server sends the applied text without a restart. Before any template was
 * ever applied it answers `fallback`: on Node the templates folder, on Workers a renderer that
 * says to run apply.
 */
export function storedTemplates(
  database: Database,
  options: { fallback: Renderer; cache?: StoredTemplatesCache; engine?: 'compile' | 'interpret' },
): TemplateSource {
  const cache = options.cache ?? {};
  return {
    async current() {
      const stamp = await templateFilesStamp(database.db);
      if (stamp === null) return options.fallback;
      if (cache.entry?.stamp === stamp) return cache.entry.renderer;
      const loaded = await currentTemplateFiles(database.db);
      const renderer = createTreeRenderer({
        templatesDir: STORED_TEMPLATES_ROOT,
        tree: memoryTree(STORED_TEMPLATES_ROOT, loaded.files),
        ...(options.engine ? { engine: options.engine } : {}),
      });
      if (loaded.stamp !== null) cache.entry = { stamp: loaded.stamp, renderer };
      return renderer;
    },
  };
}

/** A fixed renderer as a source: tests, simulate, and callers that already hold one. */
export const fixedTemplates = (renderer: Renderer): TemplateSource => ({ current: async () => renderer });

/** The renderer now, whether `r` is a renderer or a source of them. */
export const rendererNow = async (r: Renderer | TemplateSource): Promise<Renderer> => ('current' in r ? r.current() : r);
