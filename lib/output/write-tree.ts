import * as fs from 'fs';
import * as path from 'path';
import { OutputFile } from './render';

/** A folder synth owns, and the files it must hold. */
export interface OutputTree {
  readonly dir: string;
  readonly files: readonly OutputFile[];
}

/** The output could not be written; nothing was changed. */
export class OutputError extends Error {}

/**
 * Replaces each folder with exactly its files, all or nothing: every new tree is built
 * beside its folder first, and only when all are complete are they swapped in by rename,
 * so a failed or interrupted run leaves the folders as they were.
 *
 * Files are written concurrently: on a 1000-workspace platform, writing them one after
 * the other was a large part of synth's time.
 */
export async function replaceTrees(trees: readonly OutputTree[]): Promise<void> {
  const staged: { dir: string; next: string; old: string }[] = [];
  try {
    for (const tree of trees) {
      const dir = path.resolve(tree.dir);
      const parent = path.dirname(dir);
      const base = path.basename(dir);
      const next = path.join(parent, `.${base}-new-${process.pid}`);
      staged.push({ dir, next, old: path.join(parent, `.${base}-old-${process.pid}`) });
      await stage(tree, next);
    }
  } catch (e) {
    await Promise.all(staged.map((s) => fs.promises.rm(s.next, { recursive: true, force: true })));
    const failed = staged[staged.length - 1].dir;
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? `its parent folder ${path.dirname(failed)} does not exist`
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? `no permission to write in ${path.dirname(failed)}`
        : (e as Error).message;
    throw new OutputError(`cannot write ${failed}: ${reason}`);
  }
  for (const s of staged) {
    const existed = fs.existsSync(s.dir);
    if (existed) fs.renameSync(s.dir, s.old);
    fs.renameSync(s.next, s.dir);
  }
  await Promise.all(staged.map((s) => fs.promises.rm(s.old, { recursive: true, force: true })));
}

async function stage(tree: OutputTree, next: string): Promise<void> {
  await fs.promises.rm(next, { recursive: true, force: true });
  // Not recursive: the folder's parent must already exist. (A recursive mkdir under
  // a path like /proc never returns.)
  await fs.promises.mkdir(next);
  const folders = [...new Set(tree.files.map((f) => path.dirname(path.join(next, f.path))))].filter((f) => f !== next);
  await Promise.all(folders.map((f) => fs.promises.mkdir(f, { recursive: true })));
  await Promise.all(tree.files.map((f) => fs.promises.writeFile(path.join(next, f.path), f.content)));
}
