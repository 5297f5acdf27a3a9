import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { resourceRequirements, securedPodSpec } from '../components/pod-defaults';
import { PlatformConfig, TrainingRunConfig } from '../config/types';
import { imageRef, imageTag } from '../images';
import { appLabels } from '../labels';
import { MLFLOW_CLIENT_LABEL, MLFLOW_CONFIG, MODEL_STORAGE_PVC, TRAINING_CONFIGS, WORKLOAD_SERVICE_ACCOUNT } from '../names';

/** Props of a {@link TrainingJob}. */
export interface TrainingJobProps {
  /** Workspace name. */
  readonly workspace: string;
  /** Platform settings (the train image). */
  readonly platform: PlatformConfig;
  /** The run. */
  readonly run: TrainingRunConfig;
}

/** Name of a run's Job (the guide's `llama-fine-tune`, one per run id). */
export function trainingJobName(runId: string): string {
  return `llama-fine-tune-${runId}`;
}

/** How long a finished Job stays for its logs before Kubernetes deletes it. */
export const FINISHED_JOB_TTL_SECONDS = 7 * 24 * 3600;

/*
 * After training: log the output folder to the workspace's MLflow as the run's model
 * and register it under the run's name; the inference servers download it from there.
 */
const REGISTER = `import os
import mlflow

mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
mlflow.set_experiment(os.environ["MLFLOW_EXPERIMENT_NAME"])
with mlflow.start_run(run_name=os.environ["RUN_ID"]) as run:
    mlflow.log_artifacts(os.environ["OUTPUT_DIR"], "model")
    version = mlflow.register_model(f"runs:/{run.info.run_id}/model", os.environ["REGISTERED_MODEL"])
    print(f"Registered {version.name} version {version.version} from run {run.info.run_id}")
`;

/**
 * One fine-tuning run (guide 5.3, `llama-fine-tune`): a Job on the GPU pool that trains
 * with a config from `training-configs`, writes to /output on the model volume, then
 * logs the output to the workspace's MLflow and registers the model. It does not retry
 * a failed run blindly (backoffLimit 1), stays a week for its logs, and re-running means
 * a new run id (a new Job).
 */
export class TrainingJob extends Construct {
  public readonly job: k8s.KubeJob;

  constructor(scope: Construct, id: string, props: TrainingJobProps) {
    super(scope, id);
    const run = props.run;
    const name = trainingJobName(run.id);
    const labels = appLabels({ name: 'llama-factory', instance: props.workspace, component: 'training', version: imageTag(props.platform, 'train') });
    const output = `/output/${run.id}`;
    this.job = new k8s.KubeJob(this, 'Resource', {
      metadata: { name, labels: { ...labels, 'llm-platform/run': run.id } },
      spec: {
        backoffLimit: 1,
        ttlSecondsAfterFinished: FINISHED_JOB_TTL_SECONDS,
        template: {
          metadata: { labels: { ...labels, app: 'llama-fine-tune', 'llm-platform/run': run.id, [MLFLOW_CLIENT_LABEL]: 'true' } },
          spec: securedPodSpec({
            restartPolicy: 'Never',
            serviceAccountName: WORKLOAD_SERVICE_ACCOUNT,
            tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
            nodeSelector: run.accelerator ? { 'cloud.google.com/gke-accelerator': run.accelerator } : undefined,
            containers: [{
              name: 'train',
              image: imageRef(props.platform, 'train'),
              command: ['bash', '-c'],
              args: [[
                'set -euo pipefail',
                `mkdir -p "$OUTPUT_DIR"`,
                `llamafactory-cli train "/configs/${run.config}" output_dir="$OUTPUT_DIR"`,
                'python -c "$REGISTER_SCRIPT"',
              ].join('\n')],
              env: [
                { name: 'RUN_ID', value: run.id },
                { name: 'OUTPUT_DIR', value: output },
                { name: 'REGISTERED_MODEL', value: run.registeredModel },
                { name: 'MLFLOW_EXPERIMENT_NAME', value: props.workspace },
                { name: 'REGISTER_SCRIPT', value: REGISTER },
              ],
              envFrom: [{ configMapRef: { name: MLFLOW_CONFIG } }],
              resources: resourceRequirements(run.resources, { 'nvidia.com/gpu': run.gpus }),
              volumeMounts: [
                { name: 'models', mountPath: '/models' },
                { name: 'models', mountPath: '/output', subPath: 'output' },
                { name: 'configs', mountPath: '/configs', readOnly: true },
                { name: 'dshm', mountPath: '/dev/shm' },
              ],
            }],
            volumes: [
              { name: 'models', persistentVolumeClaim: { claimName: MODEL_STORAGE_PVC } },
              { name: 'configs', configMap: { name: TRAINING_CONFIGS } },
              { name: 'dshm', emptyDir: { medium: 'Memory' } },
            ],
          }),
        },
      },
    });
  }
}
