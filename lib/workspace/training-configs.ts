import { KUBE, kube, KubeObject } from '../kube-object';
import { Construct } from 'constructs';
import { appLabels } from '../labels';
import { TRAINING_CONFIGS } from '../names';

/** Props of a {@link TrainingConfigs}. */
export interface TrainingConfigsProps {
  /** Workspace name. */
  readonly workspace: string;
  /** Config files by file name. @default none */
  readonly files?: Record<string, string>;
}

/**
 * ConfigMap `training-configs`: the LLaMA-Factory training configs that the Airflow DAG
 * mounts at /configs. The name is a contract with the DAG.
 */
export class TrainingConfigs extends Construct {
  public readonly configMap: KubeObject;

  constructor(scope: Construct, id: string, props: TrainingConfigsProps) {
    super(scope, id);
    this.configMap = kube(this, 'Resource', KUBE.ConfigMap, {
      // kplus's default, kept so the output does not change: the data may be edited in place.
      immutable: false,
      metadata: {
        name: TRAINING_CONFIGS,
        labels: appLabels({ name: 'llama-factory', instance: props.workspace, component: 'training-config' }),
      },
      // Empty, it has no data field (kplus's output, kept).
      data: Object.keys(props.files ?? {}).length > 0 ? props.files : undefined,
    });
  }
}
