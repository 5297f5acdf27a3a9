import { RESOURCE_ID_RULES } from '../gcp/gcp-names';
import { GCP_ABANDON, GCP_STATEFUL_KINDS, isStateful } from '../lifecycle';
import { secretKindCounts } from '../workspace/workspace-quota';
import { Manifest } from '../output/render';
import { LOCAL_QUEUE, PRIORITY_CLASSES, QUEUE_LABEL } from '../training/kueue';
import { TOPOLOGY_KEYS } from '../components/web-server';

/**
 * The platform's policy, as rules over generated objects. Each rule looks at one object
 * (or at all of them, for rules about what must exist) and reports violations naming
 * the field. Together they keep what kube-score, Polaris and the Pod Security
 * `restricted` profile would ask for from regressing.
 */

/** One broken rule. */
export interface Violation {
  readonly rule: string;
  readonly object: Manifest;
  /** The field, as a path in the object. */
  readonly field: string;
  /** What is wrong, after the field. */
  readonly problem: string;
}

/** A rule: an id, what it asks, and its check. */
export interface Rule {
  readonly id: string;
  readonly description: string;
  readonly check: (objects: readonly Manifest[]) => Violation[];
}

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The most a ConfigMap may hold (the API server's limit on its data). */
export const CONFIG_MAP_MAX_BYTES = 2 ** 20;

type PodEntry = { object: Manifest; spec: Any; at: string };
type ContainerEntry = { object: Manifest; c: Any; at: string; server: boolean };

// Every rule on pods asks for the same list: found once per list of objects.
const podsOf = new WeakMap<readonly Manifest[], PodEntry[]>();
const containersOf = new WeakMap<readonly Manifest[], ContainerEntry[]>();

/** Objects that hold a pod template (or are pods), with the path to the pod spec. */
function pods(objects: readonly Manifest[]): PodEntry[] {
  let found = podsOf.get(objects);
  if (!found) podsOf.set(objects, found = findPods(objects));
  return found;
}

function findPods(objects: readonly Manifest[]): PodEntry[] {
  return objects.flatMap((o: Any) => {
    if (o.kind === 'Pod') return [{ object: o, spec: o.spec, at: 'spec' }];
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind)) return [{ object: o, spec: o.spec.template.spec, at: 'spec.template.spec' }];
    if (o.kind === 'CronJob') return [{ object: o, spec: o.spec.jobTemplate.spec.template.spec, at: 'spec.jobTemplate.spec.template.spec' }];
    if (o.kind === 'JobSet') return (o.spec.replicatedJobs ?? []).map((r: Any, i: number) => ({ object: o, spec: r.template.spec.template.spec, at: `spec.replicatedJobs[${i}].template.spec.template.spec` }));
    return [];
  });
}

/** Every container of every pod, init containers too, with its path. */
function containers(objects: readonly Manifest[]): ContainerEntry[] {
  let found = containersOf.get(objects);
  if (!found) containersOf.set(objects, found = findContainers(objects));
  return found;
}

function findContainers(objects: readonly Manifest[]): ContainerEntry[] {
  return pods(objects).flatMap(({ object, spec, at }) => [
    ...(spec.initContainers ?? []).map((c: Any, i: number) => ({ object, c, at: `${at}.initContainers[${i}]`, server: false })),
    ...spec.containers.map((c: Any, i: number) => ({ object, c, at: `${at}.containers[${i}]`, server: ['Deployment', 'StatefulSet', 'DaemonSet'].includes(object.kind) && (c.ports ?? []).length > 0 })),
  ]);
}

const v = (rule: string, object: Manifest, field: string, problem: string): Violation => ({ rule, object, field, problem });

/** The KEDA ScaledObject that decides a workload's replicas, if one does. */
function scaledObjectOf(o: Any, objects: readonly Manifest[]): Any | undefined {
  return objects.find((x: Any) => x.kind === 'ScaledObject' && x.metadata.namespace === o.metadata.namespace
    && x.spec.scaleTargetRef?.name === o.metadata.name && (x.spec.scaleTargetRef.kind ?? 'Deployment') === o.kind);
}

