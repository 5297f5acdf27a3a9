/**
 * A quick reader for the plain YAML that input files are made of: block mappings and
 * lists, one-line scalars (plain, or quoted without escapes) and one-line flow
 * collections (`[a, b]`, `{ name: x, version: 1 }`), with comments. It gives the data
 * the `yaml` package would give, and where each value and key starts, in a fraction of
 * the time: on a platform of a thousand workspaces, parsing was a second of every synth.
 *
 * It reads nothing it is not sure of. Anything else (anchors, tags, block scalars,
 * multi-line or escaped scalars, tabs, duplicate keys, several documents, a syntax
 * error) makes it return undefined, and the caller reads the file with the `yaml`
 * package, which reports problems. Tests hold it to the `yaml` package's result, data
 * and positions, on generated and real files (test/quick-yaml.test.ts).
 */

/** What a quick read gives: the data, and where each value (and each mapping key) starts. */
export interface QuickYaml {
  readonly data: unknown;
  /** Offset of each value by path (see {@link pathKey}); the empty path is the document's top value. */
  readonly values: ReadonlyMap<string, number>;
  /** Offset of each mapping key by the path of its value. */
  readonly keys: ReadonlyMap<string, number>;
}

/** The key of a path in a {@link QuickYaml}'s maps: map keys as strings, list indexes as numbers. */
export function pathKey(path: readonly (string | number)[]): string {
  return path.map((s) => (typeof s === 'number' ? `#${s}` : `.${s}`)).join('');
}

class Unsure extends Error {}

/** A line of the text: where it starts, its indentation, and its content without a trailing comment-only part. */
interface Line { readonly start: number; readonly indent: number; readonly text: string }

const KEY = /^([A-Za-z0-9_][A-Za-z0-9_.\/-]*):(?: +|$)/;

