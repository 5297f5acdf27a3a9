import { fixture, runName } from './helpers';

/*
 * The flows of the platform, allowed and denied, read off the generated NetworkPolicies
 * of every namespace (the workspaces, llm-shared, llm-probes) by a small evaluator of the
 * NetworkPolicy semantics the output uses (matchLabels, namespaceSelector, ipBlock with
 * except, ports). Each flow of the tables is allowed or denied on purpose.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */

type Labels = Record<string, string>;
interface Pod { readonly namespace: string; readonly labels: Labels }
interface Ip { readonly ip: string }
type Endpoint = Pod | Ip;

const objects = fixture().objects as any[];
const policies = objects.filter((o) => o.kind === 'NetworkPolicy');

/** Namespaces the platform does not make, with the labels an operator gives them. */
const OTHER_NAMESPACES: Record<string, Labels> = {
  'client-apps': { 'llm-platform/gateway-client': 'true' },
  'ci-runners': { 'llm-platform/airflow-trigger': 'true' },
  'gmp-system': {},
  'envoy-gateway-system': {},
  'keda': {},
  'default': {},
  'kube-system': {},
};

const namespaceLabels = (name: string): Labels => ({
  'kubernetes.io/metadata.name': name,
  ...(OTHER_NAMESPACES[name] ?? objects.find((o) => o.kind === 'Namespace' && o.metadata.name === name)?.metadata.labels ?? {}),
});

function selects(selector: any, labels: Labels): boolean {
  if (selector?.matchExpressions) throw new Error('matchExpressions are not used by the platform; extend the evaluator');
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToInt(base) / size) * size;
  return ipToInt(ip) >= start && ipToInt(ip) < start + size;
}

