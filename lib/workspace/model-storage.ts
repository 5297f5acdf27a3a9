import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { appLabels } from '../labels';
import { MODEL_STORAGE_PVC } from '../names';
import { kube, KubeObject } from '../kube-object';

/** Props of a {@link ModelStorage}. */
export interface ModelStorageProps {
  /** Workspace name (the `app.kubernetes.io/instance` label). */
  readonly workspace: string;
  /** Requested size, a Kubernetes quantity like `200Gi`. */
  readonly size: string;
  /** StorageClass. */
  readonly storageClassName: string;
  /** Access mode. */
  readonly accessMode: 'ReadWriteOnce' | 'ReadWriteMany';
}

/**
 * PersistentVolumeClaim `model-storage-pvc` (guide 4.3): base models, downloaded
 * registered models, checkpoints and training outputs. The web UI, inference servers
 * and the Airflow DAG mount it by this name.
 */
export class ModelStorage extends Construct {
  public readonly claim: KubeObject;

  constructor(scope: Construct, id: string, props: ModelStorageProps) {
    super(scope, id);
    this.claim = kube(this, 'Resource', k8s.KubePersistentVolumeClaim, {
      metadata: {
        name: MODEL_STORAGE_PVC,
        labels: appLabels({ name: 'model-storage', instance: props.workspace, component: 'storage' }),
      },
      spec: {
        accessModes: [props.accessMode],
        storageClassName: props.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(props.size) } },
      },
    });
  }
}
