import { Manifest } from '../lib/output/render';
import { checkObjects, formatViolation, policyViolations } from '../lib/policy/check';
import { airflowValues } from '../lib/operators';
import { POLICY_EXCEPTIONS } from '../lib/policy/exceptions';
import { RULES } from '../lib/policy/rules';
import { synthShared, synthWorkspace } from '../lib/synth';
import { all, find, fixture, runName } from './helpers';
import { spreadOver } from '../lib/components/web-server';

/*
 * The policy step: every rule passes on the fixtures and fails, with a message naming
 * object, field and rule, on an object that breaks it.
 */

const inputs = fixture().inputs;
const workspace = synthWorkspace(inputs.platform, inputs.workspaces[0]);
const shared = synthShared(inputs.platform);
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

/** The workspace with one object changed by `edit`. */
function broken(kind: string, name: string, edit: (o: any) => void, objects: readonly Manifest[] = workspace): Manifest[] {
  return objects.map((o) => {
    if (o.kind !== kind || o.metadata.name !== name) return o;
    const copy = clone(o);
    edit(copy);
    return copy;
  });
}

const messages = (objects: readonly Manifest[]) => policyViolations(objects).map(formatViolation);
const ns = 'llm-workspace-team-alpha';
const RUN = runName(workspace, ns, 'v1');

test('the fixtures break no rule and pass their schemas', () => {
  expect(checkObjects(workspace)).toEqual([]);
  expect(checkObjects(shared)).toEqual([]);
});

