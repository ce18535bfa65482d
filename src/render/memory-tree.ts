import { basename, dirname, join } from 'node:path';
import type { TemplateTree } from './template-files';

/** A TemplateTree over files held in memory (`files`: path relative to `root` → content), e.g. what apply stored. */
export function memoryTree(root: string, files: ReadonlyMap<string, string>): TemplateTree {
  const byPath = new Map([...files].map(([path, content]) => [join(root, path), content]));
  const dirs = new Map<string, string[]>();
  for (const path of byPath.keys()) dirs.set(dirname(path), [...(dirs.get(dirname(path)) ?? []), basename(path)]);
  return {
    exists: (path) => byPath.has(join(path)),
    read: (path) => {
      const content = byPath.get(join(path));
      if (content === undefined) throw new Error(`${path}: no such template file was applied`);
      return content;
    },
    files: (dir) => dirs.get(join(dir)) ?? [],
  };
}
