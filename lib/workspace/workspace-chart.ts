import { JobMetricsAccess } from '../monitoring/job-metrics';
import { gatewayModels, ModelRoute } from '../gateway/model-routes';
import { MetricsAuthentication } from '../serving/model-autoscaler';
import { autoscalingOf, maxReplicas, scalesToZero } from '../serving/scaling';
import { WakeResponder } from '../serving/wake-responder';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformChart } from '../base-chart';
import { MlflowServer } from '../components/mlflow-server';
import { SecretStore } from '../components/secret-store';
import { WorkspaceGcp } from '../gcp/workspace-gcp';
import { WorkloadIdentityAccount } from '../components/workload-identity-account';
import { PlatformConfig, WorkspaceConfig } from '../config/types';
import {
  artifactBucketName, canaryNames, dataBucketName, inferenceNames, mlflowDatabase, mlflowDatabaseSecretKey, WORKLOAD_SERVICE_ACCOUNT, WORKSPACE_APPS, WORKSPACE_SECRET_STORE, workspaceGcpAccount, workspaceNamespace,
  workspaceSecretsAccount,
} from '../names';
import { AirflowAccess } from './airflow-access';
import { InferenceServer } from './inference-server';
import { LlamaFactoryWebui } from './llama-factory-webui';
import { MlflowConfig } from './mlflow-config';
import { ModelStorage } from './model-storage';
import { NetworkIsolation } from './network-isolation';
import { PeopleAccess } from './people-access';
import { TrainingConfigs } from './training-configs';
import { TrainingRun } from '../training/training-run';
import { describeRuns, RunInfo } from '../training/run-name';
import { RunTemplate } from '../training/run-template';
import { AlertRules } from '../monitoring/monitoring';
import { canaryAlerts, modelAlerts, WORKSPACE_ALERTS } from '../monitoring/alerts';
import { RunPeers } from './network-isolation';
import { WorkspaceQuota } from './workspace-quota';
import { WorkspaceQueue } from '../training/kueue';

/** Props of a {@link WorkspaceChart}. */
export interface WorkspaceChartProps {
  /** Platform settings. */
  readonly platform: PlatformConfig;
  /** The workspace, validated, defaults filled in. */
  readonly workspace: WorkspaceConfig;
  /** Its training configs, by file name. @default none */
  readonly trainingConfigs?: Readonly<Record<string, string>>;
  /** Its runs as `describeRuns` makes them of those configs (made here when not given). */
  readonly runs?: readonly RunInfo[];
}

/**
 * One team's workspace (guide section 4), namespace `llm-workspace-<name>` labelled
 * `workspace=<name>`: Workload Identity account, model storage, MLflow, the web UI,
 * one inference server per served model, the training configs, and what isolates it
 * from other teams: default-deny networking with explicit allows, Pod Security
 * `restricted`, a ResourceQuota with a LimitRange, and Airflow's access to start pods.
 */
