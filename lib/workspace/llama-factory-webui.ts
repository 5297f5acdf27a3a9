import { Construct } from 'constructs';
import { WebServer } from '../components/web-server';
import { PlatformConfig, ResourcesConfig } from '../config/types';
import { imageRef, imageTag } from '../images';
import { MLFLOW_CLIENT_LABEL, MLFLOW_CONFIG, MODEL_STORAGE_PVC, PORTS, WORKLOAD_SERVICE_ACCOUNT, WORKSPACE_APPS } from '../names';

/** Props of a {@link LlamaFactoryWebui}. */
export interface LlamaFactoryWebuiProps {
  /** Workspace name. */
  readonly workspace: string;
  /** Platform settings (the train image). */
  readonly platform: PlatformConfig;
  /** CPU and memory. */
  readonly resources: ResourcesConfig;
  /** Replicas: 1, or 0 while the workspace is suspended. */
  readonly replicas: number;
}

/**
 * The LLaMA-Factory web UI (guide 4.5) on port 7860, with the model storage at /models
 * and a scratch /workspace for configs, logs and outputs. It runs in /workspace, where
 * it writes its caches (the root filesystem is read-only), and its training outputs
 * (`saves/`) go to the model volume, so a restart loses no checkpoint.
 * @see https://llamafactory.readthedocs.io/en/latest/getting_started/webui.html
 */
export class LlamaFactoryWebui extends Construct {
  public readonly server: WebServer;

  constructor(scope: Construct, id: string, props: LlamaFactoryWebuiProps) {
    super(scope, id);
    this.server = new WebServer(this, 'Server', {
      name: WORKSPACE_APPS.webui,
      labels: { name: 'llama-factory', instance: props.workspace, component: 'webui', version: imageTag(props.platform, 'train') },
      serviceAccountName: WORKLOAD_SERVICE_ACCOUNT,
      podLabels: { [MLFLOW_CLIENT_LABEL]: 'true' },
      replicas: props.replicas,
      container: {
        name: 'webui',
        image: imageRef(props.platform, 'train'),
        port: PORTS.webui,
        command: ['bash', '-lc'],
        args: [[
          'mkdir -p /workspace/configs /workspace/logs /workspace/outputs /models/saves',
          'ln -sfn /models/saves /workspace/saves',
          'cd /workspace',
          'exec llamafactory-cli webui',
        ].join(' && ')],
        env: [
          // `llamafactory-cli webui` takes its address from Gradio's variables, not from flags.
          { name: 'GRADIO_SERVER_NAME', value: '0.0.0.0' },
          { name: 'GRADIO_SERVER_PORT', value: String(PORTS.webui) },
          { name: 'GRADIO_ANALYTICS_ENABLED', value: 'False' },
        ],
        envFrom: [{ configMapRef: { name: MLFLOW_CONFIG } }],
        volumeMounts: [
          { name: 'workspace', mountPath: '/workspace' },
          { name: 'models', mountPath: '/models' },
        ],
        resources: props.resources,
        probe: { path: '/', startupSeconds: 300 },
      },
      volumes: [
        { name: 'workspace', emptyDir: {} },
        { name: 'models', persistentVolumeClaim: { claimName: MODEL_STORAGE_PVC } },
      ],
      // The web UI holds the ReadWriteOnce model volume: a surge pod on another node could never mount it.
      recreate: true,
    });
  }
}
