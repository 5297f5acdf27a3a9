import { fixture } from './helpers';

/*
 * The flows of the platform, allowed and denied, read off the generated NetworkPolicies
 * by a small evaluator of the NetworkPolicy semantics the output uses (matchLabels,
 * namespaceSelector, ipBlock with except, ports).
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */

type Labels = Record<string, string>;
interface Pod { readonly namespace: string; readonly labels: Labels }
interface Ip { readonly ip: string }
type Endpoint = Pod | Ip;

const objects = fixture().objects as any[];
const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
const namespaceLabels = (name: string): Labels => ({
  'kubernetes.io/metadata.name': name,
  ...(objects.find((o) => o.kind === 'Namespace' && o.metadata.name === name)?.metadata.labels ?? {}),
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

/** Whether a connection from `from` to `to` on `port` is allowed by both sides. */
function allowed(from: Pod, to: Endpoint, port: number, protocol = 'TCP'): boolean {
  return sideAllows(from, to, port, protocol, 'Egress') && (!('namespace' in to) || sideAllows(to, from, port, protocol, 'Ingress'));
}

/** A pod of a Deployment, with its template's labels. */
function pod(namespace: string, deployment: string): Pod {
  const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.namespace === namespace && o.metadata.name === deployment);
  if (!d) throw new Error(`no Deployment ${namespace}/${deployment}`);
  return { namespace, labels: d.spec.template.metadata.labels };
}

const alpha = 'llm-workspace-team-alpha';
const beta = 'llm-workspace-team-beta';
const mlflow = pod(alpha, 'mlflow');
const webui = pod(alpha, 'llama-factory-webui');
const inference = pod(alpha, 'llama-factory-inference');
const training: Pod = { namespace: alpha, labels: { kubernetes_pod_operator: 'True', dag_id: 'llm_finetune_workflow' } };
const stranger: Pod = { namespace: alpha, labels: { app: 'debug' } };
const betaMlflow = pod(beta, 'mlflow');
const betaInference = pod(beta, 'llama-factory-inference-support-bot');
const gateway = pod('llm-shared', 'llm-gateway');
const console_ = pod('llm-shared', 'prompt-console');
const mlflowCommon = pod('llm-shared', 'mlflow-common');
const probe: Pod = { namespace: 'llm-shared', labels: { 'llm-platform/health-probe': 'true' } };
const kubeDns: Pod = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const cloudSql: Ip = { ip: '10.0.0.5' };

describe('allowed flows', () => {
  test.each([
    ['every workspace pod resolves names (kube-dns, UDP and TCP 53)', () => [mlflow, webui, inference, training, stranger].every((p) => allowed(p, kubeDns, 53, 'UDP') && allowed(p, kubeDns, 53, 'TCP'))],
    ['every workspace pod resolves names through NodeLocal DNSCache', () => allowed(webui, { ip: '169.254.20.10' }, 53, 'UDP')],
    ['the gateway reaches inference on 8000', () => allowed(gateway, inference, 8000) && allowed(gateway, betaInference, 8000)],
    ['the web UI reaches the workspace MLflow and mlflow-common', () => allowed(webui, mlflow, 5000) && allowed(webui, mlflowCommon, 5000)],
    ['the model loader (inference pod) reaches the workspace MLflow', () => allowed(inference, mlflow, 5000) && allowed(inference, mlflowCommon, 5000)],
    ['training pods that Airflow starts reach both MLflows', () => allowed(training, mlflow, 5000) && allowed(training, mlflowCommon, 5000)],
    ['MLflow reaches Cloud SQL at its address and port', () => allowed(mlflow, cloudSql, 5432)],
    ['MLflow reaches Google APIs on 443 (artifacts in GCS) and the metadata server (Workload Identity)', () => allowed(mlflow, { ip: '142.250.74.123' }, 443) && allowed(mlflow, { ip: '169.254.169.254' }, 80) && allowed(mlflow, { ip: '169.254.169.252' }, 988)],
    ['MLflow reaches public addresses right beside the private ranges (the exceptions are no wider than those)', () => ['9.255.255.255', '11.0.0.1', '172.15.255.255', '172.32.0.1', '192.167.255.255', '192.169.0.1'].every((ip) => allowed(mlflow, { ip }, 443))],
    ['every workspace pod resolves names through Cloud DNS (the metadata server on 53)', () => allowed(training, { ip: '169.254.169.254' }, 53, 'UDP')],
    ['the helm test probes reach MLflow, the web UI and inference', () => allowed(probe, mlflow, 5000) && allowed(probe, webui, 7860) && allowed(probe, inference, 8000)],
  ])('%s', (_flow, check) => {
    expect(check()).toBe(true);
  });
});

describe('denied flows', () => {
  test.each([
    ['another workspace reaches this MLflow', () => allowed(betaMlflow, mlflow, 5000) || allowed(betaInference, mlflow, 5000)],
    ['another workspace reaches this inference server', () => allowed(betaMlflow, inference, 8000)],
    ['a workspace pod reaches another workspace\'s MLflow', () => allowed(webui, betaMlflow, 5000)],
    ['a shared pod other than the gateway reaches inference', () => allowed(console_, inference, 8000) || allowed(mlflowCommon, inference, 8000)],
    ['the web UI reaches inference directly', () => allowed(webui, inference, 8000)],
    ['a pod that is no MLflow client reaches MLflow', () => allowed(stranger, mlflow, 5000)],
    ['anything but MLflow reaches Cloud SQL', () => [webui, inference, training, stranger].some((p) => allowed(p, cloudSql, 5432))],
    ['MLflow reaches a private address of any private range on 443 (only public Google APIs are open)', () => ['10.20.30.40', '172.16.0.1', '172.31.255.254', '192.168.1.1', '192.168.255.254'].some((ip) => allowed(mlflow, { ip }, 443))],
    ['a workspace pod reaches another port outside, or another port of the database host', () => allowed(mlflow, { ip: '142.250.74.123' }, 80) || allowed(mlflow, { ip: '10.0.0.6' }, 5432) || allowed(mlflow, cloudSql, 22)],
    ['a pod other than MLflow reaches the internet: MLflow serves the artifacts', () => [webui, inference, training, stranger].some((p) => allowed(p, { ip: '142.250.74.123' }, 443))],
    ['the gateway reaches inference on another port', () => allowed(gateway, inference, 7860)],
    ['anyone outside reaches the web UI but the probes', () => allowed(gateway, webui, 7860) || allowed(betaMlflow, webui, 7860)],
  ])('%s', (_flow, check) => {
    expect(check()).toBe(false);
  });
});

test('the evaluator denies what no policy allows once a default-deny exists, and allows without policies', () => {
  expect(allowed(stranger, { ip: '1.2.3.4' }, 22)).toBe(false);
  expect(allowed(gateway, { ip: '1.2.3.4' }, 22)).toBe(true);
});
