import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { WorkloadIdentityAccount } from './workload-identity-account';
import { PlatformConfig } from '../config/types';
import { AppLabelsProps, appLabels } from '../labels';
import { SECRET_STORE_ACCOUNT } from '../names';
import { KubeObject } from '../kube-object';

/** Props of a {@link SecretStore}. */
export interface SecretStoreProps {
  /** Name of the SecretStore. */
  readonly name: string;
  /** Platform settings: the GCP project. */
  readonly platform: PlatformConfig;
  /** Email of the GCP service account the store reads as: the namespace's own identity. */
  readonly gcpServiceAccount: string;
  /** Recommended labels (the instance: workspace or `shared`). */
  readonly labels: Pick<AppLabelsProps, 'instance'>;
}

/**
 * A namespace's own External Secrets store: GCP Secret Manager of the platform's
 * project, read as the namespace's GCP identity through Workload Identity, by way of a
 * ServiceAccount of its own (`secret-store`) that nothing runs as. A namespaced
 * SecretStore is usable only from its namespace, and reads only what IAM grants that
 * identity: each workspace its own secrets, the shared layer the shared layer's.
 *
 * The ServiceAccount carries the GCP account's annotation, so the controller trades its
 * token for the account's (which needs `roles/iam.workloadIdentityUser` for
 * `serviceAccount:<project>.svc.id.goog[<namespace>/secret-store]`). The controller has
 * no GCP identity of its own: a store that names none reads nothing.
 * @see https://external-secrets.io/latest/provider/google-secrets-manager/
 */
export class SecretStore extends Construct {
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: SecretStoreProps) {
    super(scope, id);
    const labels = { name: 'external-secrets', instance: props.labels.instance, component: 'secret-store' };
    new WorkloadIdentityAccount(this, 'ServiceAccount', { name: SECRET_STORE_ACCOUNT, gcpServiceAccount: props.gcpServiceAccount, labels });
    this.apiObject = new KubeObject(this, 'Resource', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: { name: props.name, labels: appLabels(labels) },
      spec: {
        provider: {
          gcpsm: {
            projectID: props.platform.project,
            auth: { workloadIdentity: { serviceAccountRef: { name: SECRET_STORE_ACCOUNT } } },
          },
        },
      },
    });
  }
}
