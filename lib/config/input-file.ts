import * as fs from 'fs';
import * as path from 'path';
import { InputProblem } from './problems';

/**
 * How every input file is found and read, one rule for all of them (platform.yaml,
 * workspace files, training configs), so that what synth makes of a repository is the
 * same on every machine and in every clone Argo CD makes of it.
 */

/** Largest input file read: larger ones are refused before they are read (a workspace file is a few hundred bytes). */
export const MAX_INPUT_BYTES = 1024 * 1024;

/** Where inputs are read from, and how their paths are shown. */
export interface InputContext {
  /** Folder paths are shown relative to (the working directory). */
  readonly cwd: string;
  /**
   * The repository: symbolic links among the inputs may point anywhere inside it, and
   * nowhere else. Git stores a link as a path, so a link out of the repository reads
   * differently in every clone (Argo CD's repo server refuses one).
   */
  readonly root: string;
}

/** A path as shown to the user: relative to the working directory when inside it, with `/`. */
export function displayPath(ctx: InputContext, file: string): string {
  const folder = file.endsWith('/') ? '/' : '';
  const rel = path.relative(ctx.cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `${rel.split(path.sep).join('/')}${folder}` : file;
}

/** A problem about a whole file or folder (at its first line). */
export function fileProblem(ctx: InputContext, file: string, message: string): InputProblem {
  return { file: displayPath(ctx, file), line: 1, column: 1, message };
}

/**
 * Text as read on every OS: no byte-order mark, `\n` line ends. Git on Windows may check
 * files out with CRLF; a training config's text is copied into a ConfigMap, and must not
 * change with the machine that ran synth.
 */
export function normalizeText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/**
 * Where a path really leads, or why it leads nowhere acceptable; with what it is, when
 * the path is no link (its `lstat` is then its `stat`).
 */
export type Resolved = { readonly real: string; readonly stat?: fs.Stats } | { readonly problem: string };

/**
 * Follows a symbolic link under the repository's rule: a link must lead to something
 * that exists, inside the repository. A path that is no link resolves to itself.
 */
export function resolveLink(ctx: InputContext, file: string): Resolved {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return { problem: 'not found' };
  }
  if (!stat.isSymbolicLink()) return { real: file, stat };
  const target = fs.readlinkSync(file);
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return { problem: `is a symbolic link to '${target}', which does not exist; fix the link or remove it` };
  }
  const root = fs.realpathSync(ctx.root);
  const rel = path.relative(root, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    return { problem: `is a symbolic link to '${target}', outside the repository; other clones (and Argo CD) would not see that file: copy it into the repository instead` };
  }
  return { real };
}

/** An input file read under the rules, or the problem that stopped it. */
export type ReadResult = { readonly text: string; readonly shown: string } | { readonly problem: InputProblem };

/**
 * Reads one input file: links followed under {@link resolveLink}, at most
 * {@link MAX_INPUT_BYTES} (checked before reading), text normalized. A missing file
 * whose `.yaml`/`.yml` twin exists says so.
 */
export function readInputFile(ctx: InputContext, file: string): ReadResult {
  const problem = (message: string): ReadResult => ({ problem: fileProblem(ctx, file, message) });
  const resolved = resolveLink(ctx, file);
  if ('problem' in resolved) {
    if (resolved.problem !== 'not found') return problem(resolved.problem);
    const twin = file.endsWith('.yaml') ? file.replace(/\.yaml$/, '.yml') : file.endsWith('.yml') ? file.replace(/\.yml$/, '.yaml') : undefined;
    return problem(twin && fs.existsSync(twin)
      ? `file not found, but ${path.basename(twin)} is there: rename it to ${path.basename(file)}`
      : 'file not found');
  }
  let stat: fs.Stats;
  try {
    stat = resolved.stat ?? fs.statSync(resolved.real);
  } catch (e) {
    return problem(`cannot read file (${(e as Error).message})`);
  }
  if (stat.isDirectory()) return problem('is a folder, not a file');
  if (stat.size > MAX_INPUT_BYTES) {
    return problem(`is ${(stat.size / 2 ** 20).toFixed(1)} MiB; an input file may be at most ${MAX_INPUT_BYTES / 2 ** 20} MiB (is it the right file?)`);
  }
  try {
    return { text: normalizeText(fs.readFileSync(resolved.real, 'utf8')), shown: displayPath(ctx, file) };
  } catch (e) {
    return problem(`cannot read file (${(e as Error).message})`);
  }
}
