import { synthShared } from '../lib/synth';
import { asYaml, container, env, find, fixture, podSpec } from './helpers';

const platform = fixture().inputs.platform;

/** What the External Secrets API server fills in; written out so Argo CD sees no drift. */
const REMOTE_REF_DEFAULTS = { conversionStrategy: 'Default', decodingStrategy: 'None', metadataPolicy: 'None' };
const shared = synthShared(platform);

test('shared layer snapshot', () => {
  expect(asYaml(shared)).toMatchSnapshot();
});

test('namespace llm-shared carries purpose=shared', () => {
  const ns = find(shared, 'Namespace', 'llm-shared');
  expect(ns.metadata.labels.purpose).toBe('shared');
  expect(ns.metadata.namespace).toBeUndefined();
});

test('every namespaced object is in llm-shared but the probes\' policies, the GCP side and the gateway proxies\' policy and monitoring; the cluster-scoped ones have no namespace', () => {
  const clusterScoped = ['Namespace', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'PriorityClass', 'ResourceFlavor', 'WorkloadPriorityClass', 'GatewayClass'];
  // Envoy Gateway runs the proxies in its namespace: their own policy and PodMonitoring must be there.
  const proxySide = (m: any) => ['NetworkPolicy', 'PodMonitoring'].includes(m.kind) && m.metadata.name === 'llm-gateway';
  // And KEDA's interceptor, which reaches models that scale to zero, admits only those proxies.
  const interceptorSide = (m: any) => (m.kind === 'NetworkPolicy' && m.metadata.name === 'llm-interceptor') || (m.kind === 'PodMonitoring' && m.metadata.name === 'keda-operator');
  const gcpSide = (m: any) => m.apiVersion.includes('.cnrm.cloud.google.com/') || m.apiVersion.startsWith('generators.external-secrets.io/')
    || (m.kind === 'ExternalSecret' && !m.spec.secretStoreRef);
  const where = (m: any) => (clusterScoped.includes(m.kind) ? undefined : m.metadata.labels['app.kubernetes.io/instance'] === 'probes' ? 'llm-probes'
    : gcpSide(m) ? 'llm-gcp' : proxySide(m) ? 'envoy-gateway-system' : interceptorSide(m) ? 'keda' : 'llm-shared');
  const policiesOf = (ns: string) => shared.filter((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === ns).map((m) => m.metadata.name);
  expect(shared.filter((m) => m.metadata.namespace !== where(m) && !(m.kind === 'NetworkPolicy' && m.metadata.namespace === 'llm-gcp')).map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([]);
  expect(shared.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name)).toEqual(['llm-gcp', 'llm-probes', 'llm-shared']);
  // Nothing runs in llm-gcp: it denies everything, and allows DNS only.
  expect(policiesOf('llm-gcp').sort()).toEqual(['allow-dns', 'default-deny']);
});

test('mlflow-common serves on 5000 from PostgreSQL on Cloud SQL and artifacts in GCS', () => {
  const deployment = find(shared, 'Deployment', 'mlflow-common');
  const mlflow = container(podSpec(deployment), 'mlflow');
  expect(mlflow.image).toBe('ghcr.io/mlflow/mlflow:v2.10.0');
  expect(mlflow.command).toEqual(['mlflow', 'server']);
  expect(mlflow.args).toEqual([
    '--host=0.0.0.0',
    '--port=5000',
    '--backend-store-uri=postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@10.0.0.5:5432/mlflow_common',
    // Base models registered from now on are read from GCS directly by the workspaces' pods.
    '--default-artifact-root=gs://your-gcp-project-mlflow-common/artifacts',
    '--serve-artifacts',
    '--artifacts-destination=gs://your-gcp-project-mlflow-common/artifacts',
  ]);
  expect(env(mlflow, 'POSTGRES_PASSWORD')).toEqual({ secretKeyRef: { name: 'mlflow-db-secret', key: 'POSTGRES_PASSWORD' } });
  expect(mlflow.resources).toEqual({ requests: { 'cpu': '500m', 'memory': '1Gi', 'ephemeral-storage': '1Gi' }, limits: { 'cpu': '2', 'memory': '4Gi', 'ephemeral-storage': '4Gi' } });
  expect(podSpec(deployment).serviceAccountName).toBe('mlflow-common');
  expect(find(shared, 'Service', 'mlflow-common').spec.ports).toEqual([{ name: 'http', port: 5000, targetPort: 5000, protocol: 'TCP' }]);
  expect(find(shared, 'Service', 'mlflow-common').spec.selector).toEqual({ app: 'mlflow-common' });
});

test('each shared component that reaches GCP acts as an identity of its own', () => {
  const identity = (account: string) => find(shared, 'ServiceAccount', account).metadata.annotations['iam.gke.io/gcp-service-account'];
  expect(identity('mlflow-common')).toBe('llm-mlflow-common@your-gcp-project.iam.gserviceaccount.com');
  expect(identity('mlflow-backups')).toBe('llm-backups@your-gcp-project.iam.gserviceaccount.com');
  expect(identity('secret-store')).toBe('llm-shared-secrets@your-gcp-project.iam.gserviceaccount.com');
});

test('the shared layer reads its secrets through a store of its own, usable only in llm-shared', () => {
  const store = find(shared, 'SecretStore', 'gcp-secret-manager');
  expect(store.metadata.namespace).toBe('llm-shared');
  expect(store.spec.provider.gcpsm.auth).toEqual({ workloadIdentity: { serviceAccountRef: { name: 'secret-store' } } });
  expect(shared.filter((o: any) => o.kind === 'ExternalSecret' && o.metadata.namespace === 'llm-shared' && o.spec.secretStoreRef.name !== 'gcp-secret-manager')).toEqual([]);
});

test('database credentials come from Secret Manager through External Secrets', () => {
  const es = find(shared, 'ExternalSecret', 'mlflow-db-secret');
  expect(es.spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: 'gcp-secret-manager' });
  expect(es.spec.data).toEqual([
    { secretKey: 'POSTGRES_USER', remoteRef: { key: 'llm-platform-mlflow-db-common', property: 'username', ...REMOTE_REF_DEFAULTS } },
    { secretKey: 'POSTGRES_PASSWORD', remoteRef: { key: 'llm-platform-mlflow-db-common', property: 'password', ...REMOTE_REF_DEFAULTS } },
  ]);
});