/** Whether `peer` of a policy in `policyNamespace` covers the endpoint. */
function peerCovers(peer: any, policyNamespace: string, e: Endpoint): boolean {
  if (peer.ipBlock) return 'ip' in e && inCidr(e.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((x: string) => inCidr(e.ip, x));
  if (!('namespace' in e)) return false;
  const namespaceOk = peer.namespaceSelector ? selects(peer.namespaceSelector, namespaceLabels(e.namespace)) : e.namespace === policyNamespace;
  return namespaceOk && (peer.podSelector ? selects(peer.podSelector, e.labels) : true);
}

function portCovers(ports: any[] | undefined, port: number, protocol: string): boolean {
  return !ports || ports.length === 0 || ports.some((p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === port));
}

/** Whether `pod`'s side lets the connection through, in one direction. */
function sideAllows(pod: Pod, other: Endpoint, port: number, protocol: string, direction: 'Ingress' | 'Egress'): boolean {
  const relevant = policies.filter((p) => p.metadata.namespace === pod.namespace && selects(p.spec.podSelector, pod.labels) && p.spec.policyTypes.includes(direction));
  if (relevant.length === 0) return true;
  return relevant.some((p) => (direction === 'Ingress' ? p.spec.ingress : p.spec.egress)?.some((rule: any) => {
    const peers = direction === 'Ingress' ? rule.from : rule.to;
    return (!peers || peers.some((peer: any) => peerCovers(peer, p.metadata.namespace, other))) && portCovers(rule.ports, port, protocol);
  }));
}

/** Whether `to`'s own policies admit a connection from `from` (whatever `from`'s side says). */
function admits(to: Pod, from: Endpoint, port: number, protocol = 'TCP'): boolean {
  return sideAllows(to, from, port, protocol, 'Ingress');
}

/** Whether `from`'s own policies let a connection to `to` out (whatever `to`'s side says). */
function sends(from: Pod, to: Endpoint, port: number, protocol = 'TCP'): boolean {
  return sideAllows(from, to, port, protocol, 'Egress');
}

/** Whether a connection from `from` to `to` on `port` is allowed by both sides. */
function allowed(from: Pod, to: Endpoint, port: number, protocol = 'TCP'): boolean {
  return sideAllows(from, to, port, protocol, 'Egress') && (!('namespace' in to) || sideAllows(to, from, port, protocol, 'Ingress'));
}

/** A pod of a workload (Deployment, Job or CronJob), with its template's labels. */
function pod(namespace: string, name: string): Pod {
  const w = objects.find((o) => ['Deployment', 'Job', 'CronJob'].includes(o.kind) && o.metadata.namespace === namespace && o.metadata.name === name);
  if (!w) throw new Error(`no workload ${namespace}/${name}`);
  return { namespace, labels: (w.kind === 'CronJob' ? w.spec.jobTemplate.spec.template : w.spec.template).metadata.labels };
}

const alpha = 'llm-workspace-team-alpha';
const beta = 'llm-workspace-team-beta';
const shared = 'llm-shared';
const mlflow = pod(alpha, 'mlflow');
const webui = pod(alpha, 'llama-factory-webui');
const inference = pod(alpha, 'llama-factory-inference');
const training = pod(alpha, runName(objects, alpha, 'v1'));
// A run the Airflow DAG starts: a pod of the workspace's run template (test/airflow.test.ts fills it in as the DAG does).
const dagRun: Pod = { namespace: alpha, labels: JSON.parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === alpha && o.metadata.name === 'training-run-template')!.data['job.json']).spec.template.metadata.labels };
const stranger: Pod = { namespace: alpha, labels: { app: 'debug' } };
const betaMlflow = pod(beta, 'mlflow');
const betaInference = pod(beta, 'llama-factory-inference-support-bot');
/** Envoy Gateway's pods, labelled as Envoy Gateway labels them (a proxy of Gateway llm-shared/llm-gateway, another Gateway's, the rate-limit service). */
const envoy = (gatewayName: string): Pod => ({
  namespace: 'envoy-gateway-system',
  labels: {
    'app.kubernetes.io/name': 'envoy', 'app.kubernetes.io/component': 'proxy', 'app.kubernetes.io/managed-by': 'envoy-gateway',
    'gateway.envoyproxy.io/owning-gateway-name': gatewayName, 'gateway.envoyproxy.io/owning-gateway-namespace': 'llm-shared',
  },
});
const gateway = envoy('llm-gateway');
const otherGateway = envoy('another-gateway');
const rateLimiter: Pod = { namespace: 'envoy-gateway-system', labels: { 'app.kubernetes.io/name': 'envoy-ratelimit', 'app.kubernetes.io/component': 'ratelimit', 'app.kubernetes.io/managed-by': 'envoy-gateway' } };
const counters = pod(shared, 'llm-gateway-ratelimit');
const jobMetrics = pod(shared, 'llm-job-metrics');
/** KEDA's HTTP interceptor and its scaler, labelled as the add-on's chart labels them. */
const interceptor: Pod = { namespace: 'keda', labels: { 'app.kubernetes.io/component': 'interceptor', 'app.kubernetes.io/name': 'http-add-on' } };
const httpScaler: Pod = { namespace: 'keda', labels: { 'app.kubernetes.io/component': 'scaler', 'app.kubernetes.io/name': 'http-add-on' } };
const console_ = pod(shared, 'prompt-console');
const mlflowCommon = pod(shared, 'mlflow-common');
const mlflowRead = pod(shared, 'mlflow-common-read');
const strapi = pod(shared, 'strapi');
const registrar = pod(shared, 'model-registrar');
const backups = pod(shared, 'mlflow-backups');
const airflow = (component: string): Pod => ({ namespace: shared, labels: { tier: 'airflow', release: 'airflow', component } });
const sharedStranger: Pod = { namespace: shared, labels: { app: 'debug' } };
/** A pod in llm-shared carrying the label that opened every workspace before checks had a namespace of their own. */
const oldProbe: Pod = { namespace: shared, labels: { 'llm-platform/health-probe': 'true' } };
const probe: Pod = { namespace: 'llm-probes', labels: { 'app.kubernetes.io/component': 'helm-test' } };
const clientApp: Pod = { namespace: 'client-apps', labels: { app: 'app-search' } };
const ciRunner: Pod = { namespace: 'ci-runners', labels: { app: 'runner' } };
const collector: Pod = { namespace: 'gmp-system', labels: { 'app.kubernetes.io/name': 'collector' } };
const elsewhere: Pod = { namespace: 'default', labels: { app: 'anything' } };
const kubeDns: Pod = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const cloudSql: Ip = { ip: '10.0.0.5' };
const kubernetesApi: Ip = { ip: '172.16.0.2' };
const googleApi: Ip = { ip: '142.250.74.123' };
const metadata: Ip = { ip: '169.254.169.254' };