/** The fewest and most replicas a Deployment runs: its own count, or its autoscaler's range. */
function replicaRange(o: Any, objects: readonly Manifest[]): { min: number; max: number } {
  const scaled = scaledObjectOf(o, objects);
  if (scaled) return { min: scaled.spec.minReplicaCount ?? 0, max: scaled.spec.maxReplicaCount ?? 100 };
  return { min: o.spec.replicas ?? 1, max: o.spec.replicas ?? 1 };
}

/** How many pods a workload runs at once at most (a Deployment's replicas or its autoscaler's max, a Job's parallelism, ...). */
function podCount(o: Any, objects: readonly Manifest[]): number {
  switch (o.kind) {
    case 'Deployment': case 'StatefulSet': return replicaRange(o, objects).max;
    case 'Job': return o.spec.parallelism ?? 1;
    case 'JobSet': return (o.spec.replicatedJobs ?? []).reduce((n: number, r: Any) => n + (r.replicas ?? 1) * (r.template.spec.parallelism ?? 1), 0);
    // A CronJob may start a run while the last still runs (unless it forbids it).
    case 'CronJob': return o.spec.concurrencyPolicy === 'Forbid' ? 1 : 2;
    default: return 1;
  }
}

/** Whether a pod's containers ask for GPUs. */
function asksForGpus(spec: Any): boolean {
  return [...(spec.initContainers ?? []), ...spec.containers].some((c: Any) => Number(c.resources?.limits?.['nvidia.com/gpu'] ?? c.resources?.requests?.['nvidia.com/gpu'] ?? 0) > 0);
}