test('prompt-console listens on 8501 behind Service port 80 with the gateway and Strapi URLs', () => {
  const streamlit = container(podSpec(find(shared, 'Deployment', 'prompt-console')), 'streamlit');
  expect(streamlit.image).toBe('eu.gcr.io/your-gcp-project/prompt-console:v1.0.0');
  expect(streamlit.ports).toEqual([{ name: 'http', containerPort: 8501, protocol: 'TCP' }]);
  expect(env(streamlit, 'GATEWAY_URL')).toBe('http://llm-gateway.envoy-gateway-system.svc.cluster.local:8080');
  expect(env(streamlit, 'STRAPI_URL')).toBe('http://strapi.llm-shared.svc.cluster.local:1337');
  expect(streamlit.resources).toEqual({ requests: { 'cpu': '500m', 'memory': '1Gi', 'ephemeral-storage': '1Gi' }, limits: { 'cpu': '2', 'memory': '4Gi', 'ephemeral-storage': '2Gi' } });
  expect(find(shared, 'Service', 'prompt-console').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8501, protocol: 'TCP' }]);
});

test('the console reads Strapi with a token from the store', () => {
  expect(env(container(podSpec(find(shared, 'Deployment', 'prompt-console')), 'streamlit'), 'STRAPI_API_TOKEN')).toEqual({ secretKeyRef: { name: 'strapi-api-token', key: 'STRAPI_API_TOKEN' } });
  expect(find(shared, 'ExternalSecret', 'strapi-api-token').spec.data).toEqual([
    { secretKey: 'STRAPI_API_TOKEN', remoteRef: { key: 'llm-platform-strapi-api-token', ...REMOTE_REF_DEFAULTS } },
  ]);
});

test('strapi serves on 1337 from its own database with keys from Secret Manager', () => {
  const strapi = container(podSpec(find(shared, 'Deployment', 'strapi')), 'strapi');
  expect(strapi.ports[0].containerPort).toBe(1337);
  expect(env(strapi, 'DATABASE_HOST')).toBe('10.0.0.5');
  expect(env(strapi, 'DATABASE_NAME')).toBe('strapi');
  expect(strapi.envFrom).toEqual([{ secretRef: { name: 'strapi-app-secrets' } }]);
  const keys = find(shared, 'ExternalSecret', 'strapi-app-secrets').spec.data.map((d: any) => d.secretKey);
  expect(keys).toEqual(expect.arrayContaining(['APP_KEYS', 'ADMIN_JWT_SECRET', 'JWT_SECRET', 'API_TOKEN_SALT', 'DATABASE_PASSWORD']));
  expect(find(shared, 'Service', 'strapi').spec.ports[0].port).toBe(1337);
});