/** Reads `text`, or returns undefined when it holds anything this reader is not sure of. */
export function quickYaml(text: string): QuickYaml | undefined {
  if (/[\t\r\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(text)) return undefined;
  const lines: Line[] = [];
  let start = 0;
  for (const raw of text.split('\n')) {
    const indent = raw.length - raw.trimStart().length;
    const body = raw.slice(indent);
    if (body !== '' && !body.startsWith('#')) {
      if (indent === 0 && /^(?:---|\.\.\.|%)/.test(body)) return undefined;
      lines.push({ start, indent, text: body });
    }
    start += raw.length + 1;
  }
  if (lines.length === 0) return undefined;
  const values = new Map<string, number>();
  const keys = new Map<string, number>();
  try {
    const reader = new Reader(lines, values, keys);
    const data = reader.node(lines[0].indent, '', lines[0].start + lines[0].indent);
    if (reader.at < lines.length) return undefined;
    return { data, values, keys };
  } catch (e) {
    if (e instanceof Unsure) return undefined;
    throw e;
  }
}

class Reader {
  public at = 0;

  constructor(
    private readonly lines: readonly Line[],
    private readonly values: Map<string, number>,
    private readonly keys: Map<string, number>,
  ) {}

  /** The block node whose first line is the current one, at `indent`. */
  public node(indent: number, at: string, offset: number): unknown {
    const line = this.lines[this.at];
    if (line.indent !== indent) throw new Unsure();
    if (line.text === '-' || line.text.startsWith('- ')) return this.sequence(indent, at, offset);
    if (KEY.test(line.text)) return this.mapping(indent, at, offset, line.text, line.start + indent);
    // A lone scalar as a whole document, or on a line of its own under a key: only a one-line one.
    this.values.set(at, line.start + indent);
    const { value, rest } = inline(line.text, line.start + indent, at, this.values, this.keys);
    if (rest !== '') throw new Unsure();
    this.at++;
    return value;
  }

  /** A block mapping whose first entry is `first` (at `firstOffset`), the rest on the following lines at `indent`. */
  private mapping(indent: number, at: string, offset: number, first: string, firstOffset: number): Record<string, unknown> {
    this.values.set(at, offset);
    const out: Record<string, unknown> = {};
    let text = first;
    let textOffset = firstOffset;
    for (;;) {
      const m = KEY.exec(text);
      if (!m) throw new Unsure();
      const key = checkedKey(m[1]);
      if (Object.prototype.hasOwnProperty.call(out, key)) throw new Unsure();
      const sub = `${at}.${key}`;
      this.keys.set(sub, textOffset);
      const rest = text.slice(m[0].length);
      this.at++;
      if (rest === '' || rest.startsWith('#')) {
        out[key] = this.below(indent, sub);
      } else {
        const valueOffset = textOffset + m[0].length;
        this.values.set(sub, valueOffset);
        const { value, rest: after } = inline(rest, valueOffset, sub, this.values, this.keys);
        if (after !== '') throw new Unsure();
        out[key] = value;
      }
      const next = this.lines[this.at];
      if (!next || next.indent < indent) return out;
      // More indented after a value on the key's line would continue it (or be a mistake).
      if (next.indent > indent) throw new Unsure();
      if (next.text === '-' || next.text.startsWith('- ')) throw new Unsure();
      text = next.text;
      textOffset = next.start + indent;
    }
  }

  /** The value of a key with nothing after its colon: a block node on the next lines, a list at the key's own column, or null. */
  private below(indent: number, at: string): unknown {
    const next = this.lines[this.at];
    if (next && next.indent > indent) return this.node(next.indent, at, next.start + next.indent);
    if (next && next.indent === indent && (next.text === '-' || next.text.startsWith('- '))) return this.sequence(indent, at, next.start + indent);
    // Nothing: null (the `yaml` package gives no position to write a problem at for it).
    throw new Unsure();
  }

  /** A block list whose items start with `- ` at `indent`. */
  private sequence(indent: number, at: string, offset: number): unknown[] {
    this.values.set(at, offset);
    const out: unknown[] = [];
    for (;;) {
      const line = this.lines[this.at];
      if (!line || line.indent !== indent || !(line.text === '-' || line.text.startsWith('- '))) return out;
      const sub = `${at}#${out.length}`;
      const rest = line.text.slice(1).trimStart();
      const itemColumn = indent + line.text.length - rest.length;
      if (rest === '' || rest.startsWith('#')) {
        this.at++;
        const next = this.lines[this.at];
        if (!next || next.indent <= indent) throw new Unsure();
        out.push(this.node(next.indent, sub, next.start + next.indent));
      } else if (KEY.test(rest)) {
        // A mapping that starts on the item's line: its other entries line up with its first key.
        out.push(this.mapping(itemColumn, sub, line.start + itemColumn, rest, line.start + itemColumn));
      } else {
        this.values.set(sub, line.start + itemColumn);
        const { value, rest: after } = inline(rest, line.start + itemColumn, sub, this.values, this.keys);
        if (after !== '') throw new Unsure();
        out.push(value);
        this.at++;
        if (this.at < this.lines.length && this.lines[this.at].indent > indent) throw new Unsure();
      }
      const next = this.lines[this.at];
      if (next && next.indent === indent && !(next.text === '-' || next.text.startsWith('- ')) && at !== '') {
        // A list at its key's column ends where the key's mapping goes on.
        return out;
      }
    }
  }
}

/**
 * A value that fits on one line (`text` runs to the end of its line), and what follows it
 * on the line after any comment ('' when nothing does).
 */
function inline(text: string, offset: number, at: string, values: Map<string, number>, keys: Map<string, number>): { value: unknown; rest: string } {
  const p = new Inline(text, offset, values, keys);
  const value = p.value(at, false);
  p.space();
  if (p.i < text.length && text[p.i] === '#' && (p.i === 0 || text[p.i - 1] === ' ')) p.i = text.length;
  return { value, rest: text.slice(p.i) };
}

class Inline {
  public i = 0;

  constructor(private readonly s: string, private readonly offset: number, private readonly values: Map<string, number>, private readonly keys: Map<string, number>) {}

  public space(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  public value(at: string, inFlow: boolean): unknown {
    this.values.set(at, this.offset + this.i);
    const c = this.s[this.i];
    if (c === '[') return this.flowSequence(at);
    if (c === '{') return this.flowMapping(at);
    if (c === '"' || c === "'") return this.quoted();
    return this.plain(inFlow);
  }

  private quoted(): string {
    const q = this.s[this.i];
    let out = '';
    for (let j = this.i + 1; j < this.s.length; j++) {
      const c = this.s[j];
      if (q === '"' && c === '\\') throw new Unsure();
      if (c === q) {
        if (q === "'" && this.s[j + 1] === "'") {
          out += "'";
          j++;
          continue;
        }
        this.i = j + 1;
        // After a closing quote: the end, a comment, or what the collection takes next.
        const after = this.s[this.i];
        if (after !== undefined && after !== ' ' && after !== ',' && after !== ']' && after !== '}') throw new Unsure();
        return out;
      }
      out += c;
    }
    throw new Unsure();
  }

  private plain(inFlow: boolean): unknown {
    const c = this.s[this.i];
    // Indicators that start something this reader does not read.
    const after = this.s[this.i + 1];
    if (c === undefined || '#&*!|>%@`,[]{}?'.includes(c)
      || ((c === '-' || c === ':') && (after === undefined || after === ' ' || (inFlow && ',[]{}'.includes(after))))) throw new Unsure();
    let j = this.i;
    for (; j < this.s.length; j++) {
      const ch = this.s[j];
      if (ch === ':' && (this.s[j + 1] === ' ' || this.s[j + 1] === undefined || (inFlow && ',[]{}'.includes(this.s[j + 1])))) break;
      if (ch === '#' && this.s[j - 1] === ' ') break;
      if (inFlow && ',[]{}'.includes(ch)) break;
    }
    const raw = this.s.slice(this.i, j).trimEnd();
    if (raw === '') throw new Unsure();
    // A colon here would make a key: a mapping this reader did not expect.
    if (this.s[j] === ':') throw new Unsure();
    this.i = this.i + raw.length;
    return scalar(raw);
  }

  private flowSequence(at: string): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.space();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      this.space();
      const sub = `${at}#${out.length}`;
      const start = this.i;
      const value = this.value(sub, true);
      this.space();
      // `[a: b]` is a mapping in a list: not read here.
      if (this.s[this.i] === ':') throw new Unsure();
      out.push(value);
      if (this.i === start) throw new Unsure();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') throw new Unsure();
      this.space();
      if (this.s[this.i] === ']') throw new Unsure();
    }
  }

  private flowMapping(at: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    this.space();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.space();
      const m = /^([A-Za-z0-9_][A-Za-z0-9_.\/-]*): +/.exec(this.s.slice(this.i));
      if (!m || Object.prototype.hasOwnProperty.call(out, checkedKey(m[1]))) throw new Unsure();
      const sub = `${at}.${m[1]}`;
      this.keys.set(sub, this.offset + this.i);
      this.i += m[0].length;
      out[m[1]] = this.value(sub, true);
      this.space();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') throw new Unsure();
      this.space();
      if (this.s[this.i] === '}') throw new Unsure();
    }
  }
}

