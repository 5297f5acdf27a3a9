import { ApiObject, Chart } from 'cdk8s';
import { GCP_NAMESPACE } from './names';

/**
 * How every generated object behaves over its life in Argo CD, Helm and Config
 * Connector, decided by kind in one place rather than object by object.
 */

/**
 * Argo CD sync waves: namespaces first, then the generated database passwords, then the
 * GCP side (identities, bindings, buckets, databases, secrets: Argo CD waits until
 * Config Connector reports them ready), then what pods need at start (accounts, config,
 * secrets, quotas), then network and admission policies, then the servers and their
 * volumes (wave 0). Volumes go with the servers, not before them: GKE's classes bind a
 * volume only when a pod uses it (WaitForFirstConsumer), and Argo CD would wait forever
 * on a Pending claim before starting the next wave (argo-cd#12840).
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */
export const SYNC_WAVES: Readonly<Record<string, number>> = {
  Namespace: -5,
  Password: -4,
  IAMServiceAccount: -3,
  IAMPolicyMember: -3,
  StorageBucket: -3,
  SQLDatabase: -3,
  SQLUser: -3,
  SecretManagerSecret: -3,
  SecretManagerSecretVersion: -3,
  ServiceAccount: -2,
  ConfigMap: -2,
  ExternalSecret: -2,
  SecretStore: -2,
  Role: -2,
  RoleBinding: -2,
  ResourceQuota: -2,
  LimitRange: -2,
  PriorityClass: -2,
  ResourceFlavor: -2,
  WorkloadPriorityClass: -2,
  ClusterQueue: -2,
  LocalQueue: -1,
  TriggerAuthentication: -1,
  NetworkPolicy: -1,
  ValidatingAdmissionPolicy: -1,
  ValidatingAdmissionPolicyBinding: -1,
};

/** The sync wave of an object: by kind, except the generated passwords of the GCP namespace, which go with their generator, before the users that read them. */
export function syncWave(kind: string, namespace: string | undefined): number {
  if (kind === 'ExternalSecret' && namespace === GCP_NAMESPACE) return SYNC_WAVES.Password;
  return SYNC_WAVES[kind] ?? 0;
}

/** Config Connector kinds that hold data or an identity: GCP keeps them when their object goes. */
export const GCP_STATEFUL_KINDS: readonly string[] = [
  'StorageBucket', 'SQLDatabase', 'SQLUser', 'SecretManagerSecret', 'SecretManagerSecretVersion', 'IAMServiceAccount',
];

/** Kinds whose deletion loses data: a namespace takes its volumes with it; GCP's buckets, databases and secrets. */
export const STATEFUL_KINDS: readonly string[] = ['Namespace', 'PersistentVolumeClaim', ...GCP_STATEFUL_KINDS];

/**
 * Whether deleting an object loses data: a stateful kind, or an ExternalSecret of the GCP
 * namespace, which generated a database password once (deleting it would generate another,
 * which the secret's immutable Secret Manager version could not follow).
 */
export function isStateful(kind: string, namespace: string | undefined): boolean {
  return STATEFUL_KINDS.includes(kind) || (kind === 'ExternalSecret' && namespace === GCP_NAMESPACE);
}

/** Kinds of the gateway's CRDs (Gateway API, Envoy Gateway, Envoy AI Gateway). */
const GATEWAY_KINDS: readonly string[] = ['GatewayClass', 'Gateway', 'EnvoyProxy', 'SecurityPolicy', 'Backend', 'BackendTrafficPolicy', 'AIServiceBackend', 'AIGatewayRoute'];

/** Kinds from CRDs that the operators install (External Secrets, Config Connector, Kueue, JobSet, the gateway's), maybe after this sync starts. */
const OPERATOR_KINDS: readonly string[] = [
  'ExternalSecret', 'SecretStore', 'Password', 'IAMPolicyMember', ...GCP_STATEFUL_KINDS, 'ResourceFlavor', 'WorkloadPriorityClass', 'ClusterQueue', 'LocalQueue', 'JobSet', ...GATEWAY_KINDS, 'ScaledObject', 'HTTPScaledObject', 'TriggerAuthentication',
];

/** Helm keeps the object on uninstall and on an upgrade that drops it. */
export const HELM_KEEP = { 'helm.sh/resource-policy': 'keep' } as const;

/** Argo CD neither prunes the object when it leaves git nor deletes it with its Application. */
export const ARGOCD_KEEP = 'Prune=false,Delete=false';

/** Config Connector leaves the GCP resource in place when its object is deleted. */
export const GCP_ABANDON = { 'cnrm.cloud.google.com/deletion-policy': 'abandon' } as const;

/**
 * Puts the lifecycle annotations on every object of a chart: its sync wave; for
 * stateful objects, Helm's keep policy and Argo CD's Prune=false,Delete=false, and for
 * GCP ones Config Connector's abandon; for custom resources of the operators,
 * SkipDryRunOnMissingResource so the first sync waits for their CRDs instead of failing.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/
 * @see https://cloud.google.com/config-connector/docs/reference/annotations
 */
export function applyLifecycle(chart: Chart): void {
  for (const child of chart.node.findAll()) {
    if (!(child instanceof ApiObject)) continue;
    for (const [key, value] of lifecycleAnnotations(child.kind, child.metadata.namespace)) child.metadata.addAnnotation(key, value);
  }
}

/** The annotations `applyLifecycle` puts on objects of a kind, in order; made once per kind (and per GCP namespace or not). */
const byKind = new Map<string, readonly (readonly [string, string])[]>();

function lifecycleAnnotations(kind: string, namespace: string | undefined): readonly (readonly [string, string])[] {
  // Of the namespace, only whether it is the GCP one counts.
  const gcp = namespace === GCP_NAMESPACE;
  const key = gcp ? `${kind} ${GCP_NAMESPACE}` : kind;
  let annotations = byKind.get(key);
  if (annotations === undefined) {
    const ns = gcp ? GCP_NAMESPACE : undefined;
    const made: [string, string][] = [['argocd.argoproj.io/sync-wave', String(syncWave(kind, ns))]];
    const options: string[] = [];
    if (isStateful(kind, ns)) {
      made.push(...Object.entries(HELM_KEEP));
      options.push(ARGOCD_KEEP);
    }
    if (GCP_STATEFUL_KINDS.includes(kind)) made.push(...Object.entries(GCP_ABANDON));
    if (OPERATOR_KINDS.includes(kind)) options.push('SkipDryRunOnMissingResource=true');
    if (options.length > 0) made.push(['argocd.argoproj.io/sync-options', options.join(',')]);
    byKind.set(key, annotations = made);
  }
  return annotations;
}