const ALLOWED: [string, () => boolean][] = [
  ['every workspace pod resolves names (kube-dns, UDP and TCP 53)', () => [mlflow, webui, inference, training, dagRun, stranger].every((p) => allowed(p, kubeDns, 53, 'UDP') && allowed(p, kubeDns, 53, 'TCP'))],
  ['every shared pod resolves names', () => [counters, console_, mlflowCommon, mlflowRead, strapi, registrar, backups, airflow('scheduler')].every((p) => allowed(p, kubeDns, 53, 'UDP'))],
  ['pods resolve names through NodeLocal DNSCache and Cloud DNS', () => allowed(webui, { ip: '169.254.20.10' }, 53, 'UDP') && allowed(training, metadata, 53, 'UDP')],
  ['the gateway reaches inference on 8000 in every workspace', () => allowed(gateway, inference, 8000) && allowed(gateway, betaInference, 8000)],
  ['the web UI reaches the workspace MLflow', () => allowed(webui, mlflow, 5000)],
  ['the web UI, model loaders and training read base models through mlflow-common-read', () => [webui, inference, training].every((p) => allowed(p, mlflowRead, 8080))],
  ['another workspace\'s MLflow clients read base models through mlflow-common-read too', () => allowed(betaInference, mlflowRead, 8080)],
  ['the model loader (inference pod) and training reach the workspace MLflow', () => allowed(inference, mlflow, 5000) && allowed(training, mlflow, 5000)],
  ['runs that Airflow starts reach their workspace MLflow and mlflow-common-read, and their data bucket, as declared runs do', () => allowed(dagRun, mlflow, 5000) && allowed(dagRun, mlflowRead, 8080) && allowed(dagRun, googleApi, 443) && allowed(dagRun, metadata, 80)],
  ['mlflow-common-read reaches mlflow-common', () => allowed(mlflowRead, mlflowCommon, 5000)],
  ['runs and inference servers move model weights to and from GCS themselves: Google APIs on 443 and the metadata server (Workload Identity)', () => [training, inference].every((p) => allowed(p, googleApi, 443) && allowed(p, metadata, 80) && allowed(p, { ip: '169.254.169.252' }, 988))],
  ['a workspace MLflow reaches Cloud SQL at its address and port', () => allowed(mlflow, cloudSql, 5432)],
  ['a workspace MLflow reaches Google APIs on 443 and the metadata server (Workload Identity)', () => allowed(mlflow, googleApi, 443) && allowed(mlflow, metadata, 80) && allowed(mlflow, { ip: '169.254.169.252' }, 988)],
  ['MLflow reaches public addresses right beside the private ranges (the exceptions are no wider than those)', () => ['9.255.255.255', '11.0.0.1', '172.15.255.255', '172.32.0.1', '192.167.255.255', '192.169.0.1'].every((ip) => allowed(mlflow, { ip }, 443))],
  ['mlflow-common reaches Cloud SQL, Google APIs and the metadata server', () => allowed(mlflowCommon, cloudSql, 5432) && allowed(mlflowCommon, googleApi, 443) && allowed(mlflowCommon, metadata, 80)],
  ['the console reaches the gateway and Strapi', () => allowed(console_, gateway, 8080) && allowed(console_, strapi, 1337)],
  ['Envoy Gateway\'s rate-limit service keeps its counters in the platform\'s Redis', () => allowed(rateLimiter, counters, 6379)],
  ['GKE Managed Prometheus\'s collectors scrape the gateway proxies\' Envoy metrics', () => admits(gateway, collector, 19001)],
  ['the gateway reaches KEDA\'s interceptor (models that scale to zero), and the add-on\'s scaler polls its queues', () => allowed(gateway, interceptor, 8080) && allowed(httpScaler, interceptor, 9090)],
  ['the platform\'s kube-state-metrics reads Jobs from the Kubernetes API, and the collectors scrape it', () => allowed(jobMetrics, kubernetesApi, 443) && allowed(collector, jobMetrics, 8080)],
  ['applications in namespaces labelled as gateway clients reach the gateway', () => allowed(clientApp, gateway, 8080)],
  ['CI runners in namespaces labelled as Airflow triggers reach Airflow\'s API', () => allowed(ciRunner, airflow('webserver'), 8080)],
  ['GKE Managed Prometheus\'s collectors scrape the inference servers\' metrics', () => admits(inference, collector, 8000)],
  ['the model registrar reaches Strapi', () => allowed(registrar, strapi, 1337)],
  ['Strapi reaches its database on Cloud SQL', () => allowed(strapi, cloudSql, 5432)],
  ['the backups call the Cloud SQL Admin API and the metadata server', () => allowed(backups, googleApi, 443) && allowed(backups, metadata, 80)],
  ['Airflow reaches its metadata database and the Kubernetes API', () => ['scheduler', 'webserver', 'worker', 'triggerer'].every((c) => allowed(airflow(c), cloudSql, 5432) && allowed(airflow(c), kubernetesApi, 443))],
  ['the checks of llm-probes reach every workspace server', () => allowed(probe, mlflow, 5000) && allowed(probe, webui, 7860) && allowed(probe, inference, 8000) && allowed(probe, betaMlflow, 5000)],
  ['the checks of llm-probes reach every shared server', () => allowed(probe, mlflowCommon, 5000) && allowed(probe, mlflowRead, 8080) && allowed(probe, gateway, 8080) && allowed(probe, console_, 8501) && allowed(probe, strapi, 1337)],
];

