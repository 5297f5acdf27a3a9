import * as fs from 'fs';
import * as path from 'path';
import { contentOf, digestBytes, digestOf, TreeFile } from './render';

/** A folder synth owns, and the files it must hold. */
export interface OutputTree {
  readonly dir: string;
  readonly files: readonly TreeFile[];
}

/** The output could not be written; nothing was changed. */
export class OutputError extends Error {}

/**
 * What identifies a file's content without reading it: its inode, size, and the times
 * its content (mtime) and its inode (ctime) last changed. Writing a file, replacing it,
 * or linking to it changes its ctime, which no program can set back; so a file with the
 * stamp it had is the file it was. A copy of the tree (a fresh clone) has other stamps.
 */
export function stampOf(stat: fs.Stats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

/** The stamps of the files of the trees as a run left them, by absolute path. */
export type Stamps = ReadonlyMap<string, string>;

/** What changing one folder takes, prepared before anything visible changes. */
interface Plan {
  readonly dir: string;
  /** A whole new tree, staged beside the folder, to rename into place. */
  readonly staged?: string;
  /** Files written beside their target (`<file>.synth-<pid>`), to rename over it. */
  readonly renames: [string, string][];
  /** Files of the folder that synth no longer makes. */
  readonly stale: string[];
  /** Folders created for new files (removed again if the run fails). */
  readonly created: string[];
  /** Stamps of the files kept as they were (not written, nor linked to by another file). */
  readonly kept: Map<string, string>;
  /** Files whose stamp is read once the run is done: those written, and those linked to another file. */
  readonly restamp: string[];
}

/**
 * Makes each folder hold exactly its files, all or nothing, writing only what changed.
 *
 * First, nothing visible changes: a folder that does not exist is built beside its place;
 * in one that does, each file whose bytes differ is written beside its target, and each
 * file synth no longer makes is noted. Only when every tree is prepared are the new files
 * renamed into place and the stale ones removed, so a failed run leaves the folders as
 * they were. An unchanged file is never rewritten: on a platform of a thousand
 * workspaces, writing every file again (and deleting the old tree) was most of the time
 * of a synth that changed one.
 *
 * `listed`: the folders as `listFolders` found them earlier in the run (listed now when
 * absent). Returns the stamp of every file of the trees as the run leaves them.
 */
export async function replaceTrees(trees: readonly OutputTree[], listed: ReadonlyMap<string, TreeListing> = new Map()): Promise<Stamps> {
  const plans: Plan[] = [];
  const written = new Map<string, string>();
  let current = '';
  try {
    for (const tree of trees) {
      current = path.resolve(tree.dir);
      prepare(current, tree.files, plans, written, listed.has(current) ? listed.get(current) : listFolder(current));
    }
  } catch (e) {
    for (const plan of plans) undo(plan);
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? `its parent folder ${path.dirname(current)} does not exist`
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? `no permission to write in ${path.dirname(current)}`
        : (e as Error).message;
    throw new OutputError(`cannot write ${current}: ${reason}`);
  }
  for (const plan of plans) commit(plan);
  return stampsOf(plans);
}

/** The stamp of every file of the trees, as the run left them. */
function stampsOf(plans: readonly Plan[]): Stamps {
  const stamps = new Map<string, string>();
  for (const plan of plans) {
    for (const [file, stamp] of plan.kept) stamps.set(file, stamp);
    for (const file of plan.restamp) {
      try {
        stamps.set(file, stampOf(fs.statSync(file)));
      } catch {
        // Gone already (removed by another program): no stamp, so it is read next time.
      }
    }
  }
  return stamps;
}

const SUFFIX = `.synth-${process.pid}`;

/**
 * What output folders hold before they are written, listed ahead (while other threads
 * still render) so that the writing, which this thread does alone, need not. A file
 * changed after the listing is found by the next run (its stamp has changed).
 */
export function listFolders(dirs: readonly string[]): Map<string, TreeListing> {
  return new Map(dirs.map((d) => [path.resolve(d), listFolder(path.resolve(d))]));
}

/** What a folder holds (undefined when there is no such folder). */
function listFolder(dir: string): TreeListing {
  return fs.existsSync(dir) ? listTree(dir) : undefined;
}

/** Prepares one folder's change, its plan in `plans` from the start (so a failure undoes what it did). */
function prepare(dir: string, files: readonly TreeFile[], plans: Plan[], written: Map<string, string>, existing: TreeListing): void {
  const parent = path.dirname(dir);
  // The parent must exist (a recursive mkdir under a path like /proc never returns).
  fs.statSync(parent);
  if (!existing || conflicts(existing, files)) {
    const staged = path.join(parent, `.${path.basename(dir)}-new-${process.pid}`);
    fs.rmSync(staged, { recursive: true, force: true });
    plans.push({ dir, staged, renames: [], stale: [], created: [], kept: new Map(), restamp: files.map((f) => path.join(dir, f.path)) });
    fs.mkdirSync(staged);
    for (const folder of new Set(files.map((f) => path.dirname(path.join(staged, f.path))))) fs.mkdirSync(folder, { recursive: true });
    for (const f of files) writeOnce(path.join(staged, f.path), contentOf(f), written);
    return;
  }
  const plan: Plan = { dir, renames: [], stale: [], created: [], kept: new Map(), restamp: [] };
  plans.push(plan);
  const wanted = new Set(files.map((f) => f.path));
  plan.stale.push(...[...existing.files.keys()].filter((f) => !wanted.has(f)).map((f) => path.join(dir, f)));
  for (const f of files) {
    const target = path.join(dir, f.path);
    const found = existing.files.get(f.path);
    const size = found?.size;
    const keep = () => {
      // A file with other names (a hard link) changes its stamp when one of them goes.
      if (found!.links > 1) plan.restamp.push(target);
      else plan.kept.set(target, found!.stamp);
    };
    let text: string;
    if ('content' in f) {
      text = f.content;
      if (size === Buffer.byteLength(text) && fs.readFileSync(target).equals(Buffer.from(text))) {
        keep();
        continue;
      }
    } else if ('keptBytes' in f) {
      // Compared with the tree when rendered: kept while the tree still has it.
      if (size === f.keptBytes) {
        keep();
        continue;
      }
      text = f.make();
    } else {
      // Known by its digest: kept when it is the very file the cache saw (same stamp), or
      // when the tree holds exactly those bytes; made otherwise.
      if (found && found.size >= 0 && ((f.stamp !== undefined && found.stamp === f.stamp) || (size === digestBytes(f.digest) && digestOf(fs.readFileSync(target)) === f.digest))) {
        keep();
        continue;
      }
      text = f.make();
    }
    plan.restamp.push(target);
    const folder = path.dirname(target);
    if (!existing.dirs.has(path.relative(dir, folder)) && !plan.created.includes(folder)) {
      const first = fs.mkdirSync(folder, { recursive: true });
      if (first) plan.created.push(first);
      existing.dirs.add(path.relative(dir, folder));
      for (let d = path.relative(dir, folder); d !== '.' && d !== ''; d = path.dirname(d)) existing.dirs.add(d);
    }
    const temp = target + SUFFIX;
    plan.renames.push([temp, target]);
    writeOnce(temp, text, written);
  }
}

/**
 * Writes a file, or links it to one this run already wrote with the same text: a chart's
 * templates are most often their dist/ files' very text, and writing it twice was half
 * of what a first synth writes. Where links cannot be made (another file system), writes.
 */
function writeOnce(file: string, content: string, written: Map<string, string>): void {
  const twin = written.get(content);
  if (twin !== undefined) {
    try {
      fs.linkSync(twin, file);
      return;
    } catch {
      // Not linkable here: written instead.
    }
  }
  fs.writeFileSync(file, content);
  if (content.length >= LINK_FROM_BYTES) written.set(content, file);
}

/** Texts shorter than this are written, not linked: a link saves nothing on them. */
const LINK_FROM_BYTES = 4096;

/** A file found in a tree: its size (-1 for what is not a regular file), stamp and number of names. */
interface Found {
  readonly size: number;
  readonly stamp: string;
  readonly links: number;
}

/** What a tree holds: its files and folders, relative to it. */
interface Listing {
  readonly files: Map<string, Found>;
  readonly dirs: Set<string>;
}

/** A folder's listing, or undefined when it does not exist. */
export type TreeListing = Listing | undefined;

/** Files (with their sizes and stamps) and folders of a tree, relative to it. */
function listTree(dir: string): Listing {
  const files = new Map<string, Found>();
  const dirs = new Set<string>(['']);
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        dirs.add(p);
        walk(p);
      } else if (e.isFile()) {
        const stat = fs.statSync(path.join(dir, p));
        files.set(p, { size: stat.size, stamp: stampOf(stat), links: stat.nlink });
      } else {
        files.set(p, { size: -1, stamp: '', links: 1 });
      }
    }
  };
  walk('');
  return { files, dirs };
}

