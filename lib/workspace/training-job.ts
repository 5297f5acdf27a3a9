import { Construct } from 'constructs';
import { resourceRequirements, securedPodSpec } from '../components/pod-defaults';
import { PlatformConfig, TrainingRunConfig } from '../config/types';
import { imageRef } from '../images';
import { appLabels } from '../labels';
import { MLFLOW_CLIENT_LABEL, MLFLOW_CONFIG, MODEL_STORAGE_PVC, TRAINING_CONFIGS, WORKLOAD_SERVICE_ACCOUNT } from '../names';
import { MODEL_LOADER, MODEL_LOADER_RESOURCES } from './inference-server';
import { KUBE, kube, KubeObject } from '../kube-object';
import { LOCAL_QUEUE, PRIORITY_CLASSES, QUEUE_LABEL, WORKLOAD_PRIORITY_LABEL, workloadPriorityClass } from '../training/kueue';

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

/*
 * After training: make the output servable (a LoRA adapter is merged into its base model
 * with llamafactory-cli export; a full fine-tune is the model already), log it to the
 * workspace's MLflow as the run's model, and register it under the run's name; the
 * inference servers download it from there.
 */
const REGISTER = `import os, subprocess, sys
import mlflow, yaml

config = yaml.safe_load(open(os.environ["CONFIG_FILE"]))
output = os.environ["OUTPUT_DIR"]
model = output
if config.get("finetuning_type", "lora") == "lora":
    model = os.path.join(output, "merged")
    subprocess.run([
        "llamafactory-cli", "export",
        "model_name_or_path=" + os.environ.get("BASE_MODEL_PATH", config["model_name_or_path"]),
        "adapter_name_or_path=" + output,
        "template=" + config["template"],
        "finetuning_type=lora",
        "export_dir=" + model,
    ], check=True)
mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
mlflow.set_experiment(os.environ["MLFLOW_EXPERIMENT_NAME"])
with mlflow.start_run(run_name=os.environ["RUN_ID"]) as run:
    mlflow.log_artifacts(model, "model")
    version = mlflow.register_model(f"runs:/{run.info.run_id}/model", os.environ["REGISTERED_MODEL"])
    print(f"Registered {version.name} version {version.version} from run {run.info.run_id}")
`;

/**
 * One fine-tuning run (guide 5.3, `llama-fine-tune`): a Job on the GPU pool that, when
 * the run names a `baseModel`, first downloads it from mlflow-common at its pinned
 * version, read only (as the guide's DAG
 * does), trains with a config from `training-configs`, writes to /output on the model
 * volume, then logs the servable model to the workspace's MLflow and registers it. It
 * does not retry a failed run blindly (backoffLimit 1). It has no TTL on purpose: under
 * Argo CD a Job deleted by its TTL while still declared is created again and trains
 * again; a finished run's Job goes when the run leaves the workspace file (pruned).
 * Re-running means a new run id (a new Job).
 */
export class TrainingJob extends Construct {
  public readonly job: KubeObject;

  constructor(scope: Construct, id: string, props: TrainingJobProps) {
    super(scope, id);
    const run = props.run;
    const name = trainingJobName(run.id);
    // No version label on the pod template: a Job's template cannot change, and an image
    // upgrade in platform.yaml must not turn into an error on runs already started.
    const labels = appLabels({ name: 'llama-factory', instance: props.workspace, component: 'training' });
    const output = `/output/${run.id}`;
    const basePath = run.baseModel ? `/models/base-models/${run.baseModel.name}/${run.baseModel.version}` : undefined;
    this.job = kube(this, 'Resource', KUBE.Job, {
      metadata: {
        name,
        labels: { ...labels, 'llm-platform/run': run.id, [QUEUE_LABEL]: LOCAL_QUEUE, [WORKLOAD_PRIORITY_LABEL]: workloadPriorityClass(run.priority) },
      },
      spec: {
        // Created suspended: Kueue starts it when its team's queue admits it.
        suspend: true,
        backoffLimit: 1,
        template: {
          metadata: { labels: { ...labels, app: 'llama-fine-tune', 'llm-platform/run': run.id, [MLFLOW_CLIENT_LABEL]: 'true' } },
          spec: securedPodSpec({
            restartPolicy: 'Never',
            priorityClassName: PRIORITY_CLASSES.training,
            serviceAccountName: WORKLOAD_SERVICE_ACCOUNT,
            tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
            nodeSelector: run.accelerator ? { 'cloud.google.com/gke-accelerator': run.accelerator } : undefined,
            initContainers: run.baseModel ? [{
              name: 'base-model-loader',
              image: imageRef(props.platform, 'train'),
              command: ['bash', '-c', 'MLFLOW_TRACKING_URI="$MLFLOW_COMMON_URI" exec python -c "$MODEL_LOADER"'],
              env: [
                { name: 'MODEL_URI', value: `models:/${run.baseModel.name}/${run.baseModel.version}` },
                { name: 'MODEL_PATH', value: basePath! },
                { name: 'MODEL_LOADER', value: MODEL_LOADER },
              ],
              envFrom: [{ configMapRef: { name: MLFLOW_CONFIG } }],
              resources: resourceRequirements(MODEL_LOADER_RESOURCES),
              volumeMounts: [{ name: 'models', mountPath: '/models' }],
            }] : undefined,
            containers: [{
              name: 'train',
              image: imageRef(props.platform, 'train'),
              command: ['bash', '-c'],
              args: [[
                'set -euo pipefail',
                `mkdir -p "$OUTPUT_DIR"`,
                `llamafactory-cli train "$CONFIG_FILE" output_dir="$OUTPUT_DIR"${basePath ? ' model_name_or_path="$BASE_MODEL_PATH"' : ''}`,
                'python -c "$REGISTER_SCRIPT"',
              ].join('\n')],
              env: [
                { name: 'RUN_ID', value: run.id },
                { name: 'CONFIG_FILE', value: `/configs/${run.config}` },
                ...(basePath ? [{ name: 'BASE_MODEL_PATH', value: basePath }] : []),
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
