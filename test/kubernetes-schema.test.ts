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
