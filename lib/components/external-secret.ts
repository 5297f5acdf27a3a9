import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformConfig } from '../config/types';
import { AppLabelsProps, appLabels } from '../labels';
import { KubeObject } from '../kube-object';

/** One key of the Kubernetes Secret and where its value lives in Secret Manager. */
export interface SecretKeySource {
  /** Key in the Kubernetes Secret. */
  readonly secretKey: string;
  /** Secret Manager secret name, without the platform's key prefix. */
  readonly remoteKey: string;
  /** Field of a JSON-valued secret. @default the whole value */
  readonly property?: string;
}

/** Props of an {@link ExternalSecret}. */
export interface ExternalSecretProps {
  /** Name of the ExternalSecret and of the Secret it writes. */
  readonly name: string;
  /** Recommended labels. */
  readonly labels: AppLabelsProps;
  /** The platform settings: key prefix, refresh interval. */
  readonly platform: PlatformConfig;
  /** The namespace's SecretStore, which reads the namespace's own secrets. */
  readonly store: string;
  /** Keys of the Secret. */
  readonly data: readonly SecretKeySource[];
}

/**
 * A Kubernetes Secret filled by the External Secrets Operator from GCP Secret Manager.
 * Only the reference is in git; the value never is.
 *
 * There is no typed cdk8s construct for the CRD in this project (importing it needs the
 * CRD file), so this is a plain `ApiObject`; tests validate it against the CRD schema.
 * @see https://external-secrets.io/latest/api/externalsecret/
 */
export class ExternalSecret extends Construct {
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ExternalSecretProps) {
    super(scope, id);
    const store = props.platform.secretStore;
    this.apiObject = new KubeObject(this, 'Resource', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: props.name, labels: appLabels(props.labels) },
      spec: {
        refreshInterval: store.refreshInterval,
        secretStoreRef: { kind: 'SecretStore', name: props.store },
        target: { name: props.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
        data: props.data.map((d) => ({
          secretKey: d.secretKey,
          remoteRef: {
            key: `${store.keyPrefix}${d.remoteKey}`,
            ...(d.property ? { property: d.property } : {}),
            // The CRD's defaults, written out: the API server adds them, and an Argo CD
            // diff would otherwise show every ExternalSecret out of sync forever.
            conversionStrategy: 'Default',
            decodingStrategy: 'None',
            metadataPolicy: 'None',
          },
        })),
      },
    });
  }
}