/** Whether a new file would sit where a folder is, or under something that is not a folder: such a tree is rebuilt whole. */
function conflicts(existing: Listing, files: readonly TreeFile[]): boolean {
  // Each folder is looked at once: files share their folders (thousands of files, a few folders each).
  const seen = new Set<string>();
  for (const f of files) {
    if (existing.dirs.has(f.path)) return true;
    // Up to a folder seen already, whose own folders were seen with it.
    for (let d = path.posix.dirname(f.path); d !== '.' && !seen.has(d); d = path.posix.dirname(d)) {
      if (existing.files.has(d)) return true;
      seen.add(d);
    }
  }
  return false;
}

function commit(plan: Plan): void {
  if (plan.staged) {
    const old = path.join(path.dirname(plan.dir), `.${path.basename(plan.dir)}-old-${process.pid}`);
    const existed = fs.existsSync(plan.dir);
    if (existed) fs.renameSync(plan.dir, old);
    fs.renameSync(plan.staged, plan.dir);
    if (existed) fs.rmSync(old, { recursive: true, force: true });
    return;
  }
  for (const [temp, target] of plan.renames) fs.renameSync(temp, target);
  for (const file of plan.stale) fs.rmSync(file, { force: true });
  // Folders left empty go too, as they would with the tree replaced whole.
  const folders = [...new Set(plan.stale.map((f) => path.dirname(f)))].sort((a, b) => b.length - a.length);
  for (const start of folders) {
    for (let d = start; d.startsWith(plan.dir + path.sep); d = path.dirname(d)) {
      if (!fs.existsSync(d) || fs.readdirSync(d).length > 0) break;
      fs.rmdirSync(d);
    }
  }
}

/** Removes what a failed preparation wrote; best effort, as the first failure is the one to report. */
function undo(plan: Plan): void {
  const remove = (p: string) => {
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // Nothing there to remove (the write that failed made nothing).
    }
  };
  if (plan.staged) remove(plan.staged);
  for (const [temp] of plan.renames) remove(temp);
  for (const folder of plan.created) remove(folder);
}