const DENIED: [string, () => boolean][] = [
  ['another workspace reaches this MLflow', () => allowed(betaMlflow, mlflow, 5000) || allowed(betaInference, mlflow, 5000)],
  ['another workspace reaches this inference server or web UI', () => allowed(betaMlflow, inference, 8000) || allowed(betaInference, webui, 7860)],
  ['a workspace pod reaches another workspace\'s MLflow', () => allowed(webui, betaMlflow, 5000) || allowed(training, betaMlflow, 5000)],
  ['a workspace pod reaches mlflow-common itself, where models are registered', () => [mlflow, webui, inference, training, dagRun].some((p) => allowed(p, mlflowCommon, 5000))],
  ['a workspace pod reaches Strapi, the console or Airflow', () => [webui, inference, training, dagRun].some((p) => allowed(p, strapi, 1337) || allowed(p, console_, 8501) || allowed(p, airflow('webserver'), 8080))],
  ['a workspace pod reaches the gateway (clients do; workspaces serve it)', () => [webui, inference, training].some((p) => allowed(p, gateway, 8080))],
  ['a shared pod other than the gateway reaches inference', () => [console_, mlflowCommon, mlflowRead, strapi, registrar, airflow('worker'), sharedStranger].some((p) => allowed(p, inference, 8000))],
  ['the web UI reaches inference directly', () => allowed(webui, inference, 8000)],
  ['a pod that is no MLflow client reaches MLflow or mlflow-common-read', () => allowed(stranger, mlflow, 5000) || allowed(stranger, mlflowRead, 8080)],
  ['anything but MLflow reaches Cloud SQL from a workspace', () => [webui, inference, training, dagRun, stranger].some((p) => allowed(p, cloudSql, 5432))],
  ['a workspace pod that moves no weights (web UI, any other) reaches the metadata server, so it cannot act as the workspace\'s GCP identity', () => [webui, stranger].some((p) => allowed(p, metadata, 80) || allowed(p, { ip: '169.254.169.252' }, 988))],
  ['MLflow reaches a private address of any private range on 443 (only public Google APIs are open)', () => ['10.20.30.40', '172.16.0.1', '172.31.255.254', '192.168.1.1', '192.168.255.254'].some((ip) => allowed(mlflow, { ip }, 443))],
  ['a workspace pod reaches another port outside, or another port of the database host', () => allowed(mlflow, { ip: '142.250.74.123' }, 80) || allowed(mlflow, { ip: '10.0.0.6' }, 5432) || allowed(mlflow, cloudSql, 22)],
  ['a pod other than MLflow, the runs and the inference servers reaches the internet from a workspace', () => [webui, stranger].some((p) => allowed(p, googleApi, 443))],
  ['a run reaches the internet on another port than 443, or a private address', () => allowed(training, googleApi, 80) || allowed(training, { ip: '10.20.30.40' }, 443)],
  ['the gateway reaches inference on another port, or the web UI', () => allowed(gateway, inference, 7860) || allowed(gateway, webui, 7860)],
  ['the proxies of another Gateway, in the same namespace, reach inference', () => allowed(otherGateway, inference, 8000) || allowed(otherGateway, betaInference, 8000)],
  ['the gateway\'s proxies reach Strapi, mlflow-common or a workspace\'s MLflow (they have no egress policy of the platform\'s: the servers refuse them)', () => allowed(gateway, strapi, 1337) || allowed(gateway, mlflowCommon, 5000) || allowed(gateway, mlflow, 5000)],
  ['anything but the gateway reaches KEDA\'s interceptor, which forwards to a model by a header alone', () => [clientApp, webui, training, console_, sharedStranger, elsewhere, otherGateway].some((p) => allowed(p, interceptor, 8080)) || allowed(clientApp, interceptor, 9090)],
  ['the platform\'s kube-state-metrics reaches anything but the Kubernetes API, or anyone but the collectors reaches it', () => allowed(jobMetrics, googleApi, 443) || allowed(jobMetrics, strapi, 1337) || allowed(jobMetrics, mlflow, 5000) || [sharedStranger, webui, elsewhere].some((p) => allowed(p, jobMetrics, 8080))],
  ['anything but Envoy Gateway\'s rate-limit service reaches the rate limits\' counters', () => [gateway, console_, sharedStranger, clientApp, elsewhere, webui].some((p) => allowed(p, counters, 6379))],
  ['the gateway admits by its own policy a workspace pod, a pod of llm-shared other than the console, or another namespace\'s', () => [webui, inference, training, sharedStranger, strapi, elsewhere].some((p) => admits(gateway, p, 8080))],
  ['anyone but the checks reaches the web UI', () => allowed(gateway, webui, 7860) || allowed(betaMlflow, webui, 7860) || allowed(elsewhere, webui, 7860)],
  ['a pod of llm-shared with the old probe label reaches a workspace server', () => allowed(oldProbe, mlflow, 5000) || allowed(oldProbe, inference, 8000) || allowed(oldProbe, webui, 7860)],
  ['a pod of llm-shared that is none of the platform\'s reaches Strapi, mlflow-common, the gateway or Airflow\'s API', () => allowed(sharedStranger, strapi, 1337) || allowed(sharedStranger, mlflowCommon, 5000) || allowed(sharedStranger, gateway, 8080) || allowed(sharedStranger, airflow('webserver'), 8080)],
  ['a pod of another namespace reaches Strapi, mlflow-common, the console or Airflow', () => allowed(elsewhere, strapi, 1337) || allowed(elsewhere, mlflowCommon, 5000) || allowed(elsewhere, console_, 8501) || allowed(elsewhere, airflow('webserver'), 8080)],
  ['a pod of another namespace, not labelled as a gateway client, reaches the gateway', () => allowed(elsewhere, gateway, 8080)],
  ['a pod of another namespace reaches a workspace server', () => allowed(elsewhere, mlflow, 5000) || allowed(elsewhere, inference, 8000)],
  ['a gateway client reaches inference around the gateway', () => allowed(clientApp, inference, 8000)],
  ['another pod of gmp-system, or a collector to another server, is admitted', () => admits(inference, { namespace: 'gmp-system', labels: { app: 'other' } }, 8000) || admits(mlflow, collector, 5000) || admits(webui, collector, 7860)],
  ['a CI runner reaches anything of Airflow but its API, or anything else of the shared layer', () => allowed(ciRunner, airflow('scheduler'), 8080) || allowed(ciRunner, strapi, 1337) || allowed(ciRunner, mlflowCommon, 5000) || allowed(ciRunner, mlflow, 5000)],
  ['the console reaches mlflow-common or inference', () => allowed(console_, mlflowCommon, 5000) || allowed(console_, inference, 8000)],
  ['the console reaches Cloud SQL or the internet', () => [console_].some((p) => allowed(p, cloudSql, 5432) || allowed(p, googleApi, 443))],
  ['Strapi reaches the internet or the metadata server', () => allowed(strapi, googleApi, 443) || allowed(strapi, metadata, 80)],
  ['mlflow-common-read reaches anything but mlflow-common', () => allowed(mlflowRead, cloudSql, 5432) || allowed(mlflowRead, googleApi, 443) || allowed(mlflowRead, metadata, 80) || allowed(mlflowRead, strapi, 1337)],
  ['the registrar reaches anything but Strapi', () => allowed(registrar, gateway, 8080) || allowed(registrar, googleApi, 443) || allowed(registrar, cloudSql, 5432)],
  ['the backups reach Cloud SQL directly (they use the API) or a workspace', () => allowed(backups, cloudSql, 5432) || allowed(backups, mlflow, 5000)],
  ['Airflow reaches the internet, Strapi, mlflow-common or a workspace server', () => ['scheduler', 'worker'].some((c) => allowed(airflow(c), googleApi, 443) || allowed(airflow(c), strapi, 1337) || allowed(airflow(c), mlflowCommon, 5000) || allowed(airflow(c), mlflow, 5000))],
  ['anyone but the checks reaches the Airflow webserver', () => allowed(sharedStranger, airflow('webserver'), 8080) || allowed(webui, airflow('webserver'), 8080)],
  ['Airflow\'s API admits, by its own policy, anyone but the checks and the CI runners', () => [sharedStranger, webui, training, dagRun, elsewhere, clientApp, console_].some((p) => admits(airflow('webserver'), p, 8080))],
  ['the checks reach Cloud SQL, the internet or the Kubernetes API', () => allowed(probe, cloudSql, 5432) || allowed(probe, googleApi, 443) || allowed(probe, kubernetesApi, 443)],
  // Each side on its own: a boundary holds even if the other side's policies were opened.
  ['Strapi, mlflow-common, the console and Airflow refuse workspace pods by their own policies', () => [webui, inference, training, dagRun, stranger, betaMlflow].some((p) => admits(strapi, p, 1337)
    || admits(mlflowCommon, p, 5000) || admits(console_, p, 8501) || admits(airflow('webserver'), p, 8080) || admits(gateway, p, 8080))],
  ['a workspace\'s servers refuse another workspace\'s pods by their own policies', () => admits(mlflow, betaMlflow, 5000) || admits(mlflow, betaInference, 5000) || admits(inference, betaInference, 8000) || admits(webui, betaMlflow, 7860)],
  ['inference refuses every shared pod but the gateway by its own policies', () => [console_, mlflowCommon, mlflowRead, strapi, registrar, backups, airflow('worker'), sharedStranger, oldProbe].some((p) => admits(inference, p, 8000))],
  ['workspace pods may not send to the shared layer\'s servers or another workspace by their own policies', () => [mlflow, webui, inference, training, dagRun].some((p) => sends(p, strapi, 1337)
    || sends(p, mlflowCommon, 5000) || sends(p, console_, 8501) || sends(p, gateway, 8080) || sends(p, betaMlflow, 5000) || sends(p, betaInference, 8000))],
  ['a workspace\'s MLflow and web UI refuse the gateway by their own policies', () => admits(mlflow, gateway, 5000) || admits(webui, gateway, 7860)],
  ['shared pods may not send to a workspace\'s MLflow or web UI by their own policies', () => [console_, mlflowCommon, mlflowRead, strapi, registrar, airflow('scheduler')].some((p) => sends(p, mlflow, 5000) || sends(p, webui, 7860))],
];

describe('allowed flows', () => {
  test.each(ALLOWED)('%s', (_flow, check) => {
    expect(check()).toBe(true);
  });
});

describe('denied flows', () => {
  test.each(DENIED)('%s', (_flow, check) => {
    expect(check()).toBe(false);
  });
});

test('the tables hold at least 40 flows across tenants and the shared layer', () => {
  expect(ALLOWED.length + DENIED.length).toBeGreaterThanOrEqual(40);
});

test('every namespace the platform makes denies by default: the evaluator allows only what a policy names', () => {
  for (const p of [stranger, sharedStranger, probe]) expect(allowed(p, { ip: '1.2.3.4' }, 22)).toBe(false);
  // A namespace without policies allows everything, as Kubernetes does.
  expect(allowed(elsewhere, { ip: '1.2.3.4' }, 22)).toBe(true);
  const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
  const denying = new Set(policies.filter((p) => p.metadata.name === 'default-deny').map((p) => p.metadata.namespace));
  expect(namespaces.filter((n) => !denying.has(n))).toEqual([]);
});
