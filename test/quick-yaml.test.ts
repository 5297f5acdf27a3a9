import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { isMap, isPair, isScalar, parseDocument } from 'yaml';
import { pathKey, quickYaml } from '../lib/config/quick-yaml';
import { FIXTURES, ROOT } from './helpers';

/*
 * The quick reader (lib/config/quick-yaml.ts) must give exactly what the `yaml` package
 * gives, data and positions, for every text it reads; anything else it must leave to the
 * `yaml` package. Held here on generated texts, on their mutations, and on real files.
 */

const seed = Number(process.env.FC_SEED ?? 20261130);

type Path = (string | number)[];

/** Every path of a value, with the value. */
function paths(value: unknown, at: Path = []): Path[] {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => paths(v, [...at, i]))];
  if (value !== null && typeof value === 'object') return [at, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))];
  return [at];
}

/** What the `yaml` package makes of a text: its data, and where each value and key starts; undefined when it finds errors. */
function reference(text: string): { data: unknown; values: Map<string, number>; keys: Map<string, number> } | undefined {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) return undefined;
  const data = doc.toJS({ maxAliasCount: 100 });
  const values = new Map<string, number>();
  const keys = new Map<string, number>();
  for (const p of paths(data)) {
    const node = p.length === 0 ? doc.contents : doc.getIn(p, true);
    const range = (node as { range?: [number] } | undefined)?.range;
    if (range) values.set(pathKey(p), range[0]);
    if (p.length > 0 && typeof p[p.length - 1] === 'string') {
      const parent = p.length === 1 ? doc.contents : doc.getIn(p.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((i) => isPair(i) && isScalar(i.key) && String(i.key.value) === p[p.length - 1]);
        const keyRange = (pair?.key as { range?: [number] } | undefined)?.range;
        if (keyRange) keys.set(pathKey(p), keyRange[0]);
      }
    }
  }
  return { data, values, keys };
}

/** Holds the quick reader to the reference on one text: equal when it reads it, and it never reads what the reference refuses. */
function agrees(text: string): boolean {
  const quick = quickYaml(text);
  if (!quick) return true;
  const ref = reference(text);
  if (!ref) throw new Error(`the quick reader read a text the yaml package refuses:\n${text}`);
  expect(quick.data).toEqual(ref.data);
  expect(Object.is(quick.data, ref.data) || JSON.stringify(quick.data) === JSON.stringify(ref.data)).toBe(true);
  expect(Object.fromEntries(quick.values)).toEqual(Object.fromEntries(ref.values));
  expect(Object.fromEntries(quick.keys)).toEqual(Object.fromEntries(ref.keys));
  return true;
}

// Scalars as people write them in these files, and ones that read as something else.
const WORDS = ['x', 'team-a', 'v1.0.0', 'eu.gcr.io/p', 'http://a:80/b', 'a b', 'sft', '16Gi', '500m', '0.5', '1e3', '.5', '1.', '+3', '-7', '007',
    // Every spelling the core schema resolves, and near misses that stay strings.
    '0o17', '0o8', '0x1F', '0xg', '-0x1', '.inf', '-.Inf', '+.INF', '.Inf', '.nan', '.NaN', '.NAN', '.NAn', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE',
    'NULL', 'Null', 'nULL', '~', 'null', '1e+5', '-1.5E-3', '+.5', '-.5e2', '1.e3', 'e3', '0.', '-0', '+0', '1__0',
    'yes', 'No', 'on', '1_000', '2026-11-30', 'a#b', 'a: b', 'a:b', '-a', '- a',
    ':a', 'a:', '#x', '@x', '`x', '%x', '?x', '!x', '&x', '*x', '|', '>', 'a,b', 'a]', '{x', 'x ', ' x'];
const plainWord = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.stringOf(fc.constantFrom('a', 'b', '1', '.', '-', '_', '/', ':', ' ', '#', ','), { minLength: 1, maxLength: 8 }),
);
const safeWord = fc.constantFrom('x', 'team-a', 'v1.0.0', 'eu.gcr.io/p', 'http://a:80/b', 'a b', '16Gi', '500m', '0.5', '1e3', '3', 'true', 'null', "it''s");
const scalarText = fc.oneof(
  { arbitrary: safeWord.map((w) => (w === "it''s" ? `'${w}'` : w)), weight: 6 },
  plainWord,
  plainWord.map((w) => `"${w}"`),
  plainWord.map((w) => `'${w.replace(/'/g, "''")}'`),
  fc.constantFrom('"a\\nb"', "'it''s'", '""', "''", '"unclosed', "'x'y"),
);
const key = fc.oneof(fc.constantFrom('name', 'model_name_or_path', 'nvidia.com/gpu', 'a-b', '1', 'true', 'null', 'x y', 'k'), fc.stringOf(fc.constantFrom('a', 'b', '_', '-', '.'), { maxLength: 5 }).map((k) => `k${k}`), fc.constantFrom('-a', '.a', '_a'));
const comment = fc.constantFrom('', '', '', ' # note', '  #x', '#tight');

