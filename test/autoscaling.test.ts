import { PlatformInputs } from '../lib/config/types';
import { Manifest } from '../lib/output/render';
import { crdProblems } from '../lib/policy/crd-schema';
import { formatViolation, policyViolations } from '../lib/policy/check';
import { synthShared, synthWorkspace } from '../lib/synth';
import { wakeResponderConfig } from '../lib/serving/wake-responder';
import { splitWorkspace, TENANT_KINDS } from '../lib/workspace/boundary';
import { ArgoCdChart, IGNORE_DIFFERENCES } from '../lib/argocd/argocd-chart';
import { synthChart } from '../lib/output/render';
import { all, find, podSpec, sandbox } from './helpers';
import { promqlProblems } from './promql';

/*
 * Served models that autoscale (KEDA), from workspace files of this test's own: a model
 * that keeps at least two replicas, and one that scales to zero and is woken by its first
 * request.
 */

const WORKSPACE = `name: team-s
quota: { gpus: 8 }
inference:
  models:
    - name: busy
      gpus: 2
      autoscaling: { min: 2, max: 3 }
      gateway: { allowedClients: [app-search] }
    - name: nightly
      autoscaling: { min: 0, max: 2, metric: kvCacheUsage, idleMinutes: 45 }
      gateway: { allowedClients: [app-search] }
`;

function load(files: Record<string, string>): PlatformInputs {
  const box = sandbox(files);
  try {
    return box.load();
  } finally {
    box.remove();
  }
}

/** The problems the loader reports for a workspace file, one per line. */
function problemsOf(file: string): string[] {
  try {
    load({ 'team-s.yaml': file });
  } catch (e) {
    return (e as Error).message.split('\n');
  }
  return [];
}

const inputs = load({ 'team-s.yaml': WORKSPACE });
const ws = inputs.workspaces[0];
const objects = synthWorkspace(inputs.platform, ws);
// The shared layer, and the workspace's gateway objects (they come with it, in llm-shared).
const shared = [...synthShared(inputs.platform, inputs.workspaces), ...objects];
const ns = 'llm-workspace-team-s';
const scaled = (name: string) => find(objects, 'ScaledObject', `llama-factory-inference-${name}`, ns);

/** Whether a label selector selects the labels. */
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('a model that keeps at least one replica (min 2, max 3)', () => {
  test('KEDA decides its replicas between min and max; the Deployment states none, and Argo CD leaves the live ones alone', () => {
    const deployment = find(objects, 'Deployment', 'llama-factory-inference-busy', ns);
    expect(deployment.spec.replicas).toBeUndefined();
    expect(deployment.metadata.labels['llm-platform/autoscaled']).toBe('true');
    expect(IGNORE_DIFFERENCES.find((d) => d.kind === 'Deployment')!.jqPathExpressions).toContain('select(.metadata.labels."llm-platform/autoscaled" == "true") | .spec.replicas');
    // A fixed Deployment is not marked: its replicas are git's.
    expect(all(synthWorkspace(inputs.platform, load({ 'team-s.yaml': 'name: team-s\ninference:\n  models:\n    - name: fixed\n' }).workspaces[0]), 'Deployment').filter((d) => d.metadata.labels['llm-platform/autoscaled'])).toEqual([]);
    const so = scaled('busy');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(so.spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 3 });
    // No wake-up path: it is always up.
    expect(so.spec.triggers.map((t: any) => t.type)).toEqual(['prometheus']);
    expect(all(objects, 'HTTPScaledObject').map((h) => h.metadata.name)).toEqual(['llama-factory-inference-nightly']);
  });

  test('on its waiting requests from Managed Prometheus, 5 a replica by default, read as KEDA\'s GCP identity', () => {
    const [trigger] = scaled('busy').spec.triggers;
    expect(trigger.metricType).toBe('AverageValue');
    expect(trigger.metadata.serverAddress).toBe('https://monitoring.googleapis.com/v1/projects/your-gcp-project/location/global/prometheus');
    // Its own Deployment's pods only (job: the PodMonitoring's name): a canary serves the same model name.
    expect(trigger.metadata.query).toBe('sum(vllm:num_requests_waiting{namespace="llm-workspace-team-s",job="llama-factory-inference-busy",model_name="busy"})');
    expect(find(objects, 'PodMonitoring', 'llama-factory-inference-busy', ns)).toBeDefined();
    expect(trigger.metadata.threshold).toBe('5');
    expect(find(objects, 'TriggerAuthentication', trigger.authenticationRef.name, ns).spec).toEqual({ podIdentity: { provider: 'gcp' } });
    // The identity KEDA acts as may read metrics, and KEDA's chart binds it.
    expect(find(shared, 'IAMPolicyMember', 'shared-keda-metrics').spec.role).toBe('roles/monitoring.viewer');
  });

  test('its disruption budget matches min, and its pods spread over nodes as it may run several', () => {
    const deployment = find(objects, 'Deployment', 'llama-factory-inference-busy', ns);
    const pdb = all(objects, 'PodDisruptionBudget').find((p) => selects(p.spec.selector.matchLabels, deployment.spec.template.metadata.labels));
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(podSpec(deployment).topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    // The rules read the autoscaler: without the budget, a Deployment that always runs two is refused.
    expect(policyViolations(objects.filter((o) => o !== pdb)).map(formatViolation)).toEqual([
      "policy: Deployment llm-workspace-team-s/llama-factory-inference-busy: 'spec.replicas' is more than 1 but no PodDisruptionBudget selects its pods (rule replicated-disruption-budget)",
    ]);
  });

  test('the gateway sends its requests straight to its Service', () => {
    expect(find(shared, 'Backend', 'model-busy').spec.endpoints).toEqual([{ fqdn: { hostname: `llama-inference-busy.${ns}.svc.cluster.local`, port: 8000 } }]);
  });

  test('it alerts when not ready, like a fixed model', () => {
    const alerts = find(objects, 'Rules', 'llm-workspace-alerts', ns).spec.groups.find((g: any) => g.name === 'model-busy').rules.map((r: any) => r.alert);
    expect(alerts).toEqual(['ModelNotReady', 'ModelRequestsWaiting', 'ModelSlowFirstToken', 'ModelIdle']);
  });
});

