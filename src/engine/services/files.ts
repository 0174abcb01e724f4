/** FileService confined to one output directory: relative paths only, no escaping it via ".." or symlinked parents. */
import { mkdir, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, relative, resolve, dirname } from 'node:path';
import type { FileService } from '../../shared/services';
import { NodeError } from '../../shared/services';

const MAX_OPEN_FILES = 16;

export function createFileService(outputDir: string): FileService & { close(): Promise<void> } {
  const root = resolve(outputDir);
  // Directories already created and checked: a sink appends many lines to the same few files,
  // and three extra syscalls per line were a third of a benchmark run's time.
  const verified = new Set<string>();
  // Append handles stay open (O_APPEND: concurrent appends never interleave within a line); opening
  // and closing the file for every line cost more than the write. Each append checks the path still
  // names the same file, so a file the user deleted or rotated is recreated, not written into the void.
  const handles = new Map<string, Promise<{ fh: FileHandle; ino: number }>>();
  const openHandle = async (target: string) => {
    const fh = await open(target, 'a');
    return { fh, ino: (await fh.stat()).ino };
  };
  const forget = (target: string) => {
    const h = handles.get(target);
    handles.delete(target);
    void h?.then(({ fh }) => fh.close()).catch(() => {});
  };
  const handleFor = async (target: string): Promise<FileHandle> => {
    const cached = handles.get(target);
    if (cached) {
      const [h, current] = await Promise.all([cached, stat(target).catch(() => null)]);
      if (current?.ino === h.ino) return h.fh;
      forget(target);
    }
    if (handles.size >= MAX_OPEN_FILES) forget(handles.keys().next().value!);
    const opening = openHandle(target);
    handles.set(target, opening);
    opening.catch(() => handles.delete(target));
    return (await opening).fh;
  };
  return {
    async close() {
      const all = [...handles.values()];
      handles.clear();
      await Promise.allSettled(all.map(async (h) => (await h).fh.close()));
    },
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
      const handle = await handleFor(target);
      await handle.write(lines.map((l) => `${l}\n`).join(''));
      return target;
    },
  };
}
