import * as fs from 'fs';
import { Manifest } from '../lib/output/render';
import { isCrdGroup, schemaFindings } from '../lib/policy/crd-schema';
import { schemaModuleOf, schemaProblems } from '../lib/policy/kubernetes-schema';
import { verdictOf, verdictSource } from '../lib/policy/verdict-validators';
import { fixture } from './helpers';

/*
 * Every object synth makes of the fixtures (helm test pods too) passes the Kubernetes
 * OpenAPI schema (and the CRD schema for custom resources), with the same check synth
 * runs (lib/policy/kubernetes-schema.ts). kubernetes-models checks types, formats and
 * required fields; it does not reject unknown fields.
 */

const { objects, testPods } = fixture();

test('every freshly synthesized object is valid against its schema', () => {
  const all = [...objects, ...testPods];
  expect(new Set(all.map((o) => o.kind)).size).toBeGreaterThan(15);
  expect(schemaProblems(all)).toEqual([]);
});

test('the check rejects an invalid object', () => {
  const deployment = objects.find((o) => o.kind === 'Deployment') as any;
  const broken = { ...deployment, spec: { ...deployment.spec, replicas: 'two' } };
  expect(schemaProblems([broken])).toEqual([expect.stringMatching(/replicas must be integer$/)]);
});

test('the check rejects an invalid Argo CD Application', () => {
  const app = objects.find((o) => o.kind === 'Application') as any;
  const broken = { ...app, spec: { ...app.spec, syncPolicy: { automated: { selfHeal: 'yes' } } } };
  expect(schemaProblems([broken])).toEqual([expect.stringMatching(/selfHeal must be boolean$/)]);
});

test('the check rejects an invalid ExternalSecret', () => {
  const es = objects.find((o) => o.kind === 'ExternalSecret') as any;
  const broken = { ...es, spec: { ...es.spec, data: [{ secretKey: 'X' }] } };
  expect(schemaProblems([broken])).toEqual([expect.stringMatching(/remoteRef/)]);
});

describe('custom resources against the real CRD schemas (vendor/crd-schemas)', () => {
  test('a misspelt field is refused, as the API server refuses it', () => {
    const set = objects.find((o) => o.kind === 'ApplicationSet') as any;
    const git = set.spec.generators[0].git;
    const broken = { ...set, spec: { ...set.spec, generators: [{ git: { ...git, directory: git.directories, directories: undefined } }] } };
    expect(schemaProblems([JSON.parse(JSON.stringify(broken))])).toEqual([expect.stringContaining("/spec/generators/0/git must NOT have additional properties 'directory'")]);
  });

  test('a wrong type deep in a SecretStore is refused', () => {
    const store = objects.find((o) => o.kind === 'SecretStore') as any;
    const broken = JSON.parse(JSON.stringify(store));
    broken.spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef = { name: 'Not_A_Name' };
    expect(schemaProblems([broken])).toEqual([expect.stringContaining('/spec/provider/gcpsm/auth/workloadIdentity/serviceAccountRef/name must match pattern')]);
  });

  test('a custom resource whose CRD is not vendored, or whose version its CRD does not serve, is refused', () => {
    expect(schemaProblems([{ apiVersion: 'external-secrets.io/v9', kind: 'ExternalSecret', metadata: { name: 'x' } }])).toEqual([
      'schema: ExternalSecret x: no CRD schema vendored for external-secrets.io/v9 ExternalSecret (npm run import-crds)',
    ]);
  });
});

