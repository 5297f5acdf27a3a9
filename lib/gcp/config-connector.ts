import type { IIAMPolicyMember } from '@kubernetes-models/gke/iam.cnrm.cloud.google.com/v1beta1/IAMPolicyMember';
import type { IIAMServiceAccount } from '@kubernetes-models/gke/iam.cnrm.cloud.google.com/v1beta1/IAMServiceAccount';
import type { ISecretManagerSecret } from '@kubernetes-models/gke/secretmanager.cnrm.cloud.google.com/v1beta1/SecretManagerSecret';
import type { ISecretManagerSecretVersion } from '@kubernetes-models/gke/secretmanager.cnrm.cloud.google.com/v1beta1/SecretManagerSecretVersion';
import type { ISQLDatabase } from '@kubernetes-models/gke/sql.cnrm.cloud.google.com/v1beta1/SQLDatabase';
import type { ISQLUser } from '@kubernetes-models/gke/sql.cnrm.cloud.google.com/v1beta1/SQLUser';
import type { IStorageBucket } from '@kubernetes-models/gke/storage.cnrm.cloud.google.com/v1beta1/StorageBucket';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppLabelsProps, appLabels } from '../labels';
import { GCP_NAMESPACE } from '../names';
import { KubeObject } from '../kube-object';

/**
 * GCP resources as Config Connector objects, typed by `@kubernetes-models/gke` (the
 * Config Connector groups, on Node 20) and validated by synth against the real CRDs of
 * Config Connector 1.155.1. Every object lives in namespace `llm-gcp`, which names the
 * project; the lifecycle (`lib/lifecycle.ts`) keeps the stateful ones in GCP whatever
 * happens to their object.
 * @see https://cloud.google.com/config-connector/docs/reference/overview
 */

type Spec<T extends { spec?: unknown }> = NonNullable<T['spec']>;

/** A Config Connector object of one of the kinds the platform makes, with its typed spec. */
export type GcpResource =
  | { kind: 'IAMServiceAccount'; spec: Spec<IIAMServiceAccount> }
  | { kind: 'IAMPolicyMember'; spec: Spec<IIAMPolicyMember> }
  // softDeletePolicy is newer than the types of @kubernetes-models/gke 4.6.2; the CRD schema of 1.155.1 checks it.
  | { kind: 'StorageBucket'; spec: Spec<IStorageBucket> & { softDeletePolicy?: { retentionDurationSeconds: number } } }
  | { kind: 'SQLDatabase'; spec: Spec<ISQLDatabase> }
  | { kind: 'SQLUser'; spec: Spec<ISQLUser> }
  | { kind: 'SecretManagerSecret'; spec: Spec<ISecretManagerSecret> }
  | { kind: 'SecretManagerSecretVersion'; spec: Spec<ISecretManagerSecretVersion> };

/** The API group of each kind. */
const GROUPS: Record<GcpResource['kind'], string> = {
  IAMServiceAccount: 'iam.cnrm.cloud.google.com',
  IAMPolicyMember: 'iam.cnrm.cloud.google.com',
  StorageBucket: 'storage.cnrm.cloud.google.com',
  SQLDatabase: 'sql.cnrm.cloud.google.com',
  SQLUser: 'sql.cnrm.cloud.google.com',
  SecretManagerSecret: 'secretmanager.cnrm.cloud.google.com',
  SecretManagerSecretVersion: 'secretmanager.cnrm.cloud.google.com',
};

/**
 * The GCP resources of one owner (a workspace, or a component of the shared layer), with
 * their recommended labels: `add` names each object `<prefix>-<suffix>` in `llm-gcp`.
 */
export class GcpResources extends Construct {
  constructor(scope: Construct, id: string, private readonly props: { readonly prefix: string; readonly labels: AppLabelsProps }) {
    super(scope, id);
  }

  /** The Kubernetes name of an object of this owner. */
  public nameOf(suffix: string): string {
    return `${this.props.prefix}-${suffix}`;
  }

  /** The labels of this owner's objects, with some changed (the name and component of an object that is not a GCP resource). */
  public labels(change: Partial<AppLabelsProps> = {}): Record<string, string> {
    return appLabels({ ...this.props.labels, ...change });
  }

  /** Adds a GCP resource named `<prefix>-<suffix>`. */
  public add(suffix: string, resource: GcpResource): ApiObject {
    return new KubeObject(this, suffix, {
      apiVersion: `${GROUPS[resource.kind]}/v1beta1`,
      kind: resource.kind,
      metadata: { name: this.nameOf(suffix), namespace: GCP_NAMESPACE, labels: this.labels() },
      spec: resource.spec,
    });
  }
}

/** A Workload Identity member: a Kubernetes ServiceAccount of the cluster's identity pool. */
export function workloadIdentityMember(project: string, namespace: string, serviceAccount: string): string {
  return `serviceAccount:${project}.svc.id.goog[${namespace}/${serviceAccount}]`;
}
