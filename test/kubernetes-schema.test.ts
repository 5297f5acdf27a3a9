import { readDist } from './helpers';

/*
 * Every object of dist/ is checked against the Kubernetes OpenAPI schema (and the CRD
 * schema for custom resources) through kubernetes-models. These check types, required
 * fields and formats; they do not reject unknown fields.
 */

interface Validatable { validate(): void }
type ModelClass = new (data: unknown) => Validatable;

/** The model class of an object's apiVersion and kind. */
function modelOf(apiVersion: string, kind: string): ModelClass {
  if (apiVersion === 'external-secrets.io/v1') {
    // The v1 schemas are the v1beta1 ones promoted unchanged; the models package for
    // Node 20 ships v1beta1 only.
    return require(`@kubernetes-models/external-secrets/external-secrets.io/v1beta1/${kind}`)[kind];
  }
  if (apiVersion.startsWith('argoproj.io/')) return require(`@kubernetes-models/argo-cd/${apiVersion}/${kind}`)[kind];
  return require(`kubernetes-models/${apiVersion}/${kind}`)[kind];
}

const objects = readDist().map(({ object }) => [`${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`, object as any] as const);

test.each(objects)('%s is valid against its schema', (_file, object) => {
  const Model = modelOf(object.apiVersion, object.kind);
  const data = object.apiVersion === 'external-secrets.io/v1' ? { ...object, apiVersion: 'external-secrets.io/v1beta1' } : object;
  expect(Model).toBeDefined();
  expect(() => new Model(data).validate()).not.toThrow();
});

test('the check rejects an invalid object', () => {
  const [, deployment] = objects.find(([, o]) => o.kind === 'Deployment')!;
  const broken = { ...deployment, spec: { ...deployment.spec, replicas: 'two' } };
  expect(() => new (modelOf('apps/v1', 'Deployment'))(broken).validate()).toThrow(/replicas must be integer/);
});

test('the check rejects an invalid Argo CD Application', () => {
  const [, app] = objects.find(([, o]) => o.kind === 'Application')!;
  const broken = { ...app, spec: { ...app.spec, syncPolicy: { automated: { selfHeal: 'yes' } } } };
  expect(() => new (modelOf('argoproj.io/v1alpha1', 'Application'))(broken).validate()).toThrow(/selfHeal must be boolean/);
});

test('the check rejects an invalid ExternalSecret', () => {
  const [, es] = objects.find(([, o]) => o.kind === 'ExternalSecret')!;
  const broken = { ...es, apiVersion: 'external-secrets.io/v1beta1', spec: { ...es.spec, data: [{ secretKey: 'X' }] } };
  expect(() => new (modelOf('external-secrets.io/v1', 'ExternalSecret'))(broken).validate()).toThrow(/remoteRef/);
});
