import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { RUN_AS_ID } from '../components/pod-defaults';
import { PlatformConfig } from '../config/types';
import { imageRef } from '../images';
import { appLabels } from '../labels';
import {
  MLFLOW_CLIENT_LABEL, MODEL_STORAGE_PVC, PORTS, SHARED_APPS, SHARED_NAMESPACE, serviceUrl, TRAINING_CONFIGS, WORKLOAD_SERVICE_ACCOUNT, WORKSPACE_APPS,
  workspaceNamespace,
} from '../names';
import { projectRoot } from '../paths';
import { KUBE, kube } from '../kube-object';
import { REGISTER_SCRIPT } from '../training/training-run';
import { LOCAL_QUEUE, PRIORITY_CLASSES, QUEUE_LABEL, WORKLOAD_PRIORITY_LABEL, workloadPriorityClass } from '../training/kueue';

/** ConfigMap that holds the DAGs; the Airflow chart's scheduler and workers mount it as their DAG folder. */
export const DAGS_CONFIG_MAP = 'airflow-dags';

/** Where Airflow reads DAGs (the chart's default DAG folder). */
export const DAGS_FOLDER = '/opt/airflow/dags';

/** The DAG as shipped in assets/ (tests compile it with Python). */
export function dagScript(): string {
  return fs.readFileSync(path.join(projectRoot(), 'assets', DAG_FILE), 'utf8');
}

/** File name of the DAG in the DAG folder. */
export const DAG_FILE = 'llm_finetune_dag.py';

/** File name of the settings the DAG reads from beside it. */
export const DAG_SETTINGS_FILE = 'llm_platform_settings.json';

/** What the training config of a DAG run may be: a file of training-configs, or the guide's `<workspace>/configs/<file>`. */
export const DAG_CONFIG_PATH_PATTERN = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?/configs/)?[A-Za-z0-9][A-Za-z0-9._-]*\\.ya?ml$';

/**
 * The settings of the guide's DAG (5.3), `llm_finetune_workflow`, which ships as it is
 * in `assets/llm_finetune_dag.py`: its image, the workspaces that exist (the only values
 * Airflow accepts for the `workspace` param), addresses, names, resources and the base
 * models whose remote code the platform trusts.
 */
export function dagSettings(platform: PlatformConfig, workspaces: readonly string[]): Record<string, unknown> {
  const mlflow = serviceUrl(WORKSPACE_APPS.mlflow, workspaceNamespace('NAME'), PORTS.mlflow);
  const [prefix, suffix] = mlflow.split('NAME');
  return {
    image: imageRef(platform, 'train'),
    workspaces: [...workspaces],
    namespacePrefix: workspaceNamespace(''),
    configPathPattern: DAG_CONFIG_PATH_PATTERN,
    // Base models, read only: the DAG's pods reach mlflow-common through its read-only front.
    mlflowCommonRead: serviceUrl(SHARED_APPS.mlflowRead, SHARED_NAMESPACE, PORTS.mlflowRead),
    workspaceMlflowPrefix: prefix,
    workspaceMlflowSuffix: suffix,
    serviceAccount: WORKLOAD_SERVICE_ACCOUNT,
    modelStorageClaim: MODEL_STORAGE_PVC,
    trainingConfigs: TRAINING_CONFIGS,
    runAs: RUN_AS_ID,
    podLabels: { [MLFLOW_CLIENT_LABEL]: 'true' },
    tmpSizeLimit: '10Gi',
    trustedBaseModels: [...platform.training.trustRemoteCode],
    // The declared runs' own last step: a LoRA adapter merged into its base model, logged
    // and registered, so that what the DAG registers can be served as theirs can.
    registerScript: REGISTER_SCRIPT,
    // Its training pod queues with the declared runs (Kueue's pod integration).
    training: {
      priorityClassName: PRIORITY_CLASSES.training,
      queueLabels: { [QUEUE_LABEL]: LOCAL_QUEUE, [WORKLOAD_PRIORITY_LABEL]: workloadPriorityClass('normal') },
    },
    resources: {
      gpu: {
        requests: { 'nvidia.com/gpu': '1', 'memory': '32Gi', 'cpu': '8', 'ephemeral-storage': '20Gi' },
        limits: { 'nvidia.com/gpu': '1', 'memory': '64Gi', 'cpu': '16', 'ephemeral-storage': '100Gi' },
      },
      small: {
        requests: { 'memory': '2Gi', 'cpu': '1', 'ephemeral-storage': '1Gi' },
        limits: { 'memory': '8Gi', 'cpu': '2', 'ephemeral-storage': '10Gi' },
      },
    },
  };
}

/** Props of an {@link AirflowDags}. */
export interface AirflowDagsProps {
  readonly platform: PlatformConfig;
  /** Names of the workspaces, which the DAG accepts. */
  readonly workspaces: readonly string[];
}

/** The DAGs Airflow loads, in ConfigMap `airflow-dags`: the DAG file as shipped and its settings. */
export class AirflowDags extends Construct {
  constructor(scope: Construct, id: string, props: AirflowDagsProps) {
    super(scope, id);
    kube(this, 'Resource', KUBE.ConfigMap, {
      metadata: { name: DAGS_CONFIG_MAP, labels: appLabels({ name: 'airflow', instance: 'shared', component: 'dags' }) },
      data: {
        [DAG_FILE]: dagScript(),
        [DAG_SETTINGS_FILE]: `${JSON.stringify(dagSettings(props.platform, props.workspaces), null, 2)}\n`,
      },
    });
  }
}
