import * as fs from 'fs';
import * as path from 'path';
import { OutputFile } from './render';

/**
 * Replaces the folder `dir` with exactly `files`, all or nothing: the new tree is built
 * beside it and swapped in by rename, so an interrupted or failed run leaves `dir` as it was.
 */
export function replaceTree(dir: string, files: readonly OutputFile[]): void {
  const parent = path.dirname(path.resolve(dir));
  const base = path.basename(path.resolve(dir));
  const next = path.join(parent, `.${base}-new-${process.pid}`);
  const old = path.join(parent, `.${base}-old-${process.pid}`);
  fs.rmSync(next, { recursive: true, force: true });
  fs.mkdirSync(next, { recursive: true });
  const made = new Set<string>();
  for (const file of files) {
    const target = path.join(next, file.path);
    const folder = path.dirname(target);
    if (!made.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    fs.writeFileSync(target, file.content);
  }
  const existed = fs.existsSync(dir);
  if (existed) fs.renameSync(dir, old);
  fs.renameSync(next, dir);
  if (existed) fs.rmSync(old, { recursive: true, force: true });
}
