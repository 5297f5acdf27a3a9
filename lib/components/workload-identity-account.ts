import { KUBE, kube, KubeObject } from '../kube-object';
import { Construct } from 'constructs';
import { AppLabelsProps, appLabels } from '../labels';

/** Props of a {@link WorkloadIdentityAccount}. */
export interface WorkloadIdentityAccountProps {
  /** Name of the Kubernetes ServiceAccount. */
  readonly name: string;
  /** Email of the GCP service account the pods act as. */
  readonly gcpServiceAccount: string;
  /** Recommended labels. */
  readonly labels: AppLabelsProps;
}

/**
 * A Kubernetes ServiceAccount bound to a GCP service account through GKE Workload
 * Identity. GCP IAM must grant `roles/iam.workloadIdentityUser` to
 * `serviceAccount:<project>.svc.id.goog[<namespace>/<name>]` (guide 2.4).
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity
 */
export class WorkloadIdentityAccount extends Construct {
  public readonly serviceAccount: KubeObject;

  constructor(scope: Construct, id: string, props: WorkloadIdentityAccountProps) {
    super(scope, id);
    this.serviceAccount = kube(this, 'Resource', KUBE.ServiceAccount, {
      metadata: {
        name: props.name,
        labels: appLabels(props.labels),
        annotations: { 'iam.gke.io/gcp-service-account': props.gcpServiceAccount },
      },
      // Pods reach GCP through the GKE metadata server; none needs a Kubernetes API token.
      automountServiceAccountToken: false,
    });
  }
}
