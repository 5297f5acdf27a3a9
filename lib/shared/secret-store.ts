import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformConfig } from '../config/types';
import { appLabels, PART_OF } from '../labels';

/** Props of a {@link SecretStore}. */
export interface SecretStoreProps {
  /** Platform settings: the store's name and kind, and the GCP project. */
  readonly platform: PlatformConfig;
}

/**
 * The External Secrets store that every ExternalSecret of the platform reads: GCP Secret
 * Manager of the platform's project. It authenticates as the operator's own Kubernetes
 * ServiceAccount, which Workload Identity binds to the GCP account named in
 * `operators.externalSecrets` (granted `roles/secretmanager.secretAccessor`).
 * @see https://external-secrets.io/latest/provider/google-secrets-manager/
 */
export class SecretStore extends Construct {
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: SecretStoreProps) {
    super(scope, id);
    const store = props.platform.secretStore;
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'external-secrets.io/v1',
      kind: store.kind,
      metadata: { name: store.name, labels: appLabels({ name: 'external-secrets', instance: 'shared', component: 'secret-store' }) },
      spec: {
        provider: { gcpsm: { projectID: props.platform.project } },
        // Only the platform's namespaces may read through it.
        conditions: [{ namespaceSelector: { matchLabels: { 'app.kubernetes.io/part-of': PART_OF } } }],
      },
    });
    if (store.kind === 'ClusterSecretStore') {
      // Cluster-scoped, but the chart stamps its namespace on every object.
      this.apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }
}
