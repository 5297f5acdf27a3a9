import * as fs from 'fs';
import * as path from 'path';
import { OutputFile } from './render';

/**
 * Replaces the folder `dir` with exactly `files`, all or nothing: the new tree is built
 * beside it and swapped in by rename, so an interrupted or failed run leaves `dir` as it was.
 *
 * Folders and files are created concurrently: on a 1000-workspace platform, creating
 * them one after the other was a third of synth's time.
 */
export async function replaceTree(dir: string, files: readonly OutputFile[]): Promise<void> {
  const parent = path.dirname(path.resolve(dir));
  const base = path.basename(path.resolve(dir));
  const next = path.join(parent, `.${base}-new-${process.pid}`);
  const old = path.join(parent, `.${base}-old-${process.pid}`);
  await fs.promises.rm(next, { recursive: true, force: true });
  try {
    const folders = [...new Set(files.map((f) => path.dirname(path.join(next, f.path))))];
    await fs.promises.mkdir(next, { recursive: true });
    await Promise.all(folders.map((f) => fs.promises.mkdir(f, { recursive: true })));
    await Promise.all(files.map((f) => fs.promises.writeFile(path.join(next, f.path), f.content)));
  } catch (e) {
    await fs.promises.rm(next, { recursive: true, force: true });
    throw e;
  }
  const existed = fs.existsSync(dir);
  if (existed) fs.renameSync(dir, old);
  fs.renameSync(next, dir);
  if (existed) await fs.promises.rm(old, { recursive: true, force: true });
}