describe('the CRD schema check, keyword by keyword (as the API server reads a structural schema)', () => {
  const obj = (properties: Record<string, unknown>, more: Record<string, unknown> = {}) => ({ type: 'object', properties, ...more });

  test.each([
    ['type', obj({ n: { type: 'integer' } }), { n: 1.5 }, ['/n must be integer']],
    ['enum', obj({ e: { type: 'string', enum: ['A', 'B'] } }), { e: 'C' }, ['/e must be equal to one of the allowed values']],
    ['pattern', obj({ p: { type: 'string', pattern: '^[a-z]+$' } }), { p: 'A' }, ['/p must match pattern "^[a-z]+$"']],
    ['maxLength counts characters, not UTF-16 units', obj({ s: { type: 'string', maxLength: 2 } }), { s: '😀😀😀' }, ['/s must NOT have more than 2 characters']],
    ['minLength counts characters, not UTF-16 units', obj({ s: { type: 'string', minLength: 3 } }), { s: '😀😀' }, ['/s must NOT have fewer than 3 characters']],
    ['minimum', obj({ n: { type: 'number', minimum: 1 } }), { n: 0 }, ['/n must be >= 1']],
    ['maximum', obj({ n: { type: 'number', maximum: 1 } }), { n: 2 }, ['/n must be <= 1']],
    ['maxItems', obj({ a: { type: 'array', maxItems: 1 } }), { a: [1, 2] }, ['/a must NOT have more than 1 items']],
    ['minItems', obj({ a: { type: 'array', minItems: 1 } }), { a: [] }, ['/a must NOT have fewer than 1 items']],
    ['items', obj({ a: { type: 'array', items: { type: 'string' } } }), { a: ['x', 2] }, ['/a/1 must be string']],
    ['required', obj({}, { required: ['x'] }), {}, ["/ must have required property 'x'"]],
    ['unknown field', obj({ a: { type: 'string' } }), { b: 'x' }, ["/ must NOT have additional properties 'b'"]],
    ['additionalProperties schema', { type: 'object', additionalProperties: { type: 'integer' } }, { a: 'x' }, ['/a must be integer']],
    ['additionalProperties false with no properties', { type: 'object', additionalProperties: false }, { a: 1 }, ["/ must NOT have additional properties 'a'"]],
    ['maxProperties', { type: 'object', additionalProperties: true, maxProperties: 1 }, { a: 1, b: 2 }, ['/ must NOT have more than 1 properties']],
    ['anyOf', obj({ v: { anyOf: [{ type: 'string' }, { type: 'boolean' }] } }), { v: 1 }, ['/v must match a schema in anyOf']],
    ['oneOf, none', obj({ v: { oneOf: [{ type: 'string' }, { type: 'boolean' }] } }), { v: 1 }, ['/v must match exactly one schema in oneOf']],
    ['oneOf, two', obj({ v: { oneOf: [{ type: 'string' }, { type: 'string', maxLength: 5 }] } }), { v: 'ab' }, ['/v must match exactly one schema in oneOf']],
    ['not', obj({ v: { not: { type: 'string' } } }), { v: 'x' }, ['/v must NOT be valid against the schema in not']],
    ['allOf', obj({ v: { allOf: [{ type: 'string' }, { maxLength: 1 }] } }), { v: 'ab' }, ['/v must NOT have more than 1 characters']],
    ['int-or-string', obj({ q: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } }), { q: 1.5 }, ['/q must be integer or string']],
    ['int-or-string pattern', obj({ q: { 'x-kubernetes-int-or-string': true, pattern: '^[0-9]+m$' } }), { q: '5' }, ['/q must match pattern "^[0-9]+m$"']],
    ['false', obj({ x: false }), { x: 1 }, ['/x is not allowed']],
    ['oneOf whose branches a not inside each rejects', obj({ r: { oneOf: [{ required: ['name'], not: { required: ['external'] } }, { required: ['external'], not: { required: ['name'] } }] } }), { r: { name: 'x', external: 'y' } }, ['/r must match exactly one schema in oneOf']],
  ])('%s', (_what, schema, value, expected) => {
    expect(schemaFindings(schema, value)).toEqual(expected);
  });

  test.each([
    ['a value of the right type', obj({ n: { type: 'integer', minimum: 1 } }), { n: 3 }],
    ['null where nullable', obj({ n: { type: 'integer', nullable: true } }), { n: null }],
    ['an undefined field (absent in JSON)', obj({}), { n: undefined }],
    ['any field under preserve-unknown-fields', obj({}, { 'x-kubernetes-preserve-unknown-fields': true }), { n: { deep: [1] } }],
    ['any field where the schema names none', { type: 'object' }, { n: 1 }],
    ['apiVersion, kind and metadata of an embedded resource', obj({ spec: { type: 'object' } }, { 'x-kubernetes-embedded-resource': true }), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: {} }],
    ['an empty schema', obj({ x: {} }), { x: [1, 'a'] }],
    ['characters within maxLength, though more UTF-16 units', obj({ s: { type: 'string', maxLength: 2 } }), { s: '😀😀' }],
    ['the one branch of a oneOf that a not inside it lets through (as Config Connector references are written)', obj({ r: { oneOf: [{ required: ['name'], not: { required: ['external'] } }, { required: ['external'], not: { required: ['name'] } }] } }), { r: { name: 'x' } }],
  ])('accepts %s', (_what, schema, value) => {
    expect(schemaFindings(schema, value)).toEqual([]);
  });

  test('problems deep down name their path, and every problem is reported', () => {
    const schema = obj({ a: { type: 'array', items: obj({ b: { type: 'string', enum: ['x'] }, c: { type: 'integer' } }) } });
    expect(schemaFindings(schema, { a: [{ b: 'x', c: 1 }, { b: 'y', c: 'z' }] })).toEqual([
      '/a/1/b must be equal to one of the allowed values',
      '/a/1/c must be integer',
    ]);
  });
});

