import { PlatformConfig } from '../config/types';
import { GCP_NAMESPACE } from '../names';
import { GcpResources, workloadIdentityMember } from './config-connector';
import { KubeObject } from '../kube-object';

/**
 * The GCP building blocks the workspaces and the shared layer are made of, each scoped
 * to its owner: an identity with its Workload Identity bindings, a bucket only its owner
 * may write, a database with a user whose password is generated in the cluster, and a
 * Secret Manager secret only its readers may access.
 */

/** Who an IAM binding grants: an identity made here (by its object) or one named in a file (by email). */
export type Grantee = { readonly ref: string } | { readonly email: string } | { readonly member: string };

/** The `member`/`memberFrom` of an IAMPolicyMember for a grantee. */
export function memberOf(grantee: Grantee): { member: string } | { memberFrom: { serviceAccountRef: { name: string } } } {
  if ('member' in grantee) return { member: grantee.member };
  return 'ref' in grantee ? { memberFrom: { serviceAccountRef: { name: grantee.ref } } } : { member: `serviceAccount:${grantee.email}` };
}

/** Props of {@link addIdentity}. */
export interface IdentityProps {
  readonly platform: PlatformConfig;
  /** The account to make (its id), or one that exists already (its email). */
  readonly account: { readonly id: string; readonly displayName: string } | { readonly email: string };
  /** The Kubernetes ServiceAccounts that act as it, as `[namespace, name]`. */
  readonly actors: readonly (readonly [string, string])[];
}

/**
 * A GCP service account (made here unless the file names an existing one) and the
 * Workload Identity bindings (`roles/iam.workloadIdentityUser` on that account only) for
 * exactly the Kubernetes ServiceAccounts that act as it.
 */
export function addIdentity(res: GcpResources, props: IdentityProps): Grantee {
  const p = props.platform.project;
  let resourceRef: { kind: 'IAMServiceAccount'; name?: string; external?: string };
  let grantee: Grantee;
  if ('id' in props.account) {
    res.add('identity', { kind: 'IAMServiceAccount', spec: { resourceID: props.account.id, displayName: props.account.displayName } });
    resourceRef = { kind: 'IAMServiceAccount', name: res.nameOf('identity') };
    grantee = { ref: res.nameOf('identity') };
  } else {
    resourceRef = { kind: 'IAMServiceAccount', external: `projects/${p}/serviceAccounts/${props.account.email}` };
    grantee = { email: props.account.email };
  }
  for (const [namespace, name] of props.actors) {
    res.add(`wi-${name}`, { kind: 'IAMPolicyMember', spec: { resourceRef, role: 'roles/iam.workloadIdentityUser', member: workloadIdentityMember(p, namespace, name) } });
  }
  return grantee;
}

/** Seconds a deleted object stays restorable in a bucket (GCS soft delete). */
export const SOFT_DELETE_SECONDS = 7 * 24 * 3600;

/** Props of {@link addBucket}. */
export interface BucketProps {
  readonly platform: PlatformConfig;
  /** Name of the bucket in GCS. */
  readonly name: string;
  /** Who may read and write its objects (`roles/storage.objectAdmin`), and who may only create them (`roles/storage.objectCreator`). */
  readonly objectAdmins?: readonly Grantee[];
  readonly objectCreators?: readonly Grantee[];
  /** Who may only read its objects (`roles/storage.objectViewer`). */
  readonly objectViewers?: readonly Grantee[];
  /** Days after which objects are deleted (a lifecycle rule). @default kept */
  readonly deleteAfterDays?: number;
}

/**
 * A bucket in the platform's region: uniform bucket-level access (no per-object ACLs),
 * public access prevented, deleted objects restorable for a week (soft delete: MLflow
 * writes artifacts once, so versioning would only add cost), and IAM on the bucket
 * itself for its own users only.
 */
export function addBucket(res: GcpResources, suffix: string, props: BucketProps): void {
  res.add(suffix, {
    kind: 'StorageBucket',
    spec: {
      resourceID: props.name,
      // GCS reports locations upper-cased; written so, Config Connector sees no difference.
      location: props.platform.region.toUpperCase(),
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      softDeletePolicy: { retentionDurationSeconds: SOFT_DELETE_SECONDS },
      ...(props.deleteAfterDays ? { lifecycleRule: [{ action: { type: 'Delete' }, condition: { age: props.deleteAfterDays } }] } : {}),
    },
  });
  const grant = (role: string, who: readonly Grantee[], tag: string) => who.forEach((g, i) => res.add(`${suffix}-${tag}${who.length > 1 ? `-${i}` : ''}`, {
    kind: 'IAMPolicyMember',
    spec: { resourceRef: { kind: 'StorageBucket', name: res.nameOf(suffix) }, role, ...memberOf(g) },
  }));
  grant('roles/storage.objectAdmin', props.objectAdmins ?? [], 'object-admin');
  grant('roles/storage.objectViewer', props.objectViewers ?? [], 'object-viewer');
  grant('roles/storage.objectCreator', props.objectCreators ?? [], 'object-creator');
}

