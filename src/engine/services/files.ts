/** FileService confined to one output directory: relative paths only, no escaping it via ".." or symlinked parents. */
import { appendFile, mkdir, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, dirname } from 'node:path';
import type { FileService } from '../../shared/services';
import { NodeError } from '../../shared/services';

export function createFileService(outputDir: string): FileService {
  const root = resolve(outputDir);
  // Directories already created and checked: a sink appends many lines to the same few files,
  // and three extra syscalls per line were a third of a benchmark run's time.
  const verified = new Set<string>();
  return {
    async appendLines(relativePath, lines) {
      if (relativePath.trim() === '' || isAbsolute(relativePath)) {
        throw new NodeError(`"${relativePath}" must be a path relative to the output folder`, { field: 'path' });
      }
      const target = resolve(root, relativePath);
      const rel = relative(root, target);
      if (rel.startsWith('..') || isAbsolute(rel)) throw new NodeError(`"${relativePath}" points outside the output folder`, { field: 'path' });
      const parent = dirname(target);
      if (!verified.has(parent)) {
        await mkdir(parent, { recursive: true });
        const realRoot = await realpath(root);
        const realParent = await realpath(parent);
        if (relative(realRoot, realParent).startsWith('..')) {
          throw new NodeError(`"${relativePath}" points outside the output folder`, { field: 'path' });
        }
        verified.add(parent);
      }
      await appendFile(target, lines.map((l) => `${l}\n`).join(''), 'utf8');
      return target;
    },
  };
}
