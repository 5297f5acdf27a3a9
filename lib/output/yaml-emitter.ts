/**
 * A small, fast YAML writer for Kubernetes manifests (plain data: mappings, lists,
 * strings, numbers, booleans, null), in the block style people write by hand.
 *
 * The `yaml` package builds a full document model for every object; for thousands of
 * objects that was most of synth's time. This writer goes straight to text. It is
 * conservative: a string is written plain only where YAML 1.1 (Helm, kubectl, go-yaml)
 * and YAML 1.2 both read it back as the same string; anything else is double-quoted
 * (JSON string syntax, which YAML accepts). Multi-line strings become literal blocks.
 * Tests read every generated object back with the `yaml` parser under both versions.
 */

/** Words that YAML 1.1 or 1.2 reads as booleans or null when plain. */
const RESERVED = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null', '~']);

/** Plain text: starts with a letter, '/', or a dash before a letter; no YAML indicators inside. */
const PLAIN = /^(?:[A-Za-z/]|--?[A-Za-z])(?:[A-Za-z0-9_./:@$()=+,-]| (?![ #]))*$/;

/** An exponent alone (`e9`): some YAML 1.1 readers take it for a float. */
const BARE_EXPONENT = /^[eE][-+]?[0-9_]+$/;

/** A Kubernetes quantity or a duration with a unit, like `500m`, `16Gi` or `1h`: a string in both YAML versions. */
const QUANTITY = /^[0-9]+(?:\.[0-9]+)?(?:m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E|s|h)$/;

/** Characters that a literal block cannot hold as they are. */
const NOT_LITERAL = /[\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff\r]/;

/**
 * How each string was written, with its line end: manifests repeat the same keys and
 * values thousands of times, and deciding is the emitter's main cost. Emptied when it
 * grows past a bound.
 */
const lines = new Map<string, string>();
const WRITTEN_LIMIT = 200_000;

/** A string as a scalar, with its line end. */
function scalarLine(s: string): string {
  let text = lines.get(s);
  if (text === undefined) {
    if (lines.size >= WRITTEN_LIMIT) lines.clear();
    lines.set(s, text = `${decideScalar(s)}\n`);
  }
  return text;
}

/**
 * What starts a key's line, by depth: its indentation (or, for the first key of a list
 * item, the item's dash), the key and its colon; `keyStart(…)[0]` is followed by a value
 * on the line, `[1]` by a collection below it. Each line is thus two strings appended
 * rather than five.
 */
const keyStarts: Map<string, readonly [string, string]>[] = [];
const itemKeyStarts: Map<string, readonly [string, string]>[] = [];

function keyStart(key: string, depth: number, item: boolean): readonly [string, string] {
  const byDepth = item ? itemKeyStarts : keyStarts;
  let memo = byDepth[depth];
  if (!memo) memo = byDepth[depth] = new Map();
  let start = memo.get(key);
  if (start === undefined) {
    if (memo.size >= WRITTEN_LIMIT) memo.clear();
    const head = `${item ? dashOf(depth - 1) : indentOf(depth)}${decideScalar(key)}:`;
    memo.set(key, start = [`${head} `, `${head}\n`]);
  }
  return start;
}

function decideScalar(s: string): string {
  const plain = (PLAIN.test(s) && !s.endsWith(':') && !s.endsWith(' ') && !s.includes(': ') && !RESERVED.has(s.toLowerCase()) && !BARE_EXPONENT.test(s))
    || QUANTITY.test(s);
  return plain ? s : JSON.stringify(s);
}

/**
 * Literal blocks made, by indentation then text: the scripts and configs that manifests
 * hold are most often the same from one workspace to the next, and a block is long to
 * make. Emptied when the texts it holds pass a bound (a text of one workspace alone would
 * otherwise stay for the run).
 */
const blocks = new Map<string, Map<string, string | undefined>>();
let blockChars = 0;
const BLOCK_CHARS_LIMIT = 1_000_000;

function literalBlock(s: string, indent: string): string | undefined {
  let made = blocks.get(indent);
  if (!made) blocks.set(indent, made = new Map());
  if (made.has(s)) return made.get(s);
  if (blockChars >= BLOCK_CHARS_LIMIT) {
    blocks.clear();
    blocks.set(indent, made = new Map());
    blockChars = 0;
  }
  const block = makeLiteralBlock(s, indent);
  made.set(s, block);
  blockChars += s.length + (block?.length ?? 0);
  return block;
}

function makeLiteralBlock(s: string, indent: string): string | undefined {
  // A block's indentation is read off its first non-empty line, which must not start with blanks.
  if (NOT_LITERAL.test(s) || /^\n*[ \t]/.test(s) || s.trim() === '') return undefined;
  // Counted from the end (a regular expression anchored at the end tries every position).
  let trailing = 0;
  while (trailing < s.length && s.charCodeAt(s.length - 1 - trailing) === 10) trailing++;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const body = trailing === 0 ? s : s.slice(0, s.length - trailing);
  // Each line with text indented; empty lines left empty.
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i] !== '') lines[i] = indent + lines[i];
  const extra = trailing > 1 ? '\n'.repeat(trailing - 1) : '';
  return `|${chomp}\n${lines.join('\n')}\n${extra}`;
}

/** Writes a scalar as it follows `key: ` or `- `, with its line end. */
function scalar(value: unknown, indent: string): void {
  if (typeof value === 'string') {
    if (value.includes('\n')) {
      const block = literalBlock(value, indent);
      if (block) {
        out += block;
        return;
      }
    }
    out += scalarLine(value);
    return;
  }
  if (value === null || value === undefined) {
    out += 'null\n';
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} to YAML`);
    out += `${value}\n`;
    return;
  }
  if (typeof value === 'boolean') {
    out += value ? 'true\n' : 'false\n';
    return;
  }
  throw new Error(`cannot write a ${typeof value} to YAML`);
}

function isCollection(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

function isEmpty(v: object): boolean {
  if (Array.isArray(v)) return v.length === 0;
  for (const _ in v) return false; // eslint-disable-line @typescript-eslint/no-unused-vars
  return true;
}

/** The text written so far (one string grown in place: cheaper than parts joined at the end). */
let out = '';

/** Indentation by depth, made once. */
const INDENTS: string[] = [''];
function indentOf(depth: number): string {
  while (INDENTS.length <= depth) INDENTS.push(`${INDENTS[INDENTS.length - 1]}  `);
  return INDENTS[depth];
}

/** A list item's dash by depth, with its indentation, made once. */
const DASHES: string[] = [];
function dashOf(depth: number): string {
  return DASHES[depth] ??= `${indentOf(depth)}- `;
}

function mapping(obj: Record<string, unknown>, depth: number, item = false): void {
  let first = item;
  for (const key in obj) {
    const value = obj[key];
    if (value === undefined) continue;
    const start = keyStart(key, depth, first);
    first = false;
    if (isCollection(value)) {
      if (Array.isArray(value)) {
        if (value.length === 0) {
          out += start[0];
          out += '[]\n';
        } else {
          out += start[1];
          sequence(value, depth + 1);
        }
      } else if (isEmpty(value)) {
        out += start[0];
        out += '{}\n';
      } else {
        out += start[1];
        mapping(value as Record<string, unknown>, depth + 1);
      }
    } else {
      out += start[0];
      scalar(value, indentOf(depth + 1));
    }
  }
}

function sequence(items: readonly unknown[], depth: number): void {
  const dash = dashOf(depth);
  for (const item of items) {
    if (isCollection(item) && !isEmpty(item)) {
      if (Array.isArray(item)) {
        out += indentOf(depth);
        out += '-\n';
        sequence(item, depth + 1);
      } else {
        mapping(item as Record<string, unknown>, depth + 1, true);
      }
    } else if (isCollection(item)) {
      out += dash;
      out += Array.isArray(item) ? '[]\n' : '{}\n';
    } else {
      out += dash;
      scalar(item, indentOf(depth + 1));
    }
  }
}

/**
 * Writes documents one after the other, each after `---` and a comment line of its own
 * (`title`), below a header: one string built in place.
 */
export function toYamlDocuments(header: string, docs: readonly Record<string, unknown>[], title: (doc: Record<string, unknown>) => string): string {
  out = header;
  try {
    for (const doc of docs) {
      out += `---\n# ${title(doc)}\n`;
      const before = out.length;
      mapping(doc, 0);
      if (out.length === before) out += '{}\n';
    }
    return out;
  } finally {
    out = '';
  }
}

/** Writes one document: a mapping at the top level. */
export function toYaml(doc: Record<string, unknown>): string {
  out = '';
  try {
    mapping(doc, 0);
    return out === '' ? '{}\n' : out;
  } finally {
    out = '';
  }
}
