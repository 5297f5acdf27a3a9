import { Manifest } from '../output/render';

/**
 * Who owns what in a workspace. The platform owns its boundary: the namespace, the
 * identities, the secret store, the roles and bindings, the quota and the network
 * policies, and its GCP resources (Config Connector objects in llm-gcp). The team's Application holds only what runs inside it. Argo CD enforces the
 * split: the team's objects sync through an AppProject of the workspace's own that may
 * write only these kinds and only in its namespace, and the boundary through the
 * platform's project, from a folder of its own (`dist/workspace-boundaries/<name>/`).
 * A commit that slipped a RoleBinding, a SecretStore or a Secret into a team's folder
 * would be refused by Argo CD.
 */

/** A kind, with its API group as an AppProject names it. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** The kinds of a workspace's own objects: what its AppProject admits. */
export const TENANT_KINDS: readonly GroupKind[] = [
  { group: '', kind: 'ConfigMap' },
  { group: '', kind: 'PersistentVolumeClaim' },
  { group: '', kind: 'Service' },
  { group: 'apps', kind: 'Deployment' },
  { group: 'policy', kind: 'PodDisruptionBudget' },
  { group: 'batch', kind: 'Job' },
  { group: 'jobset.x-k8s.io', kind: 'JobSet' },
  { group: 'external-secrets.io', kind: 'ExternalSecret' },
];

/** The kinds of a workspace's boundary, which the platform's project syncs. */
export const BOUNDARY_KINDS: readonly string[] = [
  'Namespace', 'ServiceAccount', 'SecretStore', 'Role', 'RoleBinding', 'ResourceQuota', 'LimitRange', 'NetworkPolicy',
  'ClusterQueue', 'LocalQueue',
  // Monitoring is the platform's: what is scraped and what alerts.
  'PodMonitoring', 'Rules',
  // Autoscaling is the platform's: a ScaledObject may use KEDA's GCP identity (which reads
  // every metric of the project), and the HTTP add-on routes requests from every namespace
  // by its HTTPScaledObjects (one in a team's folder could take another team's requests).
  'TriggerAuthentication', 'ScaledObject', 'HTTPScaledObject',
];

/** Folder of dist/ that holds the boundaries, one subfolder per workspace. */
export const BOUNDARIES_FOLDER = 'workspace-boundaries';

/** A workspace's objects, split into its boundary and its own. */
export interface WorkspaceParts {
  readonly boundary: Manifest[];
  readonly tenant: Manifest[];
}

/**
 * Splits a workspace's objects: the boundary's kinds, and everything outside the
 * workspace's namespace (its GCP resources, in llm-gcp), are the platform's; the rest the
 * team's. A kind of the workspace's namespace in neither list is a bug of the generator,
 * and throws.
 */
export function splitWorkspace(manifests: readonly Manifest[], namespace: string): WorkspaceParts {
  const tenant = new Set(TENANT_KINDS.map((k) => k.kind));
  const platformOwned = (m: Manifest) => BOUNDARY_KINDS.includes(m.kind) || (m.metadata.namespace !== undefined && m.metadata.namespace !== namespace);
  const unknown = manifests.filter((m) => !platformOwned(m) && !tenant.has(m.kind));
  if (unknown.length > 0) throw new Error(`no owner decided for kind ${unknown[0].kind} (lib/workspace/boundary.ts)`);
  return {
    boundary: manifests.filter(platformOwned),
    tenant: manifests.filter((m) => !platformOwned(m)),
  };
}
