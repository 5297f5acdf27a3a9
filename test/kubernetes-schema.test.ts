import { schemaFindings } from '../lib/policy/crd-schema';
import { schemaProblems } from '../lib/policy/kubernetes-schema';
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
