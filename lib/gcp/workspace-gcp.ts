import { Construct } from 'constructs';
import { PlatformConfig, WorkspaceConfig } from '../config/types';
import { SECRET_STORE_ACCOUNT, WORKLOAD_SERVICE_ACCOUNT, workspaceGcpAccountId, workspaceNamespace } from '../names';
import { GcpResources } from './config-connector';
import { addBucket, addDatabase, addIdentity } from './gcp-parts';
import { workspaceGcpNames } from './gcp-names';

/** Props of a {@link WorkspaceGcp}. */
export interface WorkspaceGcpProps {
  readonly platform: PlatformConfig;
  readonly workspace: WorkspaceConfig;
}

/**
 * What a workspace needs in GCP, made from its file and scoped to it:
 *
 * | object | what | who |
 * | --- | --- | --- |
 * | IAMServiceAccount `ws-<name>-identity` | the workspace's account, `llm-ws-<name>` (unless the file names its own) | |
 * | IAMPolicyMember `ws-<name>-wi-*` | `roles/iam.workloadIdentityUser` on that account | `llm-workload-sa` and `secret-store` of its namespace |
 * | StorageBucket `ws-<name>-mlflow-artifacts` | its MLflow's artifacts, `<project>-mlflow-<name>` | `roles/storage.objectAdmin` for its account, on this bucket |
 * | SQLDatabase, SQLUser `ws-<name>-mlflow-db-*` | database `mlflow_<name>` and its own user, password generated in the cluster | |
 * | SecretManagerSecret `ws-<name>-mlflow-db` | `llm-platform-mlflow-db-<name>`: the user and password | `roles/secretmanager.secretAccessor` for its account, on this secret |
 *
 * Nothing else: its pods reach GCP only through its MLflow (artifacts) and its secret
 * store; no binding is on the project.
 */
export class WorkspaceGcp extends Construct {
  constructor(scope: Construct, id: string, props: WorkspaceGcpProps) {
    super(scope, id);
    const { platform, workspace: ws } = props;
    const ns = workspaceNamespace(ws.name);
    const res = new GcpResources(this, 'Resources', { prefix: `ws-${ws.name}`, labels: { name: 'gcp', instance: ws.name, component: 'gcp' } });
    const names = workspaceGcpNames(platform, ws);
    const identity = addIdentity(res, {
      platform,
      account: ws.gcpServiceAccount ? { email: ws.gcpServiceAccount } : { id: workspaceGcpAccountId(ws.name), displayName: `LLM platform workspace ${ws.name}` },
      actors: [[ns, WORKLOAD_SERVICE_ACCOUNT], [ns, SECRET_STORE_ACCOUNT]],
    });
    addBucket(res, 'mlflow-artifacts', { platform, name: names.bucket, objectAdmins: [identity] });
    // Training data: the team's people upload it; its pods only read it.
    addBucket(res, 'training-data', { platform, name: names.dataBucket, objectViewers: [identity], objectAdmins: [...ws.admins, ...ws.members].map((member) => ({ member })) });
    addDatabase(res, 'mlflow-db', { platform, database: names.database, key: names.secretKey, readers: [identity] });
  }
}
