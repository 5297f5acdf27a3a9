import type { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { appLabels } from '../labels';
import { MODEL_STORAGE_PVC } from '../names';
import { KUBE, kube, KubeObject, quantity } from '../kube-object';

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
    this.claim = kube(this, 'Resource', KUBE.PersistentVolumeClaim, {
      metadata: {
        name: MODEL_STORAGE_PVC,
        labels: appLabels({ name: 'model-storage', instance: props.workspace, component: 'storage' }),
      },
      spec: {
        accessModes: [props.accessMode],
        storageClassName: props.storageClassName,
        resources: { requests: { storage: quantity(props.size) } },
      },
    });
  }
}

/**
 * A volume of a pod's own (a generic ephemeral volume): a ReadWriteOnce claim made with
 * the pod, on its node, and deleted with it. Pods on different nodes never share it, so
 * it never waits on a Multi-Attach; it counts in the namespace's quota while it lives.
 * @see https://kubernetes.io/docs/concepts/storage/ephemeral-volumes/#generic-ephemeral-volumes
 */
export function podVolume(name: string, size: string, storageClassName: string): k8s.Volume {
  return {
    name,
    ephemeral: {
      volumeClaimTemplate: {
        spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: quantity(size) } } },
      },
    },
  };
}
