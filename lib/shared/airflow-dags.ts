import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { PlatformConfig } from '../config/types';
import { appLabels } from '../labels';
import { workspaceNamespace } from '../names';
import { projectRoot } from '../paths';
import { KUBE, kube } from '../kube-object';
import { RUN_TEMPLATE_CONFIG_MAP, RUN_TEMPLATE_KEY } from '../training/run-template';

/** ConfigMap that holds the DAGs; the Airflow chart's scheduler and workers mount it as their DAG folder. */
export const DAGS_CONFIG_MAP = 'airflow-dags';

/** Where Airflow reads DAGs (the chart's default DAG folder). */
export const DAGS_FOLDER = '/opt/airflow/dags';

/** The DAG as shipped in assets/ (tests compile it with Python). */
export function dagScript(): string {
  return fs.readFileSync(path.join(projectRoot(), 'assets', DAG_FILE), 'utf8');
}

/** The DAG's id (the guide's), which CI triggers (`npm run trigger`). */
export const DAG_ID = 'llm_finetune_workflow';

/** File name of the DAG in the DAG folder. */
export const DAG_FILE = 'llm_finetune_dag.py';

/** File name of the settings the DAG reads from beside it. */
export const DAG_SETTINGS_FILE = 'llm_platform_settings.json';

/** What the training config of a DAG run may be: a file of training-configs, or the guide's `<workspace>/configs/<file>`. */
export const DAG_CONFIG_PATH_PATTERN = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?/configs/)?[A-Za-z0-9][A-Za-z0-9._-]*\\.ya?ml$';

/** File name of the module that fills in a run's Job (the DAG imports it from beside it). */
export const DAG_RUNS_FILE = 'llm_platform_runs.py';

/** The module as shipped in assets/ (tests run it with Python on the rendered template). */
export function dagRunsModule(): string {
  return fs.readFileSync(path.join(projectRoot(), 'assets', DAG_RUNS_FILE), 'utf8');
}

/** How long the DAG waits for a run's Job (queueing included) before its task fails. */
export const DAG_TIMEOUT_HOURS = 72;

/**
 * The settings of the guide's DAG (5.3), `llm_finetune_workflow`, which ships as it is
 * in `assets/llm_finetune_dag.py`: the workspaces that exist (the only values Airflow
 * accepts for the `workspace` param), where a workspace keeps the Job its runs start
 * from (`training-run-template`, made by the declared runs' construct), and the base
 * models whose remote code the platform trusts.
 */
export function dagSettings(platform: PlatformConfig, workspaces: readonly string[]): Record<string, unknown> {
  return {
    workspaces: [...workspaces],
    namespacePrefix: workspaceNamespace(''),
    configPathPattern: DAG_CONFIG_PATH_PATTERN,
    runTemplate: { configMap: RUN_TEMPLATE_CONFIG_MAP, key: RUN_TEMPLATE_KEY },
    trustedBaseModels: [...platform.training.trustRemoteCode],
    pollSeconds: 30,
    timeoutHours: DAG_TIMEOUT_HOURS,
  };
}

/** Props of an {@link AirflowDags}. */
export interface AirflowDagsProps {
  readonly platform: PlatformConfig;
  /** Names of the workspaces, which the DAG accepts. */
  readonly workspaces: readonly string[];
}

/** The DAGs Airflow loads, in ConfigMap `airflow-dags`: the DAG file and its module as shipped, and its settings. */
export class AirflowDags extends Construct {
  constructor(scope: Construct, id: string, props: AirflowDagsProps) {
    super(scope, id);
    kube(this, 'Resource', KUBE.ConfigMap, {
      metadata: { name: DAGS_CONFIG_MAP, labels: appLabels({ name: 'airflow', instance: 'shared', component: 'dags' }) },
      data: {
        [DAG_FILE]: dagScript(),
        [DAG_RUNS_FILE]: dagRunsModule(),
        [DAG_SETTINGS_FILE]: `${JSON.stringify(dagSettings(props.platform, props.workspaces), null, 2)}\n`,
      },
    });
  }
}