describe('built-in kinds: the validators loaded for their verdict alone (lib/policy/verdict-validators.ts)', () => {
  const builtIn = [...objects, ...testPods].filter((o) => !isCrdGroup(o.apiVersion));
  /** Per kind, its largest object: the most places to break. */
  const largest = new Map<string, Manifest>();
  for (const o of builtIn) {
    const key = `${o.apiVersion} ${o.kind}`;
    const had = largest.get(key);
    if (!had || JSON.stringify(o).length > JSON.stringify(had).length) largest.set(key, o);
  }
  const modules = [...largest.keys()].map((key) => {
    const [apiVersion, kind] = key.split(' ');
    const file = schemaModuleOf(apiVersion, kind)!;
    return { key, file, original: require(file).validate as (d: unknown) => boolean, verdict: verdictOf(file)! }; // eslint-disable-line @typescript-eslint/no-require-imports
  });

  test('every built-in kind synth makes is loaded rewritten, not as it is', () => {
    expect(modules.length).toBeGreaterThan(10);
    for (const m of modules) {
      expect(verdictSource(fs.readFileSync(m.file, 'utf8'))).toBeDefined();
      expect(m.verdict).not.toBe(m.original);
    }
  });

  test('gives the verdict of the original validator on every object, and on each broken in every place', () => {
    /** Values that break most places: of another type, outside an enum or format, not whole, past int32, an item missing its fields. */
    const replacements: unknown[] = ['Bogus', 2.5, 2 ** 40, null, {}, [{}]];
    let variants = 0;
    let invalid = 0;
    const disagree: string[] = [];
    const compare = (m: (typeof modules)[number], doc: unknown, where: string) => {
      variants++;
      const expected = m.original(doc);
      if (!expected) invalid++;
      if (m.verdict(doc) !== expected) disagree.push(`${m.key} ${where}`);
    };
    for (const o of builtIn) compare(modules.find((m) => m.key === `${o.apiVersion} ${o.kind}`)!, o, 'as synthesized');
    for (const m of modules) {
      const doc = JSON.parse(JSON.stringify(largest.get(m.key)));
      // Every place in the object: changed in place, compared, put back.
      const visit = (parent: any, where: string) => {
        for (const key of Object.keys(parent)) {
          // Every kind's metadata is one validator's (ObjectMeta): broken in the first kind's only.
          if (parent === doc && key === 'metadata' && m !== modules[0]) continue;
          const value = parent[key];
          const at = `${where}/${key}`;
          if (Array.isArray(parent)) {
            parent.splice(Number(key), 1);
            compare(m, doc, `${at} removed`);
            parent.splice(Number(key), 0, value);
          } else {
            delete parent[key];
            compare(m, doc, `${at} removed`);
            parent[key] = value;
          }
          for (const r of replacements) {
            parent[key] = r;
            compare(m, doc, `${at} = ${JSON.stringify(r)}`);
          }
          parent[key] = value;
          if (typeof value === 'object' && value !== null) visit(value, at);
        }
      };
      visit(doc, '');
      expect(doc).toEqual(largest.get(m.key));
    }
    expect(disagree).toEqual([]);
    expect(variants).toBeGreaterThan(5000);
    // Broken objects are a good share of them: the comparison is not only of valid ones.
    expect(invalid / variants).toBeGreaterThan(0.3);
  });

  test('a module of another shape is not rewritten: it is used as it is', () => {
    const source = fs.readFileSync(modules[0].file, 'utf8');
    expect(verdictSource(source.replace('rootData=data}={})', 'rootData=data,more}={})'))).toBeUndefined();
    expect(verdictSource(source.replace(/,parentDataProperty:"/, ',parentDataProperty:data+"'))).toBeUndefined();
    expect(verdictSource('function validate1(data){return true}')).toBeUndefined();
  });
});
