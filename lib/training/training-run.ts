import type { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { resourceRequirements, securedPodSpec } from '../components/pod-defaults';
import { PlatformConfig, TrainingRunConfig, WorkspaceConfig } from '../config/types';
import { podVolume } from '../workspace/model-storage';
import { imageRef } from '../images';
import { appLabels } from '../labels';
import { MLFLOW_CLIENT_LABEL, MLFLOW_CONFIG, MODEL_STORAGE_PVC, TRAINING_CONFIGS, WORKLOAD_SERVICE_ACCOUNT } from '../names';
import { MODEL_LOADER, MODEL_LOADER_RESOURCES } from '../workspace/inference-server';
import { KUBE, kube, KubeObject } from '../kube-object';
import { GCSFUSE_SIDECAR } from './share';
import { ACCELERATOR_LABEL, LOCAL_QUEUE, PRIORITY_CLASSES, QUEUE_LABEL, WORKLOAD_PRIORITY_LABEL, workloadPriorityClass } from './kueue';

/** Props of a {@link TrainingRun}. */
export interface TrainingRunProps {
  /** Workspace name. */
  readonly workspace: string;
  /** Platform settings (the train image). */
  readonly platform: PlatformConfig;
  /** The run. */
  readonly run: TrainingRunConfig;
  /** Its name (`describeRuns`). */
  readonly name: string;
  /** The DeepSpeed config its training config names (a file of training-configs), if any. */
  readonly deepspeed?: string;
  /** The workspace's training-data bucket, mounted read only at /data (LLaMA-Factory's dataset_dir). */
  readonly dataBucket: string;
  /** The workspace's storage: a run mounts model-storage-pvc only when it is ReadWriteMany. */
  readonly storage: WorkspaceConfig['storage'];
}

/** Port of a multi-node run's rendezvous (torchrun's MASTER_PORT) on its first pod. */
export const RENDEZVOUS_PORT = 29500;

/** Where a run's pods see the workspace's data bucket (LLaMA-Factory's dataset_dir: dataset_info.json and the data sets). */
export const DATA_DIR = '/data';

/** The `app` label of training pods. */
export const TRAINING_APP = 'llama-fine-tune';

/** The label that holds a run's name on its Job or JobSet and on its pods. */
export const RUN_NAME_LABEL = 'llm-platform/run-name';

/** The replicated job of a multi-node run's JobSet: one Indexed Job, a pod per node. */
const NODE_JOB = 'node';

/*
 * After training (a declared run's, and the Airflow DAG's: one step for both): make the output servable (a LoRA adapter is merged into its base model
 * with llamafactory-cli export; a full fine-tune is the model already), log it to the
 * workspace's MLflow as the run's model, and register it under the run's name; the
 * inference servers download it from there.
 */
export const REGISTER_SCRIPT = `import os, subprocess, sys
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
 * One fine-tuning run (guide 5.3, `llama-fine-tune`) on the GPU pool: when the run names
 * a `baseModel`, its pods first download it from mlflow-common at its pinned version,
 * read only (as the guide's DAG does); they train with a config from `training-configs`,
 * write to /output on the model volume, then (the first node only) log the servable
 * model to the workspace's MLflow and register it.
 *
 * One node is a Job; several GPUs on it run under torchrun (LLaMA-Factory's
 * `FORCE_TORCHRUN`). Several nodes are one JobSet: an Indexed Job with a pod per node,
 * each with `NNODES`, its `NODE_RANK` (its completion index) and the first pod as
 * `MASTER_ADDR` through the JobSet's headless Service, admitted by Kueue as one unit
 * (all its pods or none), and failing as one (no restarts). Either is created suspended
 * in the workspace's queue. It does not retry a failed run blindly (backoffLimit 1 for
 * one node, 0 for several, where a lost pod breaks the rendezvous). It has no TTL on
 * purpose: under Argo CD a Job deleted by its TTL while still declared is created again
 * and trains again; a finished run's Job goes when the run leaves the workspace file
 * (pruned), or when what it trains changes (a new name).
 */
export class TrainingRun extends Construct {
  public readonly workload: KubeObject;

  constructor(scope: Construct, id: string, props: TrainingRunProps) {
    super(scope, id);
    const { run, name } = props;
    const multiNode = run.nodes > 1;
    // No version label on the pod template: a Job's template cannot change, and an image
    // upgrade in platform.yaml must not turn into an error on runs already started.
    const labels = appLabels({ name: 'llama-factory', instance: props.workspace, component: 'training' });
    const runLabels = { 'llm-platform/run': run.id, [RUN_NAME_LABEL]: name };
    const output = `/output/${name}`;
    const basePath = run.baseModel ? `/models/base-models/${run.baseModel.name}/${run.baseModel.version}` : undefined;
    // A base model's own code runs only when the platform trusts it, whatever the config
    // says (synth refuses such a declared run; a run the DAG starts is forced here).
    const trusted = run.baseModel !== undefined && props.platform.training.trustRemoteCode.includes(run.baseModel.name);
    const distributed = [
      ...(run.gpus > 1 || multiNode ? [{ name: 'FORCE_TORCHRUN', value: '1' }] : []),
      ...(multiNode ? [
        { name: 'NNODES', value: String(run.nodes) },
        { name: 'NODE_RANK', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
        // The first pod, by the hostname the JobSet gives it on its headless Service.
        { name: 'MASTER_ADDR', value: `${name}-${NODE_JOB}-0-0.${name}` },
        { name: 'MASTER_PORT', value: String(RENDEZVOUS_PORT) },
      ] : []),
    ];
    const pod = {
      metadata: {
        labels: { ...labels, app: TRAINING_APP, ...runLabels, [MLFLOW_CLIENT_LABEL]: 'true' },
        // GKE injects the Cloud Storage FUSE sidecar that mounts the data bucket, with
        // these figures (its own defaults set no limits, which the quota requires).
        annotations: { 'gke-gcsfuse/volumes': 'true', ...gcsfuseAnnotations() },
      },
      spec: securedPodSpec({
        restartPolicy: 'Never',
        priorityClassName: PRIORITY_CLASSES.training,
        serviceAccountName: WORKLOAD_SERVICE_ACCOUNT,
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        nodeSelector: run.accelerator ? { [ACCELERATOR_LABEL]: run.accelerator } : undefined,
        // A run that names no accelerator may go to any whose nodes have its GPUs per node
        // (Kueue picks its flavor among those only).
        affinity: run.accelerator ? undefined : acceleratorsFor(props.platform, run.gpus),
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
            'remote_code=()',
            'if [ "$BASE_MODEL_TRUSTED" != true ]; then remote_code=(trust_remote_code=false); fi',
            // The DeepSpeed config is mounted beside the training config; the path it names is relative to the file.
            `llamafactory-cli train "$CONFIG_FILE" output_dir="$OUTPUT_DIR" dataset_dir=${DATA_DIR}${basePath ? ' model_name_or_path="$BASE_MODEL_PATH"' : ''}${props.deepspeed ? ` deepspeed=/configs/${props.deepspeed}` : ''} "\${remote_code[@]}"`,
            // Registered once: by the first node.
            multiNode ? 'if [ "$NODE_RANK" = 0 ]; then python -c "$REGISTER_SCRIPT"; fi' : 'python -c "$REGISTER_SCRIPT"',
          ].join('\n')],
          env: [
            { name: 'RUN_ID', value: run.id },
            { name: 'CONFIG_FILE', value: `/configs/${run.config}` },
            ...(basePath ? [{ name: 'BASE_MODEL_PATH', value: basePath }] : []),
            { name: 'OUTPUT_DIR', value: output },
            { name: 'REGISTERED_MODEL', value: run.registeredModel },
            { name: 'BASE_MODEL_TRUSTED', value: String(trusted) },
            { name: 'MLFLOW_EXPERIMENT_NAME', value: props.workspace },
            ...distributed,
            { name: 'REGISTER_SCRIPT', value: REGISTER_SCRIPT },
          ],
          envFrom: [{ configMapRef: { name: MLFLOW_CONFIG } }],
          ports: multiNode ? [{ name: 'rendezvous', containerPort: RENDEZVOUS_PORT }] : undefined,
          resources: resourceRequirements(run.resources, { 'nvidia.com/gpu': run.gpus }),
          volumeMounts: [
            { name: 'models', mountPath: '/models' },
            { name: 'models', mountPath: '/output', subPath: 'output' },
            { name: 'configs', mountPath: '/configs', readOnly: true },
            { name: 'data', mountPath: DATA_DIR, readOnly: true },
            { name: 'dshm', mountPath: '/dev/shm' },
          ],
        }],
        volumes: [
          // The workspace's volume when every node can write it; else the run's own.
          props.storage.accessMode === 'ReadWriteMany'
            ? { name: 'models', persistentVolumeClaim: { claimName: MODEL_STORAGE_PVC } }
            : podVolume('models', run.scratchSize, props.storage.podVolumeClass),
          { name: 'configs', configMap: { name: TRAINING_CONFIGS } },
          // The team's data bucket, read only, through GKE's Cloud Storage FUSE CSI driver as the workspace's GCP identity.
          { name: 'data', csi: { driver: GCSFUSE_DRIVER, readOnly: true, volumeAttributes: { bucketName: props.dataBucket, mountOptions: 'implicit-dirs' } } },
          { name: 'dshm', emptyDir: { medium: 'Memory' } },
        ],
      }),
    };
    const metadata = {
      name,
      labels: { ...labels, ...runLabels, [QUEUE_LABEL]: LOCAL_QUEUE, [WORKLOAD_PRIORITY_LABEL]: workloadPriorityClass(run.priority) },
    };
    if (!multiNode) {
      this.workload = kube(this, 'Resource', KUBE.Job, {
        metadata,
        // Created suspended: Kueue starts it when its team's queue admits it.
        spec: { suspend: true, backoffLimit: 1, template: pod },
      });
      return;
    }
    this.workload = new KubeObject(this, 'Resource', {
      apiVersion: JOBSET_API,
      kind: 'JobSet',
      metadata,
      spec: {
        // Created suspended: Kueue starts every pod of it at once, or none.
        suspend: true,
        network: { enableDNSHostnames: true, subdomain: name },
        failurePolicy: { maxRestarts: 0 },
        replicatedJobs: [{
          name: NODE_JOB,
          replicas: 1,
          template: {
            spec: {
              completionMode: 'Indexed',
              completions: run.nodes,
              parallelism: run.nodes,
              backoffLimit: 0,
              template: pod,
            },
          },
        }],
      },
    });
  }
}

/** The Cloud Storage FUSE sidecar's requests and limits, as GKE's annotations take them. */
function gcsfuseAnnotations(): Record<string, string> {
  const r = GCSFUSE_SIDECAR;
  return {
    'gke-gcsfuse/cpu-request': r.cpu.request, 'gke-gcsfuse/cpu-limit': r.cpu.limit,
    'gke-gcsfuse/memory-request': r.memory.request, 'gke-gcsfuse/memory-limit': r.memory.limit,
    'gke-gcsfuse/ephemeral-storage-request': r.ephemeralStorage.request, 'gke-gcsfuse/ephemeral-storage-limit': r.ephemeralStorage.limit,
  };
}

/** Node affinity to the accelerators whose nodes come with `gpus` GPUs, when not all do. */
function acceleratorsFor(platform: PlatformConfig, gpus: number): k8s.Affinity | undefined {
  const all = platform.training.accelerators;
  const fit = all.filter((a) => a.nodeGpus.includes(gpus)).map((a) => a.name);
  if (fit.length === all.length) return undefined;
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: ACCELERATOR_LABEL, operator: 'In', values: fit }] }] } } };
}

/** The CSI driver of GKE's Cloud Storage FUSE: a run's data bucket. */
export const GCSFUSE_DRIVER = 'gcsfuse.csi.storage.gke.io';

/** The JobSet API the manifests use (JobSet 0.12). */
export const JOBSET_API = 'jobset.x-k8s.io/v1alpha2';