const cases: [string, Manifest[], string][] = [
  ['gpu-pods-queued', broken('Job', RUN, (j) => { delete j.metadata.labels['kueue.x-k8s.io/queue-name']; }),
    `policy: Job ${ns}/${RUN}: 'metadata.labels['kueue.x-k8s.io/queue-name']' must be 'training' (rule gpu-pods-queued)`],
  ['volume-single-node', broken('Deployment', 'llama-factory-inference', (d) => {
    const cache = d.spec.template.spec.volumes.find((vol: any) => vol.name === 'model-cache');
    delete cache.ephemeral;
    cache.persistentVolumeClaim = { claimName: 'model-storage-pvc' };
  }), `policy: PersistentVolumeClaim ${ns}/model-storage-pvc: 'spec.accessModes' is ReadWriteOnce, but 2 pods mount it (Deployment llama-factory-inference x1, Deployment llama-factory-webui x1); pods on different nodes cannot share it (rule volume-single-node)`],
  ['pod-non-root', broken('Deployment', 'mlflow', (d) => { d.spec.template.spec.securityContext.runAsNonRoot = false; }),
    `policy: Deployment ${ns}/mlflow: 'spec.template.spec.securityContext.runAsNonRoot' must be true (rule pod-non-root)`],
  ['pod-seccomp', broken('Deployment', 'mlflow', (d) => { delete d.spec.template.spec.securityContext.seccompProfile; }),
    `policy: Deployment ${ns}/mlflow: 'spec.template.spec.securityContext.seccompProfile.type' must be 'RuntimeDefault' (rule pod-seccomp)`],
  ['pod-no-token', broken('Deployment', 'mlflow', (d) => { delete d.spec.template.spec.automountServiceAccountToken; }),
    `policy: Deployment ${ns}/mlflow: 'spec.template.spec.automountServiceAccountToken' must be false (rule pod-no-token)`],
  ['container-no-privilege-escalation', broken('Deployment', 'llama-factory-inference', (d) => { d.spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation = true; }),
    `policy: Deployment ${ns}/llama-factory-inference: 'spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation' must be false (rule container-no-privilege-escalation)`],
  ['container-drop-all-capabilities', broken('Deployment', 'mlflow', (d) => { d.spec.template.spec.containers[0].securityContext.capabilities = { drop: ['NET_RAW'] }; }),
    `policy: Deployment ${ns}/mlflow: 'spec.template.spec.containers[0].securityContext.capabilities.drop' must include 'ALL' (rule container-drop-all-capabilities)`],
  ['pod-host-isolation', broken('Deployment', 'mlflow', (d) => { d.spec.template.spec.hostNetwork = true; d.spec.template.spec.volumes.push({ name: 'h', hostPath: { path: '/' } }); }),
    `policy: Deployment ${ns}/mlflow: 'spec.template.spec.hostNetwork' must not be true (rule pod-host-isolation)`],
  ['container-unprivileged', broken('Deployment', 'mlflow', (d) => { d.spec.template.spec.containers[0].securityContext.privileged = true; }),
    `policy: Deployment ${ns}/mlflow: 'spec.template.spec.containers[0].securityContext.privileged' must not be true (rule container-unprivileged)`],
  ['container-read-only-root', broken('Deployment', 'mlflow', (d) => { d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false; }),
    `policy: Deployment ${ns}/mlflow: 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem' must be true (rule container-read-only-root)`],
  ['empty-dir-bounded', broken('Deployment', 'mlflow', (d) => { delete d.spec.template.spec.volumes.find((vol: any) => vol.name === 'tmp').emptyDir.sizeLimit; }),
    `policy: Deployment ${ns}/mlflow: 'spec.template.spec.volumes[0].emptyDir.sizeLimit' must be set (rule empty-dir-bounded)`],
  ['container-resources', broken('Deployment', 'mlflow', (d) => { delete d.spec.template.spec.containers[0].resources.limits.memory; }),
    `policy: Deployment ${ns}/mlflow: 'spec.template.spec.containers[0].resources.limits.memory' must be set (rule container-resources)`],
  ['server-probes', broken('Deployment', 'mlflow', (d) => { delete d.spec.template.spec.containers[0].readinessProbe; }),
    `policy: Deployment ${ns}/mlflow: 'spec.template.spec.containers[0].readinessProbe' must be set (rule server-probes)`],
  ['image-pinned', broken('Deployment', 'mlflow', (d) => { d.spec.template.spec.containers[0].image = 'ghcr.io/mlflow/mlflow:latest'; }),
    `policy: Deployment ${ns}/mlflow: 'spec.template.spec.containers[0].image' must carry a pinned tag, got 'ghcr.io/mlflow/mlflow:latest' (rule image-pinned)`],
  ['namespace-pod-security', broken('Namespace', ns, (n) => { n.metadata.labels['pod-security.kubernetes.io/enforce'] = 'privileged'; }),
    `policy: Namespace ${ns}: 'metadata.labels['pod-security.kubernetes.io/enforce']' must be 'restricted' (rule namespace-pod-security)`],
  ['namespace-default-deny', workspace.filter((o) => o.metadata.name !== 'default-deny'),
    `policy: Namespace ${ns}: 'metadata.name' has no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules) (rule namespace-default-deny)`],
  ['workspace-quota', broken('ResourceQuota', 'workspace-quota', (q) => { delete q.spec.hard['requests.nvidia.com/gpu']; }),
    `policy: Namespace ${ns}: 'metadata.name' has no ResourceQuota with requests.nvidia.com/gpu (rule workspace-quota)`],
  ['replicated-topology-spread', broken('Deployment', 'mlflow-common-read', (d) => { delete d.spec.template.spec.topologySpreadConstraints; }, shared),
    "policy: Deployment llm-shared/mlflow-common-read: 'spec.template.spec.topologySpreadConstraints' must spread its pods over nodes ('kubernetes.io/hostname', maxSkew 1, DoNotSchedule) (rule replicated-topology-spread)"],
  ['configmap-size', broken('ConfigMap', 'mlflow-config', (c) => { c.data.BIG = 'x'.repeat(2 ** 20); }),
    `policy: ConfigMap ${ns}/mlflow-config: 'data' holds 1.0 MiB; a ConfigMap holds at most 1 MiB (rule configmap-size)`],
  ['server-priority', broken('Deployment', 'mlflow', (d) => { d.spec.template.spec.priorityClassName = 'llm-training'; }),
    `policy: Deployment ${ns}/mlflow: 'spec.template.spec.priorityClassName' must be 'llm-services' (rule server-priority)`],
  ['no-cluster-admin', broken('RoleBinding', 'airflow-run-launcher', (b) => { b.roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }; }),
    `policy: RoleBinding ${ns}/airflow-run-launcher: 'roleRef' must be a Role of its namespace, not cluster-wide (rule no-cluster-admin)`],
  ['people-least-privilege', [...workspace,
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'helpful', namespace: ns }, rules: [{ apiGroups: [''], resources: ['pods/exec', 'secrets'], verbs: ['create', 'get'] }] } as Manifest,
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'helpful', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'helpful' }, subjects: [{ kind: 'Group', name: 'team@example.com' }] } as Manifest],
    `policy: Role ${ns}/helpful: 'rules[0]' must not grant secrets (bound to people by RoleBinding helpful) (rule people-least-privilege)`],
  ['replicated-disruption-budget', broken('Deployment', 'mlflow', (d) => { d.spec.replicas = 3; d.spec.template.spec.topologySpreadConstraints = spreadOver(d.spec.selector.matchLabels); }),
    `policy: Deployment ${ns}/mlflow: 'spec.replicas' is more than 1 but no PodDisruptionBudget selects its pods (rule replicated-disruption-budget)`],
  ['no-secret-objects', [...workspace, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: ns } } as Manifest],
    `policy: Secret ${ns}/db: 'kind' must not be Secret; use an ExternalSecret (rule no-secret-objects)`],
  ['external-secret-from-store', broken('ExternalSecret', 'mlflow-db-secret', (e) => { e.spec.target.template = { data: { POSTGRES_PASSWORD: 'hunter2', POSTGRES_USER: '{{ .username }}' } }; }),
    `policy: ExternalSecret ${ns}/mlflow-db-secret: 'spec.target.template.data.POSTGRES_PASSWORD' must build on a value from the store ({{ .<key> }}), not be written in git (rule external-secret-from-store)`],
  ['stateful-kept', broken('PersistentVolumeClaim', 'model-storage-pvc', (p) => { p.metadata.annotations['argocd.argoproj.io/sync-options'] = 'Prune=false'; }),
    `policy: PersistentVolumeClaim ${ns}/model-storage-pvc: 'metadata.annotations['argocd.argoproj.io/sync-options']' must hold 'Prune=false,Delete=false' (rule stateful-kept)`],
  ['gcp-scoped-bindings', broken('IAMPolicyMember', 'ws-team-alpha-mlflow-artifacts-object-admin', (m) => { m.spec.resourceRef = { kind: 'Project', external: 'projects/your-gcp-project' }; }),
    "policy: IAMPolicyMember llm-gcp/ws-team-alpha-mlflow-artifacts-object-admin: 'spec.resourceRef' is a whole Project: bind on the resource itself, or add a condition naming it (resource.name == ...) (rule gcp-scoped-bindings)"],
  ['gcp-names', broken('StorageBucket', 'ws-team-alpha-mlflow-artifacts', (b) => { b.spec.resourceID = 'googlers-artifacts'; }),
    "policy: StorageBucket llm-gcp/ws-team-alpha-mlflow-artifacts: 'spec.resourceID' must not start with 'goog' (rule gcp-names)"],
];

