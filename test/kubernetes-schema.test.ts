import { schemaProblems } from '../lib/policy/kubernetes-schema';
import { readDist } from './helpers';

/*
 * Every object of dist/ passes the Kubernetes OpenAPI schema (and the CRD schema for
 * custom resources), with the same check synth runs (lib/policy/kubernetes-schema.ts).
 * kubernetes-models checks types, formats and required fields; it does not reject
 * unknown fields.
 */

const objects = readDist().map(({ object }) => [`${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`, object as any] as const);

test.each(objects)('%s is valid against its schema', (_key, object) => {
  expect(schemaProblems([object])).toEqual([]);
});

test('the check rejects an invalid object', () => {
  const [, deployment] = objects.find(([, o]) => o.kind === 'Deployment')!;
  const broken = { ...deployment, spec: { ...deployment.spec, replicas: 'two' } };
  expect(schemaProblems([broken])).toEqual([expect.stringMatching(/replicas must be integer$/)]);
});

test('the check rejects an invalid Argo CD Application', () => {
  const [, app] = objects.find(([, o]) => o.kind === 'Application')!;
  const broken = { ...app, spec: { ...app.spec, syncPolicy: { automated: { selfHeal: 'yes' } } } };
  expect(schemaProblems([broken])).toEqual([expect.stringMatching(/selfHeal must be boolean$/)]);
});

test('the check rejects an invalid ExternalSecret', () => {
  const [, es] = objects.find(([, o]) => o.kind === 'ExternalSecret')!;
  const broken = { ...es, spec: { ...es.spec, data: [{ secretKey: 'X' }] } };
  expect(schemaProblems([broken])).toEqual([expect.stringMatching(/remoteRef/)]);
});
