import { KUBE, kube, KubeObject } from '../kube-object';
import { Construct } from 'constructs';
import { appLabels } from '../labels';
import { MLFLOW_CONFIG, PORTS, SHARED_APPS, SHARED_NAMESPACE, serviceUrl, WORKSPACE_APPS } from '../names';

/** Props of an {@link MlflowConfig}. */
export interface MlflowConfigProps {
  /** Workspace name. */
  readonly workspace: string;
  /** Namespace of the workspace. */
  readonly namespace: string;
}

/** How MLflow's clients move files to and from GCS: 100 MiB chunks, each request given 10 minutes. */
export const GCS_TRANSFER = {
  MLFLOW_GCS_UPLOAD_CHUNK_SIZE: String(100 * 2 ** 20),
  MLFLOW_GCS_DOWNLOAD_CHUNK_SIZE: String(100 * 2 ** 20),
  MLFLOW_ARTIFACT_UPLOAD_DOWNLOAD_TIMEOUT: '600',
} as const;

/**
 * ConfigMap `mlflow-config` with the MLflow URIs that the web UI, the model loader and
 * training read: the workspace's own server and `mlflow-common`. The guide keeps them in
 * a Secret (`mlflow-secret`), but they are not secret, so they live in a ConfigMap.
 */
export class MlflowConfig extends Construct {
  public readonly configMap: KubeObject;

  constructor(scope: Construct, id: string, props: MlflowConfigProps) {
    super(scope, id);
    this.configMap = kube(this, 'Resource', KUBE.ConfigMap, {
      // kplus's default, kept so the output does not change: the data may be edited in place.
      immutable: false,
      metadata: {
        name: MLFLOW_CONFIG,
        labels: appLabels({ name: 'mlflow', instance: props.workspace, component: 'tracking-config' }),
      },
      data: {
        MLFLOW_TRACKING_URI: serviceUrl(WORKSPACE_APPS.mlflow, props.namespace, PORTS.mlflow),
        // Base models, read only: workspaces never reach mlflow-common itself.
        MLFLOW_COMMON_URI: serviceUrl(SHARED_APPS.mlflowRead, SHARED_NAMESPACE, PORTS.mlflowRead),
        // Model files go to and from GCS directly, in chunks, each request with its own
        // timeout: a transfer is bounded by the pod's disk, not by a deadline.
        ...GCS_TRANSFER,
      },
    });
  }
}