test('fails on a GCP object that Config Connector would delete with its object, or on an editor binding', () => {
  const deleted = broken('SQLDatabase', 'ws-team-alpha-mlflow-db-database', (d) => { delete d.metadata.annotations['cnrm.cloud.google.com/deletion-policy']; });
  expect(messages(deleted)).toEqual([
    "policy: SQLDatabase llm-gcp/ws-team-alpha-mlflow-db-database: 'metadata.annotations['cnrm.cloud.google.com/deletion-policy']' must be 'abandon' (rule stateful-kept)",
  ]);
  // The generated password is data too: a new one could not reach the secret's immutable version.
  const regenerated = broken('ExternalSecret', 'ws-team-alpha-mlflow-db-password', (e) => { delete e.metadata.annotations['helm.sh/resource-policy']; });
  expect(messages(regenerated)).toEqual([
    "policy: ExternalSecret llm-gcp/ws-team-alpha-mlflow-db-password: 'metadata.annotations['helm.sh/resource-policy']' must be 'keep' (rule stateful-kept)",
  ]);
  const editor = broken('IAMPolicyMember', 'ws-team-alpha-mlflow-db-accessor', (m) => { m.spec.role = 'roles/editor'; });
  expect(messages(editor)).toEqual([
    "policy: IAMPolicyMember llm-gcp/ws-team-alpha-mlflow-db-accessor: 'spec.role' must not be a basic role; grant a predefined role for the one thing needed (rule gcp-scoped-bindings)",
  ]);
  // The backups' one project binding passes because its condition names the instance; without it, it fails.
  const backups = broken('IAMPolicyMember', 'shared-backups-export', (m) => { delete m.spec.condition; }, shared);
  expect(messages(backups)).toEqual([
    "policy: IAMPolicyMember llm-gcp/shared-backups-export: 'spec.resourceRef' is a whole Project: bind on the resource itself, or add a condition naming it (resource.name == ...) (rule gcp-scoped-bindings)",
  ]);
});

