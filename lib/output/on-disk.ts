import * as fs from 'fs';
import * as path from 'path';
import type { RenderedWorkspace } from '../helm/chart-files';
import { digestOf, OutputFile, TreeFile } from './render';

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
 * Encodes each distinct text once, hashes it (`digests`) and compares it with the file it
 * replaces. Done by the thread that rendered the files, as soon as it did: a file the
 * tree holds already need not travel between threads nor wait in memory to be written,
 * and on a platform of a thousand workspaces almost every file of a run is such a file.
 */
export function examineFiles(groups: readonly FileGroup[], digests: boolean): FileFacts {
  const encoded = new Map<string, { bytes: Buffer; digest?: string }>();
  const facts: FileFacts = { digests: [], keptBytes: [] };
  const compared = groups.some((g) => g.dir !== undefined);
  for (const group of groups) {
    for (const f of group.files) {
      let e = encoded.get(f.content);
      if (!e) encoded.set(f.content, e = { bytes: Buffer.from(f.content) });
      if (digests) facts.digests.push(e.digest ??= digestOf(e.bytes));
      if (compared) facts.keptBytes.push(group.dir !== undefined && holds(path.join(group.dir, f.path), e.bytes) ? e.bytes.length : -1);
    }
  }
  return facts;
}

/** Whether a file holds exactly these bytes (false when it cannot be read: it will be written). */
function holds(file: string, bytes: Buffer): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      if (fs.fstatSync(fd).size !== bytes.length) return false;
      return fs.readFileSync(fd).equals(bytes);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
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
    if (keptBytes < 0) return f;
    const at = f.path;
    return { path: at, keptBytes, make: () => make(at) };
  };
  return { source: w.source, dist: w.rendered.map((f, i) => file(f, i)), chart: w.chart.map((f, i) => file(f, n + i)), objects: w.objects, problems: w.problems, digests: w.digests };
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
