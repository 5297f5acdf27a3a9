import { Construct } from 'constructs';
import { PlatformConfig, WorkspaceConfig } from '../config/types';
import { artifactBucketName, SECRET_STORE_ACCOUNT, WORKLOAD_SERVICE_ACCOUNT, workspaceGcpAccountId, workspaceNamespace } from '../names';
import { GcpResources } from './config-connector';
import { addBucket, addDatabase, addIdentity, memberOf } from './gcp-parts';
import { workspaceGcpNames } from './gcp-names';

/** Props of a {@link WorkspaceGcp}. */
export interface WorkspaceGcpProps {
  readonly platform: PlatformConfig;
  readonly workspace: WorkspaceConfig;
}

/**
 * What a workspace needs in GCP, made from its file and scoped to it, with two
 * identities: one its pods act as, which moves model weights and data; one its secret
 * store acts as, which reads its database password. Neither can do the other's job, so a
 * pod that reaches the metadata server (training, inference) cannot read the password.
 *
 * | object | what | who |
 * | --- | --- | --- |
 * | IAMServiceAccount `ws-<name>-identity` | the workspace's account, `llm-ws-<name>` (unless the file names its own) | acted as by `llm-workload-sa` of its namespace |
 * | StorageBucket `ws-<name>-mlflow-artifacts` | its MLflow's artifacts, `<project>-mlflow-<name>` | `roles/storage.objectAdmin` for its account, on this bucket |
 * | StorageBucket `ws-<name>-training-data` | its training data, `<project>-data-<name>` | `roles/storage.objectViewer` for its account; `objectAdmin` for its people |
 * | IAMPolicyMember `ws-<name>-base-models` | `roles/storage.objectViewer` on `<project>-mlflow-common` (base models, read directly) | its account |
 * | IAMServiceAccount `wss-<name>-identity` | its secret store's account, `llm-wss-<name>` | acted as by `secret-store` of its namespace |
 * | SQLDatabase, SQLUser `ws-<name>-mlflow-db-*` | database `mlflow_<name>` and its own user, password generated in the cluster | |
 * | SecretManagerSecret `ws-<name>-mlflow-db` | `llm-platform-mlflow-db-<name>`: the user and password | `roles/secretmanager.secretAccessor` for the secret store's account only |
 *
 * Nothing else; no binding is on the project.
 */
export class WorkspaceGcp extends Construct {
  constructor(scope: Construct, id: string, props: WorkspaceGcpProps) {
    super(scope, id);
    const { platform, workspace: ws } = props;
    const ns = workspaceNamespace(ws.name);
    const labels = { name: 'gcp', instance: ws.name, component: 'gcp' };
    const res = new GcpResources(this, 'Resources', { prefix: `ws-${ws.name}`, labels });
    const names = workspaceGcpNames(platform, ws);
    const identity = addIdentity(res, {
      platform,
      account: ws.gcpServiceAccount ? { email: ws.gcpServiceAccount } : { id: workspaceGcpAccountId(ws.name), displayName: `LLM platform workspace ${ws.name}` },
      actors: [[ns, WORKLOAD_SERVICE_ACCOUNT]],
    });
    addBucket(res, 'mlflow-artifacts', { platform, name: names.bucket, objectAdmins: [identity] });
    // Training data: the team's people upload it; its pods only read it.
    addBucket(res, 'training-data', { platform, name: names.dataBucket, objectViewers: [identity], objectAdmins: [...ws.admins, ...ws.members].map((member) => ({ member })) });
    // Base models, read from mlflow-common's bucket directly (their registry entries through mlflow-common-read).
    res.add('base-models', {
      kind: 'IAMPolicyMember',
      spec: { resourceRef: { kind: 'StorageBucket', external: artifactBucketName(platform.project, 'common') }, role: 'roles/storage.objectViewer', ...memberOf(identity) },
    });

    // The secret store's own identity (`wss-` objects: no workspace's prefix `ws-<name>` can reach them).
    const secrets = new GcpResources(this, 'Secrets', { prefix: `wss-${ws.name}`, labels });
    const store = addIdentity(secrets, {
      platform,
      account: { id: names.secretsAccountId, displayName: `LLM platform workspace ${ws.name}: secrets` },
      actors: [[ns, SECRET_STORE_ACCOUNT]],
    });
    addDatabase(res, 'mlflow-db', { platform, database: names.database, key: names.secretKey, readers: [store] });
  }
}
