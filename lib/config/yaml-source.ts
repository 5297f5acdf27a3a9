import type { Document } from 'yaml';

/** The `yaml` package, loaded only for a file the quick reader leaves to it (most runs never need it). */
function yamlLib(): typeof import('yaml') {
  return require('yaml'); // eslint-disable-line @typescript-eslint/no-require-imports
}

/** Where lines start in a text: what a problem's line and column are computed from. */
interface LinePositions {
  linePos(offset: number): { line: number; col: number };
}
import { InputProblem } from './problems';
import { pathKey, QuickYaml, quickYaml } from './quick-yaml';

/** A path into a YAML document: mapping keys and list indexes. */
export type FieldPath = readonly (string | number)[];

/** Shows a field path the way a reader writes it: `inference.models[0].gpus`. */
export function showPath(path: FieldPath): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

/**
 * A parsed YAML input file that remembers where each value was written,
 * so that problems can point at the line and column to fix.
 */
export class YamlSource {
  /**
   * Parses `text`. A syntax error, a file with several documents, or an empty file
   * gives problems and no data.
   */
  public static parse(file: string, text: string): { source: YamlSource; problems: InputProblem[] } {
    // Most files are plain YAML that the quick reader reads, positions included.
    const quick = quickYaml(text);
    if (quick) {
      const source = new YamlSource(file, text, quick);
      source.data = quick.data;
      return { source, problems: [] };
    }
    const { isScalar, LineCounter, parseDocument } = yamlLib();
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
    const source = new YamlSource(file, text, undefined, doc, lineCounter);
    const indentation = indentationProblem(source, text, doc.errors);
    const problems: InputProblem[] = indentation ? [indentation]
      : doc.errors.map((e) => source.problemAtOffset(e.pos[0], syntaxMessage(e.code, e.message, text.slice(e.pos[0]))));
    if (problems.length === 0 && (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null))) {
      problems.push(source.problemAtOffset(0, 'file is empty: expected a mapping of fields'));
    }
    if (problems.length === 0) {
      try {
        source.data = doc.toJS({ maxAliasCount: 100 });
      } catch (e) {
        // An alias to no anchor, or aliases that would expand without bound.
        problems.push(source.problemAtOffset(0, `yaml error: ${(e as Error).message.split('\n')[0]}`));
      }
    }
    return { source, problems };
  }

  /** A source read earlier by the quick reader, from what it found then (the cache's), for the same text. */
  public static fromQuick(file: string, text: string, quick: QuickYaml): YamlSource {
    const source = new YamlSource(file, text, quick);
    source.data = quick.data;
    return source;
  }

  /** What the quick reader found, when it read this file. */
  public quickIndex(): QuickYaml | undefined {
    return this.quick;
  }

  /** The document as plain data (mappings, lists, scalars), when it parsed without problems. */
  public data: unknown;

  private constructor(
    public readonly file: string,
    private readonly text: string,
    /** What the quick reader found, when it read the file. */
    private readonly quick?: QuickYaml,
    private parsed?: Document,
    private lineCounter?: LinePositions,
  ) {}

  /** The `yaml` package's document (read only when the quick reader did not read the file). */
  private get doc(): Document {
    return this.parsed!;
  }

  /** Whether the file writes a value at `path` (rather than leaving it to a default). */
  public has(path: FieldPath): boolean {
    if (this.quick) return this.quick.values.has(pathKey(path));
    return yamlLib().isNode(this.doc.getIn(path, true));
  }

  /**
   * The text of the value at `path` when it is a plain scalar on one line (no quotes,
   * no block, no flow collection, no anchor or tag), as written; otherwise undefined.
   */
  public plainScalar(path: FieldPath): string | undefined {
    let offset: number | undefined;
    if (this.quick) {
      offset = this.quick.values.get(pathKey(path));
    } else {
      // The parser knows where the scalar ends (in a flow mapping too); a tagged one is not plain.
      const node = this.doc.getIn(path, true);
      if (!yamlLib().isScalar(node) || node.type !== 'PLAIN' || !node.range || node.tag) return undefined;
      return this.text.slice(node.range[0], node.range[1]).trim();
    }
    if (offset === undefined) return undefined;
    const end = this.text.indexOf('\n', offset);
    const line = this.text.slice(offset, end < 0 ? undefined : end).replace(/\s+#.*$/, '').trim();
    return /^["'[{|>&*!]/.test(line) || line === '' ? undefined : line;
  }

  /** A problem at the value of `path`, or at the nearest enclosing value that was written. */
  public problemAt(path: FieldPath, message: string): InputProblem {
    if (this.quick) {
      for (let n = path.length; n >= 0; n--) {
        const offset = this.quick.values.get(pathKey(path.slice(0, n)));
        if (offset !== undefined) return this.problemAtOffset(offset, message);
      }
      return this.problemAtOffset(0, message);
    }
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      if (yamlLib().isNode(node) && node.range) return this.problemAtOffset(node.range[0], message);
    }
    return this.problemAtOffset(0, message);
  }

  /** A problem at the key `key` of the mapping at `path` (for an unknown field). */
  public problemAtKey(path: FieldPath, key: string, message: string): InputProblem {
    if (this.quick) {
      const offset = this.quick.keys.get(pathKey([...path, key]));
      return offset !== undefined ? this.problemAtOffset(offset, message) : this.problemAt(path, message);
    }
    const map = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    const { isMap, isPair, isScalar } = yamlLib();
    if (isMap(map)) {
      for (const item of map.items) {
        if (isPair(item) && isScalar(item.key) && String(item.key.value) === key && item.key.range) {
          return this.problemAtOffset(item.key.range[0], message);
        }
      }
    }
    return this.problemAt(path, message);
  }

  /** A problem at an offset of the text. */
  public problemAtOffset(offset: number, message: string): InputProblem {
    this.lineCounter ??= countLines(this.text);
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col, message };
  }
}

