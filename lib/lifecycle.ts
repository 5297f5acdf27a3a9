import { ApiObject, Chart } from 'cdk8s';

/**
 * How every generated object behaves over its life in Argo CD and Helm, decided by kind
 * in one place rather than object by object.
 */

/**
 * Argo CD sync waves: namespaces first, then what pods need at start (accounts, config,
 * secrets, quotas), then network policies, then the servers and their volumes (wave 0).
 * Volumes go with the servers, not before them: GKE's classes bind a volume only when a
 * pod uses it (WaitForFirstConsumer), and Argo CD would wait forever on a Pending claim
 * before starting the next wave (argo-cd#12840).
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */
export const SYNC_WAVES: Readonly<Record<string, number>> = {
  Namespace: -3,
  ServiceAccount: -2,
  ConfigMap: -2,
  ExternalSecret: -2,
  SecretStore: -2,
  Role: -2,
  RoleBinding: -2,
  ResourceQuota: -2,
  LimitRange: -2,
  NetworkPolicy: -1,
  ValidatingAdmissionPolicy: -1,
  ValidatingAdmissionPolicyBinding: -1,
};

/** Kinds whose deletion loses data: a namespace takes its volumes with it. */
export const STATEFUL_KINDS: readonly string[] = ['Namespace', 'PersistentVolumeClaim'];

/** Kinds from CRDs that the External Secrets Operator installs, maybe after this sync starts. */
const OPERATOR_KINDS: readonly string[] = ['ExternalSecret', 'SecretStore'];

/** Helm keeps the object on uninstall and on an upgrade that drops it. */
export const HELM_KEEP = { 'helm.sh/resource-policy': 'keep' } as const;

/** Argo CD neither prunes the object when it leaves git nor deletes it with its Application. */
export const ARGOCD_KEEP = 'Prune=false,Delete=false';

/**
 * Puts the lifecycle annotations on every object of a chart: its sync wave; for
 * stateful kinds, Helm's keep policy and Argo CD's Prune=false,Delete=false; for custom
 * resources of the operators, SkipDryRunOnMissingResource so the first sync waits for
 * their CRDs instead of failing.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/
 */
export function applyLifecycle(chart: Chart): void {
  for (const child of chart.node.findAll()) {
    if (!(child instanceof ApiObject)) continue;
    const kind = child.kind;
    child.metadata.addAnnotation('argocd.argoproj.io/sync-wave', String(SYNC_WAVES[kind] ?? 0));
    if (STATEFUL_KINDS.includes(kind)) {
      for (const [k, v] of Object.entries(HELM_KEEP)) child.metadata.addAnnotation(k, v);
      child.metadata.addAnnotation('argocd.argoproj.io/sync-options', ARGOCD_KEEP);
    } else if (OPERATOR_KINDS.includes(kind)) {
      child.metadata.addAnnotation('argocd.argoproj.io/sync-options', 'SkipDryRunOnMissingResource=true');
    }
  }
}