describe('a model that scales to zero (min 0)', () => {
  test('KEDA scales it away after idleMinutes, and wakes it on a request through the HTTP add-on', () => {
    const so = scaled('nightly');
    expect(so.spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 2, cooldownPeriod: 45 * 60, initialCooldownPeriod: 45 * 60 });
    const [load, requests] = so.spec.triggers;
    expect(load.metadata.query).toBe('sum(vllm:gpu_cache_usage_perc{namespace="llm-workspace-team-s",job="llama-factory-inference-nightly",model_name="nightly"})');
    expect(load.metadata.threshold).toBe('0.8');
    // No series while it is at zero: that is no load, not an error.
    expect(load.metadata.ignoreNullValues).toBe('true');
    expect(requests).toEqual({ type: 'external-push', name: 'requests', metadata: { scalerAddress: 'keda-add-ons-http-external-scaler.keda:9090', httpScaledObject: so.metadata.name } });
    // The add-on must not make a ScaledObject of its own for the same Deployment.
    const http = find(objects, 'HTTPScaledObject', so.metadata.name, ns);
    expect(http.metadata.annotations['httpscaledobject.keda.sh/skip-scaledobject-creation']).toBe('true');
  });

  test('the gateway sends its requests to the interceptor, which knows them by the model header and holds them while it wakes', () => {
    const backend = find(shared, 'Backend', 'model-nightly').spec.endpoints[0].fqdn;
    expect(backend).toEqual({ hostname: 'keda-add-ons-http-interceptor-proxy.keda.svc.cluster.local', port: 8080 });
    const http = find(objects, 'HTTPScaledObject', 'llama-factory-inference-nightly', ns).spec;
    expect(http.headers).toEqual([{ name: 'x-ai-eg-model', value: 'nightly' }]);
    const service = find(objects, 'Service', http.scaleTargetRef.service, ns);
    expect(service.spec.ports.map((p: any) => p.port)).toContain(http.scaleTargetRef.port);
    const deployment = find(objects, 'Deployment', http.scaleTargetRef.name, ns);
    expect(selects(service.spec.selector, deployment.spec.template.metadata.labels)).toBe(true);
  });

  test('a request that finds it asleep waits 30 s, then is answered 503 with Retry-After, never dropped', () => {
    const failover = find(objects, 'HTTPScaledObject', 'llama-factory-inference-nightly', ns).spec.coldStartTimeoutFailoverRef;
    expect(failover.timeoutSeconds).toBe(30);
    const service = find(objects, 'Service', failover.service, ns);
    expect(service.spec.ports.map((p: any) => p.port)).toContain(failover.port);
    const waking = all(objects, 'Deployment').find((d) => selects(service.spec.selector, d.spec.template.metadata.labels));
    const config = find(objects, 'ConfigMap', podSpec(waking).volumes.find((v: any) => v.configMap).configMap.name, ns).data['nginx.conf'];
    expect(config).toBe(wakeResponderConfig());
    expect(config).toMatch(/location \/ \{\n\s+add_header Retry-After 60 always;\n\s+default_type application\/json;\n\s+return 503 '\{"error":/);
    expect(JSON.parse(/return 503 '(.*)';/.exec(config)![1]).error.type).toBe('model_starting');
  });

  test('only the interceptor reaches it and the wake-up answer, besides the gateway\'s path to other models', () => {
    const interceptor = { 'app.kubernetes.io/component': 'interceptor', 'app.kubernetes.io/name': 'http-add-on' };
    const admitting = all(objects, 'NetworkPolicy').filter((p) => p.spec.ingress?.some((r: any) => r.from?.some((peer: any) =>
      peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'keda' && selects(peer.podSelector?.matchLabels ?? {}, interceptor))));
    const pods = (p: any) => all(objects, 'Deployment').filter((d) => selects(p.spec.podSelector.matchLabels, d.spec.template.metadata.labels)).map((d) => d.metadata.name);
    expect(Object.fromEntries(admitting.map((p) => [p.metadata.name, { pods: pods(p), ports: p.spec.ingress[0].ports.map((x: any) => x.port) }]))).toEqual({
      'allow-wake-nightly': { pods: ['llama-factory-inference-nightly'], ports: [8000] },
      'allow-model-waking': { pods: ['model-waking'], ports: [8080] },
    });
  });

  test('the interceptor admits requests from the gateway\'s proxies only (it would forward anyone\'s by the header), and queue polls from the add-on\'s scaler', () => {
    const policy = find(shared, 'NetworkPolicy', 'llm-interceptor', 'keda');
    expect(policy.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/component': 'interceptor', 'app.kubernetes.io/name': 'http-add-on' });
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } }, podSelector: { matchLabels: find(shared, 'NetworkPolicy', 'llm-gateway', 'envoy-gateway-system').spec.podSelector.matchLabels } }], ports: [{ port: 8080, protocol: 'TCP' }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } }, podSelector: { matchLabels: { 'app.kubernetes.io/component': 'scaler', 'app.kubernetes.io/name': 'http-add-on' } } }], ports: [{ port: 9090, protocol: 'TCP' }] },
    ]);
  });

  test('KEDA\'s own metrics are scraped: its chart exports them, and a PodMonitoring in its namespace selects its operator', () => {
    const inputsArgo = synthChart((app) => new ArgoCdChart(app, 'argocd', { platform: inputs.platform, workspaces: ['team-s'] }));
    const values = find(inputsArgo, 'Application', 'keda').spec.source.helm.valuesObject;
    expect(values.prometheus.operator).toEqual({ enabled: true, port: 8080 });
    const monitoring = find(shared, 'PodMonitoring', 'keda-operator', 'keda');
    expect(monitoring.spec.selector.matchLabels).toEqual({ app: 'keda-operator' });
    expect(monitoring.spec.endpoints[0].port).toBe('metrics');
  });

  test('autoscaling belongs to the platform: its objects sync with the boundary, never from a team\'s folder', () => {
    const { boundary, tenant } = splitWorkspace(objects, ns);
    const kinds = ['ScaledObject', 'HTTPScaledObject', 'TriggerAuthentication'];
    expect(tenant.filter((o) => kinds.includes(o.kind))).toEqual([]);
    expect([...new Set(boundary.filter((o) => kinds.includes(o.kind)).map((o) => o.kind))].sort()).toEqual(['HTTPScaledObject', 'ScaledObject', 'TriggerAuthentication']);
    expect(TENANT_KINDS.filter((k) => kinds.includes(k.kind))).toEqual([]);
  });

  test('no PodDisruptionBudget (it may have no pod), and no alert for being down or idle, which it is by design', () => {
    const deployment = find(objects, 'Deployment', 'llama-factory-inference-nightly', ns);
    expect(all(objects, 'PodDisruptionBudget').filter((p) => selects(p.spec.selector.matchLabels, deployment.spec.template.metadata.labels))).toEqual([]);
    const alerts = find(objects, 'Rules', 'llm-workspace-alerts', ns).spec.groups.find((g: any) => g.name === 'model-nightly').rules.map((r: any) => r.alert);
    expect(alerts).toEqual(['ModelRequestsWaiting', 'ModelSlowFirstToken']);
  });
});