/** A mapping key this reader takes: one that reads as a string of its own text (not `1`, `true` or `null`), not too long, not `__proto__`. */
function checkedKey(key: string): string {
  if (key.length > 1024 || key === '__proto__' || scalar(key) !== key) throw new Unsure();
  return key;
}

/** A plain scalar as the YAML 1.2 core schema reads it (what the `yaml` package does by default). */
function scalar(s: string): unknown {
  if (/^(?:~|null|Null|NULL)$/.test(s)) return null;
  if (/^(?:true|True|TRUE)$/.test(s)) return true;
  if (/^(?:false|False|FALSE)$/.test(s)) return false;
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(?:nan|NaN|NAN)$/.test(s)) return NaN;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(s)) return parseFloat(s);
  return s;
}

/** Where a {@link QuickYaml}'s values and keys start, as JSON (for the cache, which keeps the data apart). */
export interface QuickYamlJson {
  readonly values: readonly (readonly [string, number])[];
  readonly keys: readonly (readonly [string, number])[];
}

export function quickToJson(q: QuickYaml): QuickYamlJson {
  return { values: [...q.values], keys: [...q.keys] };
}

export function quickFromJson(j: QuickYamlJson, data: unknown): QuickYaml {
  return { data, values: new Map(j.values), keys: new Map(j.keys) };
}
