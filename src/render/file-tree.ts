import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { TemplateTree } from './template-files';

/** The templates folder on disk (Node: sending, previews, validation, simulate). */
export const fileTree: TemplateTree = {
  exists: (path) => existsSync(path),
  read: (path) => readFileSync(path, 'utf8'),
  files: (dir) =>
    existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => e.name)
      : [],
};
