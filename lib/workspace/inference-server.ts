import { Construct } from 'constructs';
import { resourceRequirements } from '../components/pod-defaults';
import { WebServer } from '../components/web-server';
import { PlatformConfig, ServedModelConfig } from '../config/types';
import { imageRef, imageTag } from '../images';
import { PodMonitoring } from '../monitoring/monitoring';
import { podVolume } from './model-storage';
import { PRIORITY_CLASSES } from '../training/kueue';
import { ModelAutoscaler } from '../serving/model-autoscaler';
import { Autoscaling } from '../serving/scaling';
import { INFERENCE_APP, INFERENCE_CANARY_APP, InferenceNames, MLFLOW_CLIENT_LABEL, MLFLOW_CONFIG, PORTS, WORKLOAD_SERVICE_ACCOUNT } from '../names';

/** Label that tells the pods of one served model from another's (all carry `app: llama-infer`). */
export const MODEL_LABEL = 'llm-platform/model';

/** Props of an {@link InferenceServer}. */
export interface InferenceServerProps {
  /** Workspace name. */
  readonly workspace: string;
  /** Platform settings (train and api images). */
  readonly platform: PlatformConfig;
  /** The served model. */
  readonly model: ServedModelConfig;
  /** Names of the Deployment and Service. */
  readonly names: InferenceNames;
  /** Replicas: the model's, or 0 while the workspace is suspended. */
  readonly replicas: number;
  /** Replicas decided by load instead (an active workspace's autoscaled model). */
  readonly autoscaling?: Autoscaling;
  /**
   * The model's canary: its second Deployment and Service, serving `version` under the
   * same model id, with pods labelled `app: llama-infer-canary` (the main Deployment's
   * selector takes every `llama-infer` pod, and a selector cannot change).
   */
  readonly canary?: { readonly version: string };
  /** StorageClass of each replica's own model volume (`storage.podVolumeClass`). */
  readonly podVolumeClass: string;
}

/** CPU, memory and local disk of a model loader (the inference pods' and the training runs' init container); MLflow stages downloads in /tmp. */
export const MODEL_LOADER_RESOURCES = { cpu: { request: '500m', limit: '2' }, memory: { request: '1Gi', limit: '4Gi' }, ephemeralStorage: { request: '1Gi', limit: '10Gi' } };

/** Seconds a replica may take to download and load its model before it is restarted. */
const MODEL_LOAD_SECONDS = 1800;

/*
 * The model loader: downloads the registered model from the workspace's MLflow into the
 * model volume, into a folder of its own pod and then renamed into place, so that a
 * download cut short never leaves half a model in place. When MLflow cannot be reached
 * but an earlier download is on the volume (a replica's own volume lives as long as its
 * pod), the server starts with that copy; with nothing to serve, the pod stops here with
 * the reason. Training runs load their base model the same way.
 */
export const MODEL_LOADER = `import os, shutil, socket, sys
import mlflow

uri = os.environ["MODEL_URI"]
target = os.environ["MODEL_PATH"]
pod = socket.gethostname()
partial, old = f"{target}.partial-{pod}", f"{target}.old-{pod}"
mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
try:
    shutil.rmtree(partial, ignore_errors=True)
    mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=partial)
    if os.path.isdir(target):
        os.rename(target, old)
    os.rename(partial, target)
    shutil.rmtree(old, ignore_errors=True)
    print(f"Model {uri} loaded from MLflow into {target}")
except Exception as e:
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    if os.path.isdir(target) and os.listdir(target):
        print(f"Warning: could not load {uri} ({e}); serving the copy already in {target}")
    else:
        print(f"Error: could not load {uri} and no earlier copy is in {target}: {e}")
        sys.exit(1)
`;

/**
 * One served model (guide 4.6): a Deployment labelled `app: llama-infer` running the
 * LLaMA-Factory API with the vLLM backend on GPUs, a `model-loader` init container that
 * downloads `models:/<model>/<version>` from the workspace's MLflow, and a Service on
 * port 8000 that only the gateway may reach.
 * @see https://llamafactory.readthedocs.io/en/latest/getting_started/inference.html
 */
export class InferenceServer extends Construct {
  public readonly server: WebServer;