/** A generated text: block mappings and lists (indented or at their key's column), flow collections, scalars, comments, blank lines. */
const text: fc.Arbitrary<string> = fc.letrec((tie) => ({
  flow: fc.oneof(
    { depthSize: 'small' },
    fc.array(scalarText, { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
    fc.array(fc.tuple(key, scalarText), { maxLength: 3 }).map((kv) => `{ ${kv.map(([k, v]) => `${k}: ${v}`).join(', ')} }`),
    fc.array(fc.tuple(key, scalarText), { maxLength: 2 }).map((kv) => `{${kv.map(([k, v]) => `${k}: ${v}`).join(',')}}`),
  ),
  inline: fc.oneof(scalarText, tie('flow') as fc.Arbitrary<string>),
  block: fc.oneof(
    { depthSize: 'small' },
    fc.tuple(fc.array(fc.tuple(key, tie('value') as fc.Arbitrary<(indent: string) => string>, comment), { minLength: 1, maxLength: 4 }))
      .map(([entries]) => (indent: string) => entries.map(([k, v, c]) => `${indent}${k}:${v(indent)}${c}`).join('\n')),
    fc.tuple(fc.array(tie('item') as fc.Arbitrary<(indent: string) => string>, { minLength: 1, maxLength: 3 }), fc.boolean())
      .map(([items]) => (indent: string) => items.map((item) => `${indent}-${item(indent)}`).join('\n')),
  ),
  // What follows `key:`: a value on the line, or a block below (indented, or a list at the key's column).
  value: fc.oneof(
    { maxDepth: 4 },
    (tie('inline') as fc.Arbitrary<string>).map((v) => () => ` ${v}`),
    (tie('block') as fc.Arbitrary<(indent: string) => string>).map((b) => (indent: string) => `\n${b(`${indent}  `)}`),
    (tie('block') as fc.Arbitrary<(indent: string) => string>).map((b) => (indent: string) => `\n${b(indent).startsWith(`${indent}-`) ? b(indent) : b(`${indent}  `)}`),
    { arbitrary: fc.constant(() => ''), weight: 1 },
  ),
  item: fc.oneof(
    (tie('inline') as fc.Arbitrary<string>).map((v) => () => ` ${v}`),
    fc.array(fc.tuple(key, tie('inline') as fc.Arbitrary<string>), { minLength: 1, maxLength: 3 })
      .map((kv) => (indent: string) => kv.map(([k, v], i) => `${i === 0 ? ' ' : `\n${indent}  `}${k}: ${v}`).join('')),
    (tie('block') as fc.Arbitrary<(indent: string) => string>).map((b) => (indent: string) => `\n${b(`${indent}  `)}`),
  ),
})).block.chain((b) => fc.tuple(fc.constantFrom('', '# head\n', '\n'), fc.constantFrom('', '\n', '\n\n# tail\n')).map(([head, tail]) => `${head}${b('')}${tail}`));

test('reads generated texts exactly as the yaml package does, or leaves them to it', () => {
  let read = 0;
  fc.assert(fc.property(text, (t) => {
    if (quickYaml(t)) read++;
    return agrees(t);
  }), { seed, numRuns: 3000 });
  // The generator must hit the reader's path often, or the test would prove little.
  expect(read).toBeGreaterThan(300);
});

test('and their mutations: a character inserted, removed or replaced anywhere', () => {
  const mutated = fc.tuple(text, fc.nat(), fc.constantFrom('', ' ', '\n', ':', '-', '#', '"', "'", '[', ']', '{', '}', ',', 'a', '  ', '\t', '&', '|'), fc.integer({ min: 0, max: 1 }))
    .map(([t, at, c, drop]) => {
      const i = t.length === 0 ? 0 : at % t.length;
      return t.slice(0, i) + c + t.slice(i + drop);
    });
  fc.assert(fc.property(mutated, agrees), { seed, numRuns: 4000 });
});

test('reads the real input files of this repository the same way', () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) files.push(p);
    }
  };
  for (const dir of [FIXTURES, path.join(ROOT, 'workspaces')]) walk(dir);
  files.push(path.join(ROOT, 'platform.yaml'));
  expect(files.length).toBeGreaterThan(6);
  const read = files.filter((f) => {
    const t = fs.readFileSync(f, 'utf8');
    agrees(t);
    return quickYaml(t) !== undefined;
  });
  // Every input file of the examples is plain enough for the quick reader.
  expect(read.map((f) => path.relative(ROOT, f))).toEqual(files.map((f) => path.relative(ROOT, f)));
});

test.each(WORDS)('reads the scalar %j, plain and in a flow list, as the yaml package does (or leaves it)', (w) => {
  for (const t of [`a: ${w}\n`, `a: [${w}]\n`, `- ${w}\n`]) agrees(t);
});

test.each([
  ['a key given twice', 'a: 1\na: 2\n'],
  ['an anchor', 'a: &x 1\nb: *x\n'],
  ['a block scalar', 'a: |\n  text\n'],
  ['a tab', 'a:\t1\n'],
  ['a second document', 'a: 1\n---\nb: 2\n'],
  ['a value continued on the next line', 'a: one\n  two\n'],
  ['an escape', 'a: "x\\ty"\n'],
  ['a key with nothing after it', 'a:\nb: 1\n'],
  ['an empty file', '# nothing\n'],
])('leaves %s to the yaml package', (_what, t) => {
  expect(quickYaml(t)).toBeUndefined();
});