export const RULES: readonly Rule[] = [
  {
    id: 'pod-non-root',
    description: 'Every pod runs as a non-root user (securityContext.runAsNonRoot: true).',
    check: (o) => pods(o).filter(({ spec }) => spec.securityContext?.runAsNonRoot !== true)
      .map(({ object, at }) => v('pod-non-root', object, `${at}.securityContext.runAsNonRoot`, 'must be true')),
  },
  {
    id: 'pod-seccomp',
    description: "Every pod uses the RuntimeDefault seccomp profile.",
    check: (o) => pods(o).filter(({ spec }) => spec.securityContext?.seccompProfile?.type !== 'RuntimeDefault')
      .map(({ object, at }) => v('pod-seccomp', object, `${at}.securityContext.seccompProfile.type`, "must be 'RuntimeDefault'")),
  },
  {
    id: 'pod-no-token',
    description: 'No pod mounts a service-account token: none of the platform talks to the Kubernetes API (automountServiceAccountToken: false).',
    check: (o) => pods(o).filter(({ spec }) => spec.automountServiceAccountToken !== false)
      .map(({ object, at }) => v('pod-no-token', object, `${at}.automountServiceAccountToken`, 'must be false')),
  },
  {
    id: 'container-no-privilege-escalation',
    description: 'No container can gain privileges (allowPrivilegeEscalation: false).',
    check: (o) => containers(o).filter(({ c }) => c.securityContext?.allowPrivilegeEscalation !== false)
      .map(({ object, at }) => v('container-no-privilege-escalation', object, `${at}.securityContext.allowPrivilegeEscalation`, 'must be false')),
  },
  {
    id: 'container-drop-all-capabilities',
    description: 'Every container drops all Linux capabilities.',
    check: (o) => containers(o).filter(({ c }) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL'))
      .map(({ object, at }) => v('container-drop-all-capabilities', object, `${at}.securityContext.capabilities.drop`, "must include 'ALL'")),
  },
  {
    id: 'pod-host-isolation',
    description: "No pod shares the node's network, PID or IPC namespace, mounts a hostPath volume, or runs as user 0.",
    check: (o) => pods(o).flatMap(({ object, spec, at }) => [
      ...['hostNetwork', 'hostPID', 'hostIPC'].filter((f) => spec[f] === true).map((f) => v('pod-host-isolation', object, `${at}.${f}`, 'must not be true')),
      ...(spec.volumes ?? []).map((vol: Any, i: number) => [vol, i]).filter(([vol]: Any) => vol.hostPath)
        .map(([, i]: Any) => v('pod-host-isolation', object, `${at}.volumes[${i}].hostPath`, 'must not be used')),
      ...(spec.securityContext?.runAsUser === 0 ? [v('pod-host-isolation', object, `${at}.securityContext.runAsUser`, 'must not be 0')] : []),
    ]),
  },
  {
    id: 'container-unprivileged',
    description: 'No container is privileged, adds capabilities, runs as user 0 or turns runAsNonRoot off.',
    check: (o) => containers(o).flatMap(({ object, c, at }) => [
      ...(c.securityContext?.privileged === true ? [v('container-unprivileged', object, `${at}.securityContext.privileged`, 'must not be true')] : []),
      ...((c.securityContext?.capabilities?.add ?? []).length > 0 ? [v('container-unprivileged', object, `${at}.securityContext.capabilities.add`, 'must be empty')] : []),
      ...(c.securityContext?.runAsUser === 0 ? [v('container-unprivileged', object, `${at}.securityContext.runAsUser`, 'must not be 0')] : []),
      ...(c.securityContext?.runAsNonRoot === false ? [v('container-unprivileged', object, `${at}.securityContext.runAsNonRoot`, 'must not be false')] : []),
    ]),
  },
  {
    id: 'container-read-only-root',
    description: 'Every container has a read-only root filesystem; programs write to emptyDir mounts.',
    check: (o) => containers(o).filter(({ c }) => c.securityContext?.readOnlyRootFilesystem !== true)
      .map(({ object, at }) => v('container-read-only-root', object, `${at}.securityContext.readOnlyRootFilesystem`, 'must be true')),
  },
  {
    id: 'container-resources',
    description: 'Every container requests and limits CPU, memory and local disk (ephemeral-storage).',
    check: (o) => containers(o).flatMap(({ object, c, at }) => ['requests', 'limits'].flatMap((k) => ['cpu', 'memory', 'ephemeral-storage']
      .filter((r) => c.resources?.[k]?.[r] === undefined)
      .map((r) => v('container-resources', object, `${at}.resources.${k}.${r}`, 'must be set')))),
  },
  {
    id: 'empty-dir-bounded',
    description: 'Every emptyDir volume has a sizeLimit: a scratch folder cannot fill a node\'s disk or memory.',
    check: (o) => pods(o).flatMap(({ object, spec, at }) => (spec.volumes ?? []).map((vol: Any, i: number) => [vol, i])
      .filter(([vol]: Any) => vol.emptyDir && vol.emptyDir.sizeLimit === undefined)
      .map(([, i]: Any) => v('empty-dir-bounded', object, `${at}.volumes[${i}].emptyDir.sizeLimit`, 'must be set'))),
  },
  {
    id: 'server-probes',
    description: 'Every server (a Deployment container with a port) has startup, readiness and liveness probes.',
    check: (o) => containers(o).filter(({ server }) => server).flatMap(({ object, c, at }) => ['startupProbe', 'readinessProbe', 'livenessProbe']
      .filter((p) => !c[p]).map((p) => v('server-probes', object, `${at}.${p}`, 'must be set'))),
  },
  {
    id: 'image-pinned',
    description: "Every image is pinned by a tag other than 'latest' (or by digest).",
    check: (o) => containers(o).filter(({ c }) => !/@sha256:[a-f0-9]{64}$/.test(c.image) && !/:(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(c.image.split('/').pop()))
      .map(({ object, c, at }) => v('image-pinned', object, `${at}.image`, `must carry a pinned tag, got '${c.image}'`)),
  },
  {
    id: 'gpu-pods-queued',
    description: "Every pod that asks for GPUs has its place: a server's (Deployment) runs at priority llm-inference; a run's (Job or JobSet) names its workspace's Kueue LocalQueue, is created suspended for Kueue to start, and runs at llm-training, which preempts nothing.",
    check: (o) => pods(o).filter(({ spec }) => asksForGpus(spec)).flatMap(({ object, spec, at }): Violation[] => {
      const x = object as Any;
      if (x.kind === 'Deployment') {
        return spec.priorityClassName === PRIORITY_CLASSES.inference ? [] : [v('gpu-pods-queued', object, `${at}.priorityClassName`, `must be '${PRIORITY_CLASSES.inference}'`)];
      }
      if (x.kind !== 'Job' && x.kind !== 'JobSet') return [v('gpu-pods-queued', object, at, 'asks for GPUs outside a server or a queued run')];
      return [
        ...(spec.priorityClassName === PRIORITY_CLASSES.training ? [] : [v('gpu-pods-queued', object, `${at}.priorityClassName`, `must be '${PRIORITY_CLASSES.training}'`)]),
        ...(x.metadata.labels?.[QUEUE_LABEL] === LOCAL_QUEUE ? [] : [v('gpu-pods-queued', object, `metadata.labels['${QUEUE_LABEL}']`, `must be '${LOCAL_QUEUE}'`)]),
        ...(x.spec.suspend === true ? [] : [v('gpu-pods-queued', object, 'spec.suspend', 'must be true (Kueue starts it)')]),
      ];
    }),
  },
  {
    id: 'volume-single-node',
    description: "A ReadWriteOnce claim is mounted by one pod at most (replicas and parallel pods counted): it attaches to one node, and a pod elsewhere would wait on it forever (Multi-Attach). GPU pods get volumes of their own instead.",
    check: (o) => o.filter((x: Any) => x.kind === 'PersistentVolumeClaim' && (x.spec.accessModes ?? []).every((m: string) => m === 'ReadWriteOnce')).flatMap((claim: Any) => {
      const users = pods(o).filter(({ object, spec }) => (object.metadata.namespace === claim.metadata.namespace)
        && (spec.volumes ?? []).some((vol: Any) => vol.persistentVolumeClaim?.claimName === claim.metadata.name))
        .map(({ object }) => ({ object: object as Any, count: podCount(object, o) }));
      const total = users.reduce((n, u) => n + u.count, 0);
      return total > 1 ? [v('volume-single-node', claim, 'spec.accessModes', `is ReadWriteOnce, but ${total} pods mount it (${users.map((u) => `${u.object.kind} ${u.object.metadata.name} x${u.count}`).join(', ')}); pods on different nodes cannot share it`)] : [];
    }),
  },
  {
    id: 'namespace-pod-security',
    description: 'Every namespace enforces the Pod Security restricted profile (pod-security.kubernetes.io/enforce).',
    check: (o) => o.filter((x: Any) => x.kind === 'Namespace' && x.metadata.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted')
      .map((x) => v('namespace-pod-security', x, "metadata.labels['pod-security.kubernetes.io/enforce']", "must be 'restricted'")),
  },
  {
    id: 'namespace-default-deny',
    description: 'Every namespace the platform makes (the shared one, the probes\', each workspace\'s) has a NetworkPolicy that denies all ingress and egress by default.',
    check: (o) => o.filter((x) => x.kind === 'Namespace').filter((ns) => !o.some((x: Any) => x.kind === 'NetworkPolicy' && x.metadata.namespace === ns.metadata.name
      && Object.keys(x.spec.podSelector?.matchLabels ?? {}).length === 0 && !x.spec.podSelector?.matchExpressions
      && ['Ingress', 'Egress'].every((t) => x.spec.policyTypes?.includes(t)) && (x.spec.ingress ?? []).length === 0 && (x.spec.egress ?? []).length === 0))
      .map((ns) => v('namespace-default-deny', ns, 'metadata.name', 'has no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)')),
  },
  {
    id: 'workspace-quota',
    description: 'Every workspace namespace has a ResourceQuota that caps GPUs (requests.nvidia.com/gpu) and admits one SecretStore, no PushSecret and no more ExternalSecrets than it is generated with, and a LimitRange.',
    check: (o) => workspaceNamespaces(o).flatMap((ns) => {
      const inNs = o.filter((x) => x.metadata.namespace === ns.metadata.name) as Any[];
      const hard = inNs.find((x) => x.kind === 'ResourceQuota' && x.spec.hard?.['requests.nvidia.com/gpu'] !== undefined)?.spec.hard;
      const counts = secretKindCounts(inNs.filter((x) => x.kind === 'ExternalSecret').length);
      return [
        ...(hard ? [] : [v('workspace-quota', ns, 'metadata.name', 'has no ResourceQuota with requests.nvidia.com/gpu')]),
        ...(hard ? Object.entries(counts).filter(([k, n]) => hard[k] === undefined || Number(hard[k]) > n)
          .map(([k, n]) => v('workspace-quota', ns, 'metadata.name', `has no ResourceQuota holding ${k} to ${n}`)) : []),
        ...(inNs.some((x) => x.kind === 'LimitRange') ? [] : [v('workspace-quota', ns, 'metadata.name', 'has no LimitRange')]),
      ];
    }),
  },
  {
    id: 'no-cluster-admin',
    description: 'Nothing is bound to cluster-admin, and no ClusterRoleBinding is generated: access is granted per namespace.',
    check: (o) => o.filter((x: Any) => x.kind === 'ClusterRoleBinding' || (x.kind === 'RoleBinding' && x.roleRef?.name === 'cluster-admin'))
      .map((x) => v('no-cluster-admin', x, 'roleRef', 'must be a Role of its namespace, not cluster-wide')),
  },
  {
    id: 'people-least-privilege',
    description: 'A Role bound to people (users or groups) grants no Secrets, External Secrets kinds, RBAC, pods/exec, pods/attach, pod creation or wildcards.',
    check: (o) => o.filter((b: Any) => b.kind === 'RoleBinding' && (b.subjects ?? []).some((s: Any) => s.kind === 'User' || s.kind === 'Group')).flatMap((b: Any) => {
      const role = o.find((r: Any) => r.kind === 'Role' && r.metadata.name === b.roleRef?.name && r.metadata.namespace === b.metadata.namespace) as Any;
      if (b.roleRef?.kind !== 'Role' || !role) return [v('people-least-privilege', b, 'roleRef', 'must name a generated Role of its namespace')];
      return (role.rules ?? []).flatMap((rule: Any, i: number) => forbiddenToPeople(rule).map((what) => v('people-least-privilege', role, `rules[${i}]`, `must not grant ${what} (bound to people by RoleBinding ${b.metadata.name})`)));
    }),
  },
  {
    id: 'replicated-disruption-budget',
    description: 'Every Deployment with more than one replica (always: its autoscaler\'s min) has a PodDisruptionBudget.',
    check: (o) => o.filter((x: Any) => x.kind === 'Deployment' && replicaRange(x, o).min > 1 && !o.some((p: Any) => p.kind === 'PodDisruptionBudget'
      && p.metadata.namespace === x.metadata.namespace && Object.entries(p.spec.selector?.matchLabels ?? {}).every(([k, val]) => x.spec.template.metadata.labels?.[k] === val)))
      .map((x) => v('replicated-disruption-budget', x, 'spec.replicas', 'is more than 1 but no PodDisruptionBudget selects its pods')),
  },
  {
    id: 'replicated-topology-spread',
    description: 'Every Deployment that may run more than one replica (its autoscaler\'s max) spreads its pods over nodes (required) and zones (preferred): one node or zone lost never takes them all.',
    check: (o) => o.filter((x: Any) => x.kind === 'Deployment' && replicaRange(x, o).max > 1).flatMap((x: Any) => {
      const spec = x.spec.template.spec;
      const over = (key: string) => (spec.topologySpreadConstraints ?? []).find((c: Any) => c.topologyKey === key && c.maxSkew === 1
        && Object.entries(c.labelSelector?.matchLabels ?? { '': '' }).every(([k, val]) => x.spec.template.metadata.labels?.[k] === val));
      const node = over(TOPOLOGY_KEYS.node);
      return [
        ...(node?.whenUnsatisfiable === 'DoNotSchedule' ? [] : [v('replicated-topology-spread', x, 'spec.template.spec.topologySpreadConstraints', `must spread its pods over nodes ('${TOPOLOGY_KEYS.node}', maxSkew 1, DoNotSchedule)`)]),
        ...(over(TOPOLOGY_KEYS.zone) ? [] : [v('replicated-topology-spread', x, 'spec.template.spec.topologySpreadConstraints', `must spread its pods over zones ('${TOPOLOGY_KEYS.zone}', maxSkew 1)`)]),
      ];
    }),
  },
  {
    id: 'server-priority',
    description: "Every server runs at one of the platform's priorities: llm-inference for GPU servers (gpu-pods-queued), llm-services for the others; none at training's.",
    check: (o) => pods(o).filter(({ object }) => object.kind === 'Deployment' && !asksForGpus((object as Any).spec.template.spec))
      .filter(({ spec }) => spec.priorityClassName !== PRIORITY_CLASSES.services)
      .map(({ object, at }) => v('server-priority', object, `${at}.priorityClassName`, `must be '${PRIORITY_CLASSES.services}'`)),
  },
  {
    id: 'configmap-size',
    description: 'Every ConfigMap holds at most 1 MiB, as the API server stores no larger one (nor Helm a larger release).',
    check: (o) => o.filter((x: Any) => x.kind === 'ConfigMap').flatMap((x: Any) => {
      const bytes = [...Object.entries(x.data ?? {}), ...Object.entries(x.binaryData ?? {})].reduce((n, [k, val]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(val)), 0);
      return bytes > CONFIG_MAP_MAX_BYTES ? [v('configmap-size', x, 'data', `holds ${(bytes / 2 ** 20).toFixed(1)} MiB; a ConfigMap holds at most 1 MiB`)] : [];
    }),
  },
  {
    id: 'no-secret-objects',
    description: 'No Secret is generated: secrets come from the secret store through ExternalSecrets.',
    check: (o) => o.filter((x) => x.kind === 'Secret').map((x) => v('no-secret-objects', x, 'kind', 'must not be Secret; use an ExternalSecret')),
  },
  {
    id: 'external-secret-from-store',
    description: 'Every ExternalSecret takes its values from the store: a target template may only arrange fetched values (each entry uses one, like {{ .password }}), never hold a value of its own.',
    check: (o) => o.filter((x) => x.kind === 'ExternalSecret').flatMap((x: Any) => [
      ...Object.entries(x.spec?.target?.template?.data ?? {}).filter(([, value]) => !/\{\{[^}]*\.[A-Za-z_][^}]*\}\}/.test(String(value)))
        .map(([key]) => v('external-secret-from-store', x, `spec.target.template.data.${key}`, 'must build on a value from the store ({{ .<key> }}), not be written in git')),
      ...((x.spec?.target?.template?.templateFrom ?? []).length > 0
        ? [v('external-secret-from-store', x, 'spec.target.template.templateFrom', 'must not be used: a template kept in a ConfigMap or Secret can hold values of its own')] : []),
    ]),
  },
  {
    id: 'stateful-kept',
    description: "Every object whose deletion loses data (namespaces, PVCs, GCP buckets, databases, users, secrets and service accounts, the generated database passwords) is kept by Argo CD (Prune=false,Delete=false) and Helm (resource-policy keep), and every such GCP object by Config Connector (deletion-policy abandon).",
    check: (o) => o.filter((x: Any) => isStateful(x.kind, x.metadata.namespace)).flatMap((x: Any) => {
      const annotations = x.metadata.annotations ?? {};
      const options: string[] = annotations['argocd.argoproj.io/sync-options']?.split(',') ?? [];
      const [[abandonKey, abandon]] = Object.entries(GCP_ABANDON);
      return [
        ...(options.includes('Prune=false') && options.includes('Delete=false')
          ? [] : [v('stateful-kept', x, "metadata.annotations['argocd.argoproj.io/sync-options']", "must hold 'Prune=false,Delete=false'")]),
        ...(annotations['helm.sh/resource-policy'] === 'keep' ? [] : [v('stateful-kept', x, "metadata.annotations['helm.sh/resource-policy']", "must be 'keep'")]),
        ...(!GCP_STATEFUL_KINDS.includes(x.kind) || annotations[abandonKey] === abandon
          ? [] : [v('stateful-kept', x, `metadata.annotations['${abandonKey}']`, `must be '${abandon}'`)]),
      ];
    }),
  },
  {
    id: 'gcp-scoped-bindings',
    description: 'Every GCP IAM binding (IAMPolicyMember) grants one role on one resource: a binding on a whole project, folder or organization must carry a condition naming the resource (resource.name ==), and no basic role (owner, editor, viewer) is granted.',
    check: (o) => o.filter((x) => x.kind === 'IAMPolicyMember').flatMap((x: Any) => [
      ...(['Project', 'Folder', 'Organization'].includes(x.spec?.resourceRef?.kind) && !/\bresource\.name\s*==/.test(x.spec?.condition?.expression ?? '')
        ? [v('gcp-scoped-bindings', x, 'spec.resourceRef', `is a whole ${x.spec.resourceRef.kind}: bind on the resource itself, or add a condition naming it (resource.name == ...)`)] : []),
      ...(['roles/owner', 'roles/editor', 'roles/viewer'].includes(x.spec?.role)
        ? [v('gcp-scoped-bindings', x, 'spec.role', 'must not be a basic role; grant a predefined role for the one thing needed')] : []),
    ]),
  },
  {
    id: 'gcp-names',
    description: "Every GCP resource's name (spec.resourceID of buckets, service accounts, databases, users and secrets) keeps to GCP's rules for its kind.",
    check: (o) => o.filter((x: Any) => RESOURCE_ID_RULES[x.kind] && x.apiVersion.includes('.cnrm.cloud.google.com/')).flatMap((x: Any) => {
      const problem = RESOURCE_ID_RULES[x.kind](String(x.spec?.resourceID ?? ''));
      return problem ? [v('gcp-names', x, 'spec.resourceID', problem)] : [];
    }),
  },
];

/** What a rule grants that people must never have. */
function forbiddenToPeople(rule: Any): string[] {
  const groups: string[] = rule.apiGroups ?? [];
  const resources: string[] = rule.resources ?? [];
  const verbs: string[] = rule.verbs ?? [];
  return [
    ...(groups.includes('*') || resources.includes('*') || verbs.includes('*') ? ['a wildcard'] : []),
    ...(groups.includes('') && resources.includes('secrets') ? ['secrets'] : []),
    ...(groups.some((g) => g === 'external-secrets.io' || g === 'generators.external-secrets.io') ? ['External Secrets kinds'] : []),
    ...(groups.includes('rbac.authorization.k8s.io') ? ['RBAC'] : []),
    ...resources.filter((r) => r === 'pods/exec' || r === 'pods/attach' || r === 'serviceaccounts/token'),
    ...(groups.includes('') && resources.includes('pods') && verbs.includes('create') ? ['pod creation'] : []),
  ];
}

function workspaceNamespaces(objects: readonly Manifest[]): Manifest[] {
  return objects.filter((x) => x.kind === 'Namespace' && x.metadata.name.startsWith('llm-workspace-'));
}