/** The parser's message, in the user's terms where the parser's are about its own API. */
function syntaxMessage(code: string, message: string, from: string): string {
  switch (code) {
    case 'MULTIPLE_DOCS':
      return "yaml syntax error: the file holds more than one YAML document ('---'); put one workspace in each file";
    case 'DUPLICATE_KEY':
      return `yaml syntax error: the key '${/^[^:\n]*/.exec(from)![0].trim().replace(/^(["'])(.*)\1$/, '$2')}' is given twice in the same mapping`;
    default:
      return `yaml syntax error: ${message.split('\n')[0].trim()}`;
  }
}

/** Parser errors that mean a line is indented wrongly; the parser reports one mistake several ways. */
function isIndentationError(e: { code: string; message: string }): boolean {
  // BAD_INDENT also stands for an unclosed [ or { ("Flow sequence ... must end with a ]"): not an indentation mistake.
  return (e.code === 'BAD_INDENT' && !e.message.startsWith('Flow '))
    || ['BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY', 'TAB_AS_INDENT'].includes(e.code)
    || (e.code === 'MISSING_CHAR' && e.message.startsWith('Sequence item without - indicator'));
}

/**
 * One problem for an indentation mistake, at the line that is off, instead of the
 * parser's several messages about its consequences ("Nested mappings are not allowed
 * in compact mappings", "Implicit keys need to be on a single line", ...).
 */
function indentationProblem(source: YamlSource, text: string, errors: readonly { code: string; message: string; pos: [number, number] }[]): InputProblem | undefined {
  const first = errors.find(isIndentationError);
  if (!first) return undefined;
  const lineStart = (offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
  let start = lineStart(first.pos[0]);
  // A key that swallows the next line is reported on its own line: the next line is the one off.
  if (first.code === 'BLOCK_AS_IMPLICIT_KEY' || first.code === 'MULTILINE_IMPLICIT_KEY') {
    let next = text.indexOf('\n', first.pos[0]) + 1;
    while (next > 0 && next < text.length && /^[ \t]*(#.*)?(\n|$)/.test(text.slice(next, text.indexOf('\n', next) + 1 || text.length))) {
      next = text.indexOf('\n', next) + 1;
    }
    if (next > 0 && next < text.length) start = next;
  }
  const indent = /^[ \t]*/.exec(text.slice(start))![0];
  const offset = start + indent.length;
  const line = source.problemAtOffset(offset, '').line;
  return source.problemAtOffset(offset, indent.includes('\t')
    ? `yaml syntax error: line ${line} is indented with a tab; YAML indents with spaces only`
    : `yaml syntax error: line ${line} is not indented like the lines around it; check its indentation (fields of one mapping start in the same column, a field inside another is indented further, list items start with '- ')`);
}

/** Line starts of a text, for positions of problems found without the `yaml` package's parse (1-based, as its LineCounter gives them). */
function countLines(text: string): LinePositions {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return {
    linePos(offset: number) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= offset) lo = mid;
        else hi = mid - 1;
      }
      return { line: lo + 1, col: offset - starts[lo] + 1 };
    },
  };
}
