import * as fs from 'fs';
import * as path from 'path';
import type { RenderedWorkspace } from '../helm/chart-files';
import { digestOf, KeptFile, OutputFile, TreeFile } from './render';

/** Files rendered for one output folder; `dir` to compare them with what it holds. */
export interface FileGroup {
  readonly dir?: string;
  readonly files: readonly OutputFile[];
}

/** What is known of rendered files: the digest of each (when asked) and whether its folder holds it already. */
export interface FileFacts {
  /** `digestOf` each file, in order (none when not asked). */
  readonly digests: string[];
  /** Each file's length when its folder held exactly its bytes, else -1; in order (none when not compared). */
  readonly keptBytes: number[];
}

/**
 * Encodes each text, hashes it (`digests`) and compares it with the file it replaces.
 * Done by the thread that rendered the files, as soon as it did: a file the tree holds
 * already need not travel between threads nor wait in memory to be written, and on a
 * platform of a thousand workspaces almost every file of a run is such a file. Texts and
 * files are read into two buffers kept for the thread's life: allocating one per file
 * cost more than reading it.
 */
export function examineFiles(groups: readonly FileGroup[], digests: boolean): FileFacts {
  const facts: FileFacts = { digests: [], keptBytes: [] };
  const compared = groups.some((g) => g.dir !== undefined);
  // A chart's templates are most often their dist/ files' very text (the same string),
  // and synth writes them as links to one file: such a text is encoded and hashed once,
  // and a file that is the very file (same inode) found to hold it is not read again.
  const seen = new Map<string, { digest?: string; bytes: number; holder?: FileId }>();
  for (const group of groups) {
    for (const f of group.files) {
      const twin = seen.get(f.content);
      if (twin) {
        if (digests) facts.digests.push(twin.digest!);
        if (compared) {
          const at = group.dir !== undefined ? path.join(group.dir, f.path) : undefined;
          const kept = at !== undefined && (twin.holder !== undefined && sameFile(at, twin.holder) ? true : holds(at, encoded(f.content)));
          facts.keptBytes.push(kept ? twin.bytes : -1);
        }
        continue;
      }
      const bytes = encoded(f.content);
      const digest = digests ? digestOf(bytes) : undefined;
      if (digest !== undefined) facts.digests.push(digest);
      let holder: FileId | undefined;
      if (compared) {
        const at = group.dir !== undefined ? path.join(group.dir, f.path) : undefined;
        holder = at !== undefined ? holds(at, bytes) : undefined;
        facts.keptBytes.push(holder ? bytes.length : -1);
      }
      seen.set(f.content, { digest, bytes: bytes.length, holder });
    }
  }
  return facts;
}

/** Which file a path is, as `fstat` tells: its device and inode. */
interface FileId {
  readonly dev: number;
  readonly ino: number;
}

/** Whether a path names the very file `id` (a hard link to it): it holds what that file holds. */
function sameFile(at: string, id: FileId): boolean {
  try {
    const stat = fs.lstatSync(at);
    return stat.isFile() && stat.dev === id.dev && stat.ino === id.ino;
  } catch {
    return false;
  }
}

/** The UTF-8 text of the file being examined, and the file it replaces: grown when too small. */
let text = Buffer.allocUnsafeSlow(256 * 1024);
let file = Buffer.allocUnsafeSlow(256 * 1024);

/** A text as UTF-8, in the shared buffer (valid until the next call). */
function encoded(content: string): Buffer {
  // UTF-8 takes at most three bytes per UTF-16 unit.
  if (text.length < content.length * 3) text = Buffer.allocUnsafeSlow(content.length * 3);
  return text.subarray(0, text.write(content));
}

/** The file at `at`, when it holds exactly these bytes (none when it cannot be read: it will be written). */
function holds(at: string, bytes: Buffer): FileId | undefined {
  let fd: number;
  try {
    // Non-blocking: a FIFO where a file goes must not hang the run (it is no such file).
    fd = fs.openSync(at, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile() || stat.size !== bytes.length) return undefined;
    const size = stat.size;
    if (file.length < size) file = Buffer.allocUnsafeSlow(size);
    let read = 0;
    while (read < size) {
      const n = fs.readSync(fd, file, read, size - read, read);
      if (n === 0) return undefined;
      read += n;
    }
    return file.subarray(0, size).equals(bytes) ? { dev: stat.dev, ino: stat.ino } : undefined;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** A workspace's files as synth writes them, and what the cache keeps of them. */
export interface SettledWorkspace {
  readonly source: string;
  readonly dist: readonly TreeFile[];
  readonly chart: readonly TreeFile[];
  readonly objects: number;
  readonly problems: readonly string[];
  /** The digest of each file, dist/'s then the chart's (none when not asked). */
  readonly digests: readonly string[];
}

/**
 * A rendered workspace's files as synth writes them: those the output folders held
 * already become {@link KeptFile}s, their text let go; `make` makes one again if needed.
 */
export function settle(w: RenderedWorkspace, make: (path: string) => string): SettledWorkspace {
  const n = w.rendered.length;
  const file = (f: OutputFile, i: number): TreeFile => {
    const keptBytes = w.keptBytes[i] ?? -1;
    return keptBytes < 0 ? f : keptFile(f.path, keptBytes, make);
  };
  return { source: w.source, dist: w.rendered.map((f, i) => file(f, i)), chart: w.chart.map((f, i) => file(f, n + i)), objects: w.objects, problems: w.problems, digests: w.digests };
}

/**
 * A file the tree holds, made again by `make` if needed. Built out here, so that its
 * `make` holds nothing of the rendered workspace: a closure made inside `settle` would
 * keep every text of the workspace alive (V8 shares one context per scope), which on a
 * platform of a thousand workspaces was most of synth's memory, and its collector's time.
 */
function keptFile(at: string, keptBytes: number, make: (path: string) => string): KeptFile {
  return { path: at, keptBytes, make: () => make(at) };
}

/** Each file's text by path, of a workspace rendered again when first asked (once for all its files). */
export function remaker(render: () => RenderedWorkspace): (path: string) => string {
  let made: Map<string, string> | undefined;
  return (file) => {
    made ??= new Map((({ rendered, chart }) => [...rendered, ...chart])(render()).map((f) => [f.path, f.content]));
    const text = made.get(file);
    if (text === undefined) throw new Error(`${file} was expected, but rendering does not make it`);
    return text;
  };
}
