import * as kplus from 'cdk8s-plus-28';
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
  public readonly configMap: kplus.ConfigMap;

  constructor(scope: Construct, id: string, props: TrainingConfigsProps) {
    super(scope, id);
    this.configMap = new kplus.ConfigMap(this, 'Resource', {
      metadata: {
        name: TRAINING_CONFIGS,
        labels: appLabels({ name: 'llama-factory', instance: props.workspace, component: 'training-config' }),
      },
      data: props.files ?? {},
    });
  }
}