test('a replicated server spreads over nodes (required) and zones (preferred); every server has its priority', () => {
  const read = find(shared, 'Deployment', 'mlflow-common-read');
  expect(read.spec.replicas).toBeGreaterThan(1);
  expect(read.spec.template.spec.topologySpreadConstraints).toEqual([
    { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: read.spec.selector, matchLabelKeys: ['pod-template-hash'] },
    { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: read.spec.selector, matchLabelKeys: ['pod-template-hash'] },
  ]);
  // One replica: nothing to spread.
  expect(find(workspace, 'Deployment', 'mlflow').spec.template.spec.topologySpreadConstraints).toBeUndefined();
  const soft = broken('Deployment', 'mlflow-common-read', (d) => { d.spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable = 'ScheduleAnyway'; }, shared);
  expect(messages(soft)).toEqual([
    "policy: Deployment llm-shared/mlflow-common-read: 'spec.template.spec.topologySpreadConstraints' must spread its pods over nodes ('kubernetes.io/hostname', maxSkew 1, DoNotSchedule) (rule replicated-topology-spread)",
  ]);
  const otherPods = broken('Deployment', 'mlflow-common-read', (d) => { for (const c of d.spec.template.spec.topologySpreadConstraints) c.labelSelector = { matchLabels: { app: 'other' } }; }, shared);
  expect(messages(otherPods)).toHaveLength(2);
  expect(find(shared, 'PriorityClass', 'llm-services')).toMatchObject({ value: 10000, preemptionPolicy: 'PreemptLowerPriority' });
  for (const d of [...all(shared, 'Deployment'), ...all(workspace, 'Deployment')]) {
    expect([d.metadata.name, d.spec.template.spec.priorityClassName]).toEqual([d.metadata.name, d.metadata.name.startsWith('llama-factory-inference') ? 'llm-inference' : 'llm-services']);
  }
});

test.each(cases)('fails on an object that breaks %s', (_rule, objects, message) => {
  expect(messages(objects)[0]).toBe(message);
  expect(messages(objects).every((m) => m.endsWith(`(rule ${_rule})`))).toBe(true);
});

test('fails on every way a GPU pod can skip the queue or outrank a server', () => {
  const objects = broken('Deployment', 'llama-factory-inference', (d) => { delete d.spec.template.spec.priorityClassName; },
    broken('Job', RUN, (j) => { j.spec.suspend = false; j.spec.template.spec.priorityClassName = 'llm-inference'; }));
  expect(messages(objects)).toEqual([
    `policy: Deployment ${ns}/llama-factory-inference: 'spec.template.spec.priorityClassName' must be 'llm-inference' (rule gpu-pods-queued)`,
    `policy: Job ${ns}/${RUN}: 'spec.template.spec.priorityClassName' must be 'llm-training' (rule gpu-pods-queued)`,
    `policy: Job ${ns}/${RUN}: 'spec.suspend' must be true (Kueue starts it) (rule gpu-pods-queued)`,
  ]);
});