/** Props of {@link addSecret}. */
export interface SecretProps {
  readonly platform: PlatformConfig;
  /** Secret Manager id, without the platform's prefix. */
  readonly key: string;
  /** Who may read it (`roles/secretmanager.secretAccessor` on this secret only). */
  readonly readers: readonly Grantee[];
  /** The Kubernetes Secret and key in `llm-gcp` whose value becomes its one version. @default none: an operator adds the value */
  readonly valueFrom?: { readonly name: string; readonly key: string };
}

/** A Secret Manager secret, readable by its readers only, with its value from the cluster when it is generated there. */
export function addSecret(res: GcpResources, suffix: string, props: SecretProps): void {
  res.add(suffix, {
    kind: 'SecretManagerSecret',
    // `automatic`: Config Connector's default reconciler refuses the newer `auto` (k8s-config-connector#1124).
    spec: { resourceID: `${props.platform.secretStore.keyPrefix}${props.key}`, replication: { automatic: true } },
  });
  if (props.valueFrom) {
    res.add(`${suffix}-v1`, {
      kind: 'SecretManagerSecretVersion',
      spec: { secretRef: { name: res.nameOf(suffix) }, secretData: { valueFrom: { secretKeyRef: props.valueFrom } }, enabled: true, deletionPolicy: 'ABANDON' },
    });
  }
  props.readers.forEach((g, i) => res.add(`${suffix}-accessor${props.readers.length > 1 ? `-${i}` : ''}`, {
    kind: 'IAMPolicyMember',
    spec: { resourceRef: { kind: 'SecretManagerSecret', name: res.nameOf(suffix) }, role: 'roles/secretmanager.secretAccessor', ...memberOf(g) },
  }));
}

/** Name of the Password generator every database password comes from. */
export const PASSWORD_GENERATOR = 'database-password';

/** Props of {@link addDatabase}. */
export interface DatabaseProps {
  readonly platform: PlatformConfig;
  /** Name of the PostgreSQL database, and of its user. */
  readonly database: string;
  /** Secret Manager id (without the prefix) of what its clients read. */
  readonly key: string;
  /**
   * What that secret holds, as an External Secrets template over the generated
   * `.password`: `{"username", "password"}` JSON by default, or a connection URI.
   */
  readonly value?: string;
  /** Who may read that secret. */
  readonly readers: readonly Grantee[];
}

/**
 * A database on the platform's Cloud SQL instance (referenced, not created) and a user
 * of its own, whose password is generated in the cluster once (the External Secrets
 * Password generator), set on the user by Config Connector and written to Secret Manager
 * for the database's clients: never typed by a person, never in git.
 */
export function addDatabase(res: GcpResources, suffix: string, props: DatabaseProps): void {
  const instanceRef = { external: props.platform.cloudSql.instance };
  const password = addGeneratedSecret(res, suffix, {
    platform: props.platform, key: props.key, readers: props.readers,
    value: props.value ?? `{"username":"${props.database}","password":"{{ .password }}"}`,
  });
  res.add(`${suffix}-database`, { kind: 'SQLDatabase', spec: { resourceID: props.database, instanceRef, deletionPolicy: 'ABANDON' } });
  res.add(`${suffix}-user`, { kind: 'SQLUser', spec: { resourceID: props.database, instanceRef, password: { valueFrom: { secretKeyRef: { name: password, key: 'password' } } } } });
}

/** Props of a generated secret ({@link addGeneratedSecret}). */
export interface GeneratedSecretProps {
  readonly platform: PlatformConfig;
  /** Secret Manager id (without the prefix). */
  readonly key: string;
  /** What the secret holds, as an External Secrets template over the generated `.password`. */
  readonly value: string;
  /** Who may read it. */
  readonly readers: readonly Grantee[];
}

/**
 * A Secret Manager secret whose value is a generated password (32 letters and digits),
 * generated once into a Secret of `llm-gcp` and kept there (a new password would not
 * reach the secret's version, which cannot change); returns that Secret's name, whose
 * key `password` holds the password alone.
 */
export function addGeneratedSecret(res: GcpResources, suffix: string, props: GeneratedSecretProps): string {
  const password = res.nameOf(`${suffix}-password`);
  new KubeObject(res, `${suffix}-password`, {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: password, namespace: GCP_NAMESPACE, labels: res.labels({ name: 'external-secrets', component: 'generated-password' }) },
    spec: {
      refreshPolicy: 'CreatedOnce',
      refreshInterval: '0s',
      target: {
        name: password,
        creationPolicy: 'Owner',
        deletionPolicy: 'Retain',
        template: { engineVersion: 'v2', data: { password: '{{ .password }}', value: props.value } },
      },
      dataFrom: [{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: PASSWORD_GENERATOR } } }],
    },
  });
  addSecret(res, suffix, { platform: props.platform, key: props.key, readers: props.readers, valueFrom: { name: password, key: 'value' } });
  return password;
}