export class WorkspaceChart extends PlatformChart {
  constructor(scope: Construct, id: string, props: WorkspaceChartProps) {
    const ws = props.workspace;
    const namespace = workspaceNamespace(ws.name);
    super(scope, id, {
      namespace,
      instance: ws.name,
      role: 'workspace',
      labels: { workspace: ws.name, 'llm-platform/state': ws.state },
    });
    const platform = props.platform;
    // A suspended workspace keeps every object, and its data, with no server running.
    const running = ws.state === 'active';

    // The workspace's own GCP identity, for its pods (model weights, data).
    const gcpServiceAccount = workspaceGcpAccount(platform.project, ws.name, ws.gcpServiceAccount);
    new WorkloadIdentityAccount(this, 'ServiceAccount', {
      name: WORKLOAD_SERVICE_ACCOUNT,
      gcpServiceAccount,
      labels: { name: 'workload-identity', instance: ws.name, component: 'service-account' },
    });
    // Its secret store acts as an identity of its own, the only one that may read its secrets.
    new SecretStore(this, 'SecretStore', {
      name: WORKSPACE_SECRET_STORE, platform, gcpServiceAccount: workspaceSecretsAccount(platform.project, ws.name), labels: { instance: ws.name },
    });
    new ModelStorage(this, 'ModelStorage', {
      workspace: ws.name,
      size: ws.storage.size,
      storageClassName: ws.storage.storageClassName,
      accessMode: ws.storage.accessMode,
    });
    new MlflowConfig(this, 'MlflowConfig', { workspace: ws.name, namespace });
    new MlflowServer(this, 'Mlflow', {
      name: WORKSPACE_APPS.mlflow,
      instance: ws.name,
      platform,
      database: mlflowDatabase(ws.name),
      artifactBucket: artifactBucketName(platform.project, ws.name),
      databaseSecretKey: mlflowDatabaseSecretKey(ws.name),
      secretStore: WORKSPACE_SECRET_STORE,
      serviceAccountName: WORKLOAD_SERVICE_ACCOUNT,
      resources: ws.mlflow.resources,
      replicas: running ? 1 : 0,
    });
    if (ws.webui.enabled) {
      new LlamaFactoryWebui(this, 'Webui', { workspace: ws.name, platform, resources: ws.webui.resources, replicas: running ? 1 : 0 });
    }
    const models = ws.inference.models;
    const inference = new Construct(this, 'Inference');
    for (const model of models) {
      new InferenceServer(inference, model.name, {
        workspace: ws.name,
        platform,
        model,
        names: inferenceNames(model.name, models.length),
        replicas: running ? model.replicas : 0,
        // A suspended workspace runs nothing: no autoscaler may start its models.
        autoscaling: running ? autoscalingOf(model) : undefined,
        podVolumeClass: ws.storage.podVolumeClass,
      });
      if (model.canary) {
        new InferenceServer(inference, `${model.name}-canary`, {
          workspace: ws.name,
          platform,
          model,
          names: canaryNames(inferenceNames(model.name, models.length)),
          replicas: running ? model.canary.replicas : 0,
          canary: { version: model.canary.version },
          podVolumeClass: ws.storage.podVolumeClass,
        });
      }
    }
    if (running && models.some((m) => m.autoscaling)) new MetricsAuthentication(this, 'MetricsAuth', { workspace: ws.name });
    if (running && models.some(scalesToZero)) new WakeResponder(this, 'Waking', { platform, workspace: ws.name });
    // Its alerts: each model it serves (none while it is suspended: nothing runs).
    new AlertRules(this, 'Alerts', {
      name: WORKSPACE_ALERTS,
      labels: { name: 'llm-platform', instance: ws.name, component: 'alerts' },
      groups: Object.fromEntries(models.filter((m) => running && maxReplicas(m) > 0).flatMap((m) => [
        [`model-${m.name}`, modelAlerts(inferenceNames(m.name, models.length).deployment, m.name, { scalesToZero: scalesToZero(m) })],
        // A canary answers to the same model id (its load is in the model's alerts); whether it runs is its own.
        ...(m.canary ? [[`model-${m.name}-canary`, canaryAlerts(canaryNames(inferenceNames(m.name, models.length)).deployment, m.name)]] : []),
      ])),
    });
    // Its models on the gateway: routes, backends and limits, in the gateway's namespace.
    const gateway = new Construct(this, 'Gateway');
    for (const model of gatewayModels([ws])) new ModelRoute(gateway, model.id, { model });
    new NetworkIsolation(this, 'Network', { workspace: ws.name, platform, canaries: models.some((m) => m.canary) });
    new AirflowAccess(this, 'Airflow', { workspace: ws.name });
    // The platform's kube-state-metrics watches its runs' Jobs (their failures alert).
    new JobMetricsAccess(this, 'JobMetrics', { instance: ws.name });
    new PeopleAccess(this, 'People', { workspace: ws.name, members: ws.members, admins: ws.admins });
    new WorkspaceGcp(this, 'Gcp', { platform, workspace: ws });
    new TrainingConfigs(this, 'TrainingConfigs', { workspace: ws.name, files: { ...props.trainingConfigs } });
    new RunTemplate(this, 'RunTemplate', { platform, workspace: ws });
    // Runs stay declared while the workspace is suspended (its queue holds them), so
    // resuming it retrains nothing that finished.
    new WorkspaceQueue(this, 'Queue', { platform, workspace: ws });
    const training = new Construct(this, 'Training');
    for (const { run, name, deepspeed } of props.runs ?? describeRuns(ws.training.runs, props.trainingConfigs ?? {})) {
      new TrainingRun(training, run.id, { workspace: ws.name, platform, run, name, storage: ws.storage, deepspeed, dataBucket: dataBucketName(platform.project, ws.name) });
      if (run.nodes > 1) new RunPeers(training, `${run.id}-peers`, { workspace: ws.name, name });
    }
    // Last: the quota counts the ExternalSecrets made above in the workspace's namespace
    // (the GCP side's generated passwords live in llm-gcp, outside the quota).
    const externalSecrets = this.node.findAll()
      .filter((c) => c instanceof ApiObject && c.kind === 'ExternalSecret' && (c.metadata.namespace ?? namespace) === namespace).length;
    new WorkspaceQuota(this, 'Quota', { workspace: ws.name, quota: ws.quota, externalSecrets });
  }
}
