import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformConfig, TrainingRunConfig, WorkspaceConfig } from '../config/types';
import { appLabels } from '../labels';
import { dataBucketName, workspaceNamespace } from '../names';
import { KUBE, kube } from '../kube-object';
import { Manifest, synthChart } from '../output/render';
import { RUN_PREFIX, runDefaults } from './run-name';
import { TrainingRun } from './training-run';

/** ConfigMap, in each workspace, holding the Job the Airflow DAG starts a run from. */
export const RUN_TEMPLATE_CONFIG_MAP = 'training-run-template';

/** Its key: the Job, as JSON. */
export const RUN_TEMPLATE_KEY = 'job.json';

/** The id of every run the DAG starts (its Job is named `llama-fine-tune-dag-<hash of the DAG run>`). */
export const DAG_RUN_ID = 'dag';

/**
 * The run the template is made of: one node, one GPU, the run defaults (as a declared run
 * that sets nothing else), and a base model, so that the template has the step that
 * downloads it. The DAG puts its params where these placeholders are.
 */
export function dagTemplateRun(): TrainingRunConfig {
  return {
    ...(runDefaults() as unknown as TrainingRunConfig),
    id: DAG_RUN_ID,
    config: 'CONFIG.yaml',
    registeredModel: 'REGISTERED_MODEL',
    baseModel: { name: 'BASE_MODEL', version: 1 },
  };
}

/**
 * The Job of a DAG run in this workspace, before the DAG fills it in: made by the very
 * construct that makes the declared runs' Jobs (`TrainingRun`), so the two paths run the
 * same pod (queue, priority, volumes, data bucket, security, registration); a test
 * fills it in as the DAG does and compares it with a declared run's.
 */
export function dagRunJob(platform: PlatformConfig, workspace: WorkspaceConfig): Manifest {
  const [job] = synthChart((app) => {
    const chart = new Chart(app, 'template', { namespace: workspaceNamespace(workspace.name), disableResourceNameHashes: true });
    new TrainingRun(chart, 'Run', {
      workspace: workspace.name, platform, run: dagTemplateRun(), name: `${RUN_PREFIX}-${DAG_RUN_ID}`,
      dataBucket: dataBucketName(platform.project, workspace.name), storage: workspace.storage,
    });
    return chart;
  });
  // The DAG creates it in the workspace's namespace.
  const { namespace, ...metadata } = job.metadata; // eslint-disable-line @typescript-eslint/no-unused-vars
  return { ...job, metadata };
}

/** Props of a {@link RunTemplate}. */
export interface RunTemplateProps {
  readonly platform: PlatformConfig;
  readonly workspace: WorkspaceConfig;
}

/** ConfigMap `training-run-template`: the Job the Airflow DAG starts its runs from, in this workspace. */
export class RunTemplate extends Construct {
  constructor(scope: Construct, id: string, props: RunTemplateProps) {
    super(scope, id);
    kube(this, 'Resource', KUBE.ConfigMap, {
      metadata: { name: RUN_TEMPLATE_CONFIG_MAP, labels: appLabels({ name: 'llama-factory', instance: props.workspace.name, component: 'training' }) },
      data: { [RUN_TEMPLATE_KEY]: `${JSON.stringify(dagRunJob(props.platform, props.workspace), null, 2)}\n` },
    });
  }
}