test('fails on every way a pod can reach the node or root', () => {
  const objects = broken('Deployment', 'mlflow', (d) => {
    const spec = d.spec.template.spec;
    Object.assign(spec, { hostPID: true, hostIPC: true });
    spec.securityContext.runAsUser = 0;
    spec.volumes.push({ name: 'h', hostPath: { path: '/' } });
    Object.assign(spec.containers[0].securityContext, { capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] }, runAsUser: 0, runAsNonRoot: false });
  });
  const found = messages(objects).map((m) => m.replace(/^policy: Deployment \S+: /, ''));
  expect(found).toEqual(expect.arrayContaining([
    "'spec.template.spec.hostPID' must not be true (rule pod-host-isolation)",
    "'spec.template.spec.hostIPC' must not be true (rule pod-host-isolation)",
    "'spec.template.spec.securityContext.runAsUser' must not be 0 (rule pod-host-isolation)",
    expect.stringMatching(/^'spec.template.spec.volumes\[\d+\].hostPath' must not be used \(rule pod-host-isolation\)$/),
    "'spec.template.spec.containers[0].securityContext.capabilities.add' must be empty (rule container-unprivileged)",
    "'spec.template.spec.containers[0].securityContext.runAsUser' must not be 0 (rule container-unprivileged)",
    "'spec.template.spec.containers[0].securityContext.runAsNonRoot' must not be false (rule container-unprivileged)",
  ]));
});

test('fails on an ExternalSecret whose template comes from elsewhere, and passes one that only arranges fetched values', () => {
  const fromConfigMap = broken('ExternalSecret', 'mlflow-db-secret', (e) => { e.spec.target.template = { templateFrom: [{ configMap: { name: 'x', items: [{ key: 'k' }] } }] }; });
  expect(messages(fromConfigMap)).toEqual([
    `policy: ExternalSecret ${ns}/mlflow-db-secret: 'spec.target.template.templateFrom' must not be used: a template kept in a ConfigMap or Secret can hold values of its own (rule external-secret-from-store)`,
  ]);
  const arranged = broken('ExternalSecret', 'mlflow-db-secret', (e) => { e.spec.target.template = { data: { URI: 'postgresql://{{ .username }}:{{ .password }}@db/mlflow' } }; });
  expect(messages(arranged)).toEqual([]);
});

test('fails on a workspace quota that would admit another secret store, a PushSecret or more ExternalSecrets', () => {
  const loose = broken('ResourceQuota', 'workspace-quota', (q) => {
    q.spec.hard['count/secretstores.external-secrets.io'] = 2;
    delete q.spec.hard['count/pushsecrets.external-secrets.io'];
    q.spec.hard['count/externalsecrets.external-secrets.io'] = 5;
  });
  expect(messages(loose)).toEqual([
    `policy: Namespace ${ns}: 'metadata.name' has no ResourceQuota holding count/secretstores.external-secrets.io to 1 (rule workspace-quota)`,
    `policy: Namespace ${ns}: 'metadata.name' has no ResourceQuota holding count/externalsecrets.external-secrets.io to 1 (rule workspace-quota)`,
    `policy: Namespace ${ns}: 'metadata.name' has no ResourceQuota holding count/pushsecrets.external-secrets.io to 0 (rule workspace-quota)`,
  ]);
});

test('fails on a container without local-disk (ephemeral-storage) figures', () => {
  const unbounded = broken('Job', RUN, (j) => { delete j.spec.template.spec.containers[0].resources.requests['ephemeral-storage']; delete j.spec.template.spec.initContainers[0].resources.limits['ephemeral-storage']; });
  expect(messages(unbounded)).toEqual([
    `policy: Job ${ns}/${RUN}: 'spec.template.spec.initContainers[0].resources.limits.ephemeral-storage' must be set (rule container-resources)`,
    `policy: Job ${ns}/${RUN}: 'spec.template.spec.containers[0].resources.requests.ephemeral-storage' must be set (rule container-resources)`,
  ]);
});

test('fails on the shared layer, the GCP or the probes\' namespace without a default-deny policy', () => {
  const open = shared.filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny'));
  expect(messages(open)).toEqual([
    "policy: Namespace llm-gcp: 'metadata.name' has no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules) (rule namespace-default-deny)",
    "policy: Namespace llm-probes: 'metadata.name' has no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules) (rule namespace-default-deny)",
    "policy: Namespace llm-shared: 'metadata.name' has no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules) (rule namespace-default-deny)",
  ]);
});

