import { Construct } from 'constructs';
import { PlatformChart } from '../base-chart';
import { MlflowBackups } from '../components/mlflow-backup';
import { SecretStore } from '../components/secret-store';
import { MLFLOW_LABELS, MlflowServer } from '../components/mlflow-server';
import { WorkloadIdentityAccount } from '../components/workload-identity-account';
import { PlatformConfig, WorkspaceConfig } from '../config/types';
import { artifactBucketName, gcpServiceAccountEmail, mlflowDatabase, mlflowDatabaseSecretKey, SHARED_APPS, SHARED_GCP_ACCOUNTS, SHARED_NAMESPACE, workspaceNamespace } from '../names';
import { AirflowSupport } from './airflow';
import { SharedGcp } from '../gcp/shared-gcp';
import { AirflowDags } from './airflow-dags';
import { AirflowGuard } from './airflow-guard';
import { LlmGateway } from '../gateway/llm-gateway';
import { MlflowCommonRead } from './mlflow-common-read';
import { ProbesNamespace } from './probes-namespace';
import { SharedNetwork } from './shared-network';
import { ModelRegistrySync } from './model-registry-sync';
import { PromptConsole } from './prompt-console';
import { Strapi } from './strapi';
import { SharedQueues } from '../training/kueue';
import { ServingDashboard } from '../monitoring/dashboard';
import { JobMetrics } from '../monitoring/job-metrics';

/** Props of the {@link SharedChart}. */
export interface SharedChartProps {
  /** Platform settings. */
  readonly platform: PlatformConfig;
  /** Every workspace: the gateway's records come from their served models. */
  readonly workspaces: readonly WorkspaceConfig[];
}

/**
 * The shared layer (guide section 3), namespace `llm-shared` labelled `purpose=shared`:
 * `mlflow-common`, `prompt-console`, `strapi` and the LLM gateway's objects, the secret
 * store, and what Airflow (installed from its chart) needs from the platform.
 */
export class SharedChart extends PlatformChart {
  constructor(scope: Construct, id: string, props: SharedChartProps) {
    super(scope, id, {
      namespace: SHARED_NAMESPACE,
      instance: 'shared',
      role: 'shared',
      labels: { purpose: 'shared' },
    });
    const platform = props.platform;

    const account = (id: string) => gcpServiceAccountEmail(id, platform.project);
    // mlflow-common writes artifacts to GCS, so it needs a Workload Identity account too
    // (the guide's manifest runs it as `default`, which has no GCP access): its own.
    new WorkloadIdentityAccount(this, 'MlflowServiceAccount', {
      name: SHARED_APPS.mlflow,
      gcpServiceAccount: account(SHARED_GCP_ACCOUNTS.mlflowCommon),
      labels: { ...MLFLOW_LABELS, instance: 'shared' },
    });
    new MlflowServer(this, 'MlflowCommon', {
      name: SHARED_APPS.mlflow,
      instance: 'shared',
      platform,
      database: mlflowDatabase('common'),
      artifactBucket: artifactBucketName(platform.project, 'common'),
      databaseSecretKey: mlflowDatabaseSecretKey('common'),
      secretStore: platform.secretStore.name,
      serviceAccountName: SHARED_APPS.mlflow,
      resources: platform.shared.mlflow,
    });

    new SharedNetwork(this, 'Network', { platform });
    new SharedGcp(this, 'Gcp', { platform });
    new ProbesNamespace(this, 'Probes');
    new SharedQueues(this, 'Queues', { platform });
    new MlflowCommonRead(this, 'MlflowCommonRead', { platform });
    new SecretStore(this, 'SecretStore', { name: platform.secretStore.name, platform, gcpServiceAccount: account(SHARED_GCP_ACCOUNTS.sharedSecrets), labels: { instance: 'shared' } });
    new Strapi(this, 'Strapi', { platform });
    new LlmGateway(this, 'Gateway', { platform, workspaces: props.workspaces });
    new PromptConsole(this, 'Console', { platform });
    new AirflowSupport(this, 'Airflow', { platform });
    new AirflowGuard(this, 'AirflowGuard', { platform });
    new AirflowDags(this, 'AirflowDags', { platform, workspaces: props.workspaces.map((w) => w.name) });
    new ModelRegistrySync(this, 'ModelRegistry', { platform, workspaces: props.workspaces });
    new ServingDashboard(this, 'Dashboard');
    // Training runs and backups, as metrics and alerts.
    new JobMetrics(this, 'JobMetrics', { platform, namespaces: props.workspaces.map((w) => workspaceNamespace(w.name)) });
    new MlflowBackups(this, 'MlflowBackups', {
      platform,
      databases: [mlflowDatabase('common'), ...props.workspaces.map((w) => mlflowDatabase(w.name))],
      gcpServiceAccount: account(SHARED_GCP_ACCOUNTS.backups),
    });
  }
}
