/**
 * Problems found in the inputs, and how they are printed.
 *
 * Every problem names the file, line and column, the field, what was found and what is
 * allowed, on one line, so that an editor or CI log can jump to it:
 * `workspaces/team-a.yaml:12:7 'inference.models[0].gpus' must be a whole number of GPUs from 1 to 16, got -1`
 */

/** One thing wrong with one input file. */
export interface InputProblem {
  /** File path as shown to the user (relative to the working directory). */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** The sentence after the position, starting with the quoted field when there is one. */
  readonly message: string;
}

/** Formats a problem as `file:line:column message`. */
export function formatProblem(p: InputProblem): string {
  return `${p.file}:${p.line}:${p.column} ${p.message}`;
}

/** Orders problems by file, then position, so the output reads top to bottom. */
export function sortProblems(problems: readonly InputProblem[]): InputProblem[] {
  return [...problems].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || a.message.localeCompare(b.message));
}

/**
 * Thrown when any input is invalid. Carries every problem of every file; synth prints
 * them, one a line, and writes nothing.
 */
export class InputError extends Error {
  public readonly problems: readonly InputProblem[];

  constructor(problems: readonly InputProblem[]) {
    const sorted = sortProblems(problems);
    super(sorted.map(formatProblem).join('\n'));
    this.name = 'InputError';
    this.problems = sorted;
  }
}

/** Shows a found value the way the user wrote it: strings quoted, structures named. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    return `'${shown.replace(/\n/g, '\\n')}'${value.length > 20 ? ` (${value.length} characters)` : ''}`;
  }
  return String(value);
}

/** The candidates ordered by edit distance to `word`, nearest first (ties in their given order). */
export function nearestFirst(word: string, candidates: readonly string[]): string[] {
  const w = word.toLowerCase();
  return candidates.map((c, i) => ({ c, i, d: editDistance(w, c.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.i - b.i).map((x) => x.c);
}

/** The closest candidate to `word` by edit distance, if it is close enough to be a typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const [best] = nearestFirst(word, candidates);
  return best !== undefined && editDistance(word.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
