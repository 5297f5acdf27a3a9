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