describe('both', () => {
  test('every KEDA object validates against its CRD (KEDA v2.20.2, HTTP add-on v0.15.0), and every query parses as PromQL', () => {
    const keda = objects.filter((o) => /keda\.sh\//.test(o.apiVersion));
    expect([...new Set(keda.map((o) => o.kind))].sort()).toEqual(['HTTPScaledObject', 'ScaledObject', 'TriggerAuthentication']);
    expect(keda.flatMap((o) => crdProblems(o).map((p) => `${o.kind}/${o.metadata.name}: ${p}`))).toEqual([]);
    const queries = all(objects, 'ScaledObject').flatMap((s) => s.spec.triggers.filter((t: any) => t.type === 'prometheus').map((t: any) => t.metadata.query));
    expect(queries).toHaveLength(2);
    expect(queries.flatMap(promqlProblems)).toEqual([]);
  });

  test('the quota and the training queue count each model at its max', () => {
    // 2 GPUs x 3 (busy) + 1 x 2 (nightly) = 8, the quota: training gets none of its own.
    const queue = find(objects, 'ClusterQueue', ns);
    const gpus = queue.spec.resourceGroups.flatMap((g: any) => g.flavors.flatMap((f: any) => f.resources)).filter((r: any) => r.name === 'nvidia.com/gpu');
    expect(gpus.every((r: any) => r.nominalQuota === 0)).toBe(true);
    expect(problemsOf(WORKSPACE.replace('max: 3', 'max: 4'))).toEqual([
      "workspaces/team-s.yaml:2:16 'quota.gpus' is 8, but the servers ask for 10 GPUs (inference 'busy' 4x2, inference 'nightly' 2x1); raise 'quota.gpus' or ask for fewer",
    ]);
  });

  test('a suspended workspace has no autoscaler: nothing may start its models', () => {
    const suspended = load({ 'team-s.yaml': `${WORKSPACE.replace('name: team-s\n', 'name: team-s\nstate: suspended\n')}` });
    const out: Manifest[] = synthWorkspace(suspended.platform, suspended.workspaces[0]);
    expect(out.filter((o) => /keda\.sh\//.test(o.apiVersion) || o.metadata.name === 'model-waking')).toEqual([]);
    expect(all(out, 'Deployment').filter((d) => d.metadata.name.startsWith('llama-factory-inference')).map((d) => d.spec.replicas)).toEqual([0, 0]);
  });

  test('bad autoscaling is refused with the line to fix', () => {
    expect(problemsOf(WORKSPACE.replace('{ min: 2, max: 3 }', '{ min: 3, max: 2 }'))).toEqual([
      "workspaces/team-s.yaml:7:27 'inference.models[0].autoscaling.min' is 3, more than its max 2",
    ]);
    expect(problemsOf(WORKSPACE.replace('metric: kvCacheUsage,', 'metric: kvCacheUsage, target: 80,'))).toEqual([
      "workspaces/team-s.yaml:10:68 'inference.models[1].autoscaling.target' is 80, but a KV-cache share is at most 1 (0.8 is 80%)",
    ]);
    expect(problemsOf(WORKSPACE.replace('{ min: 2, max: 3 }', '{ min: 2, max: 3, target: 0.5 }'))).toEqual([
      "workspaces/team-s.yaml:7:46 'inference.models[0].autoscaling.target' is 0.5 waiting requests a replica; give at least 1 (did you mean metric: kvCacheUsage?)",
    ]);
    expect(problemsOf(WORKSPACE.replace('      gpus: 2\n', '      gpus: 2\n      replicas: 2\n'))).toEqual([
      "workspaces/team-s.yaml:7:17 'inference.models[0].replicas' is set beside 'autoscaling', which decides the replicas; remove one of them",
    ]);
    expect(problemsOf(WORKSPACE.replace('idleMinutes: 45', 'idleMinutes: 1'))).toEqual([
      "workspaces/team-s.yaml:10:73 'inference.models[1].autoscaling.idleMinutes' must be a whole number of minutes from 5 to 1440, got 1",
    ]);
  });
});