  constructor(scope: Construct, id: string, props: InferenceServerProps) {
    super(scope, id);
    const model = props.model;
    const registered = model.registeredModel ?? model.name;
    const app = props.canary ? INFERENCE_CANARY_APP : INFERENCE_APP;
    const version = props.canary?.version ?? model.version;
    // The model's own name is a DNS label: safe as a folder, and unique in the workspace.
    const modelPath = `/models/${model.name}`;
    const labels = { name: 'llama-factory', instance: props.workspace, component: props.canary ? 'inference-canary' : 'inference' };

    // The replica's own volume: replicas on different nodes never share one.
    const volumeMounts = [{ name: 'model-cache', mountPath: '/models' }];
    this.server = new WebServer(this, 'Server', {
      name: props.names.deployment,
      serviceName: props.names.service,
      appLabel: app,
      // With one model the Deployment keeps its name when the model changes, so its
      // selector must not name the model; with several, each Deployment is its model's.
      selectorLabels: props.names.perModel ? { [MODEL_LABEL]: model.name } : {},
      // The model loader downloads from MLflow.
      podLabels: { [MODEL_LABEL]: model.name, [MLFLOW_CLIENT_LABEL]: 'true' },
      deploymentLabels: { app },
      labels: { ...labels, version: imageTag(props.platform, 'api') },
      replicas: props.replicas,
      autoscaled: props.autoscaling,
      serviceAccountName: WORKLOAD_SERVICE_ACCOUNT,
      priorityClassName: PRIORITY_CLASSES.inference,
      initContainers: [{
        name: 'model-loader',
        image: imageRef(props.platform, 'train'),
        command: ['python', '-c'],
        args: [MODEL_LOADER],
        env: [
          { name: 'MODEL_URI', value: `models:/${registered}/${version}` },
          { name: 'MODEL_PATH', value: modelPath },
        ],
        envFrom: [{ configMapRef: { name: MLFLOW_CONFIG } }],
        resources: resourceRequirements(MODEL_LOADER_RESOURCES),
        volumeMounts,
      }],
      container: {
        name: 'inference',
        image: imageRef(props.platform, 'api'),
        port: PORTS.inference,
        // vLLM's own OpenAI-compatible server (the API image's vLLM): it serves the model
        // under the gateway's model id, and its metrics on /metrics, which LLaMA-Factory's
        // API server does not.
        command: ['vllm', 'serve', modelPath],
        args: [
          `--served-model-name=${model.name}`,
          '--host=0.0.0.0',
          `--port=${PORTS.inference}`,
          `--tensor-parallel-size=${model.gpus}`,
          // The KV cache is reserved for this context: a model's full one may not fit its GPUs.
          `--max-model-len=${model.maxModelLen}`,
        ],
        volumeMounts: [
          ...volumeMounts,
          { name: 'dshm', mountPath: '/dev/shm' },
        ],
        resources: model.resources,
        extendedResources: { 'nvidia.com/gpu': model.gpus },
        probe: { path: '/health', startupSeconds: MODEL_LOAD_SECONDS },
      },
      volumes: [
        podVolume('model-cache', model.cacheSize, props.podVolumeClass),
        // vLLM's workers exchange tensors through shared memory; the runtime's 64Mi is far too little.
        { name: 'dshm', emptyDir: { medium: 'Memory' } },
      ],
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      nodeSelector: model.accelerator ? { 'cloud.google.com/gke-accelerator': model.accelerator } : undefined,
      // A surge replica would need GPUs the pool may not have; replace replicas instead.
      recreate: true,
      terminationGracePeriodSeconds: 60,
    });
    const selector: Record<string, string> = props.names.perModel ? { [MODEL_LABEL]: model.name } : {};
    if (props.autoscaling) {
      new ModelAutoscaler(this, 'Autoscaler', {
        project: props.platform.project, workspace: props.workspace, model: model.name, names: props.names,
        podSelector: { [MODEL_LABEL]: model.name }, autoscaling: props.autoscaling,
      });
    }
    // Its vLLM metrics, scraped by GKE Managed Prometheus: the job is the Deployment's name.
    new PodMonitoring(this, 'Metrics', {
      name: props.names.deployment,
      selector: { app, ...selector },
      port: 'http',
      labels: { ...labels, component: 'metrics' },
    });
  }
}
