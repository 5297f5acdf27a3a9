import { isDeepStrictEqual } from 'util';
import { parse, parseAllDocuments } from 'yaml';
import { toYaml } from '../lib/output/yaml-emitter';
import { synthShared, synthWorkspace } from '../lib/synth';
import { fixture } from './helpers';

/** Reads YAML back the way YAML 1.2 tools and YAML 1.1 tools (go-yaml v2: Helm, kubectl) do. */
function readBack(text: string, version: '1.1' | '1.2'): unknown {
  return parse(text, { version, uniqueKeys: true });
}

const TRICKY = [
  '', ' ', 'yes', 'No', 'ON', 'off', 'y', 'n', 'true', 'False', 'null', '~', 'NULL',
  '1', '-1', '0.5', '.5', '1e3', '1E3', '0x1F', '0o17', '1_000', '12:30', '2024-01-01', '10.0.0.5', '0.0.0.0', '.inf', '-.inf', '.nan',
  '500m', '16Gi', '1h', '30s', '8', '16', '3',
  'a: b', 'a #b', '#x', '- x', '-', '--', '--host=0.0.0.0', '-x', '? x', ': x', 'x:', 'a:b', '@x', '`x', '!x', '&x', '*x', '%x', '|', '>',
  '{x}', '[x]', 'a, b', 'a,b', '"q"', "'q'", 'tab\there', 'trailing ', ' leading', 'x  #', 'é unicode ✓', '\u0000', 'line\r\nwindows',
  'one\ntwo', 'one\ntwo\n', 'one\ntwo\n\n', '\nstarts with newline', '  indented\nfirst', 'x\n  indented second\n', 'has --- inside\n---\nx',
  'models:/ft-llama3-8b-v1/latest', 'http://mlflow.llm-workspace-a.svc.cluster.local:5000', '$(POSTGRES_USER)', 'eu.gcr.io/p/img:v1.0.0',
];

describe('every string comes back as written, in YAML 1.1 and 1.2', () => {
  test(`the ${TRICKY.length} strings YAML readers are known to read otherwise`, () => {
    const wrong = TRICKY.flatMap((s) => (['1.1', '1.2'] as const).filter((version) => {
      const doc = { value: s, list: [s], [s || 'empty']: 1 };
      return !isDeepStrictEqual(readBack(toYaml(doc), version), doc);
    }).map((version) => `${JSON.stringify(s)} in YAML ${version}`));
    expect(wrong).toEqual([]);
  });

  test('random strings over the characters YAML treats specially', () => {
    // A fixed seed: the same cases on every run.
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const alphabet = 'aZ09 -_.:/#@!&*?|>{}[],"\'%`~=$()\n\t+eExXoO';
    const wrong: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const s = Array.from({ length: Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const text = toYaml({ v: s });
      for (const version of ['1.1', '1.2'] as const) if ((readBack(text, version) as { v: string }).v !== s) wrong.push(`${JSON.stringify(s)} in YAML ${version}`);
    }
    expect(wrong).toEqual([]);
  });
});

test('numbers, booleans, null and empty collections keep their types', () => {
  const doc = { n: 8000, f: 0.5, neg: -3, t: true, f2: false, z: null, e: {}, l: [], nested: { list: [{ a: 1, b: [] }, 'x', [1, 2]] } };
  expect(readBack(toYaml(doc), '1.1')).toEqual(doc);
  expect(readBack(toYaml(doc), '1.2')).toEqual(doc);
});

test('writes the block style people write: nested mappings, indented lists, literal blocks', () => {
  expect(toYaml({ a: { b: 'c' }, list: [{ name: 'x', value: '1' }, 'plain'], script: 'line one\nline two\n' })).toBe([
    'a:',
    '  b: c',
    'list:',
    '  - name: x',
    '    value: "1"',
    '  - plain',
    'script: |',
    '  line one',
    '  line two',
    '',
  ].join('\n'));
});

test('a key, or a text, written again at another depth or as a list item is written for its own place', () => {
  // The writer remembers what it made of keys and texts: by their place too.
  const script = 'echo one\n\necho two\n';
  const doc = { name: 'top', script, items: [{ name: 'first', script }, { script, name: 'second' }], deep: { deeper: { name: 'x', script } } };
  const text = toYaml(doc);
  expect(text).toBe([
    'name: top',
    'script: |',
    '  echo one',
    '',
    '  echo two',
    'items:',
    '  - name: first',
    '    script: |',
    '      echo one',
    '',
    '      echo two',
    '  - script: |',
    '      echo one',
    '',
    '      echo two',
    '    name: second',
    'deep:',
    '  deeper:',
    '    name: x',
    '    script: |',
    '      echo one',
    '',
    '      echo two',
    '',
  ].join('\n'));
  expect(toYaml(doc)).toBe(text);
  expect(readBack(text, '1.1')).toEqual(doc);
});

test('every object synth makes of the fixtures reads back as made', () => {
  const inputs = fixture().inputs;
  const made = [synthShared(inputs.platform), ...inputs.workspaces.map((w) => synthWorkspace(inputs.platform, w))].flat();
  expect(made.length).toBeGreaterThan(40);
  const wrong = made.filter((object) => {
    const text = toYaml(object as unknown as Record<string, unknown>);
    const plain = JSON.parse(JSON.stringify(object));
    return parseAllDocuments(text).length !== 1 || !(['1.1', '1.2'] as const).every((version) => isDeepStrictEqual(readBack(text, version), plain));
  }).map((o) => `${o.kind}/${o.metadata.name}`);
  expect(wrong).toEqual([]);
});

test('fails on values YAML cannot hold', () => {
  expect(() => toYaml({ x: Infinity })).toThrow('cannot write Infinity to YAML');
  expect(() => toYaml({ x: () => 1 })).toThrow('cannot write a function to YAML');
});