test('every rule has a failing case here', () => {
  expect(cases.map(([rule]) => rule).sort()).toEqual(RULES.map((r) => r.id).sort());
});

test('the PodDisruptionBudget of a replicated server satisfies its rule', () => {
  const front = find(shared, 'Deployment', 'mlflow-common-read');
  expect(front.spec.replicas).toBeGreaterThan(1);
  expect(find(shared, 'PodDisruptionBudget', 'mlflow-common-read').spec).toEqual({ maxUnavailable: 1, selector: front.spec.selector });
  expect(messages(shared.filter((o) => o.kind !== 'PodDisruptionBudget'))).toEqual([
    "policy: Deployment llm-shared/mlflow-common-read: 'spec.replicas' is more than 1 but no PodDisruptionBudget selects its pods (rule replicated-disruption-budget)",
  ]);
});

describe('exceptions', () => {
  test('two remain, KEDA\'s read of the project\'s metrics and the job metrics\' token, each needed: without it its rule refuses its object', () => {
    expect(POLICY_EXCEPTIONS.map((e) => `${e.rule} ${e.kind} ${e.namespace}/${e.name}`)).toEqual([
      'pod-no-token Deployment llm-shared/llm-job-metrics', 'gcp-scoped-bindings IAMPolicyMember llm-gcp/shared-keda-metrics',
    ]);
    const metrics = find(shared, 'Deployment', 'llm-job-metrics');
    expect(RULES.find((r) => r.id === 'pod-no-token')!.check([metrics]).map((x) => x.field)).toEqual(['spec.template.spec.automountServiceAccountToken']);
    const binding = find(shared, 'IAMPolicyMember', 'shared-keda-metrics');
    expect(binding.spec).toMatchObject({ role: 'roles/monitoring.viewer', resourceRef: { kind: 'Project' } });
    expect(RULES.find((r) => r.id === 'gcp-scoped-bindings')!.check([binding]).map((x) => x.field)).toEqual(['spec.resourceRef']);
    // Everything else passes the policy with no exception.
    expect(messages(shared)).toEqual([]);
  });

  test('every namespace, llm-shared with Airflow in it too, enforces restricted', () => {
    for (const name of ['llm-shared', 'llm-probes']) {
      const namespace = find(shared, 'Namespace', name);
      expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      expect(namespace.metadata.annotations?.['llm-platform/pod-security-reason']).toBeUndefined();
    }
  });

  test('the Airflow chart runs restricted: its pods get the restricted security contexts, and what would not take them is off', () => {
    const values = airflowValues() as any;
    expect(values.securityContexts.pod).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.securityContexts.containers).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect([values.statsd.enabled, values.pgbouncer.enabled, values.redis.enabled, values.postgresql.enabled]).toEqual([false, false, false, false]);
    // Its one user is the CI's, which may trigger DAG runs, not administer Airflow.
    expect(values.webserver.defaultUser).toMatchObject({ enabled: true, role: 'User', username: 'ci-trigger' });
  });
});

describe('schemas', () => {
  test('an object its schema rejects fails the check', () => {
    const objects = broken('Deployment', 'mlflow', (d) => { d.spec.replicas = 'one'; });
    expect(checkObjects(objects)).toEqual([`schema: Deployment ${ns}/mlflow: data/spec/replicas must be integer`]);
  });

  test('a kind with no known schema fails the check', () => {
    expect(checkObjects([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } } as Manifest]))
      .toEqual(['schema: Widget w: no schema known for example.com/v1 Widget']);
  });

  test.each([
    ['a kind of a built-in group that has no such kind', 'v1', 'Widget'],
    ['a kind written in the wrong case (a file found on a case-insensitive disk is not its class)', 'v1', 'configMap'],
    ['a kind that is not a name', 'v1', '../v1/Pod'],
    ['a module of the group that is not a kind', 'v1', 'index'],
  ])('%s fails the check', (_what, apiVersion, kind) => {
    expect(checkObjects([{ apiVersion, kind, metadata: { name: 'w' } } as Manifest]))
      .toEqual([`schema: ${kind} w: no schema known for ${apiVersion} ${kind}`]);
  });
});
