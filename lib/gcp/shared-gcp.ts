import { Construct } from 'constructs';
import { PlatformNamespace } from '../base-chart';
import { NamespacePolicies } from '../components/network-policies';
import { PlatformConfig } from '../config/types';
import { appLabels } from '../labels';
import {
  artifactBucketName, BACKUPS_APP, clientKeySecretKey, GCP_NAMESPACE, KEDA, mlflowDatabase, mlflowDatabaseSecretKey, SECRET_STORE_ACCOUNT, SHARED_APPS, SHARED_GCP_ACCOUNTS, SHARED_NAMESPACE,
} from '../names';
import { GcpResources } from './config-connector';
import { backupBucketName } from './gcp-names';
import { addBucket, addDatabase, addGeneratedSecret, addIdentity, addSecret, Grantee, memberOf, PASSWORD_GENERATOR } from './gcp-parts';
import { AIRFLOW_CI } from '../shared/airflow';
import { KubeObject } from '../kube-object';

/** The shared layer's secrets that people set once (their values are not generated): Strapi's keys and token, Airflow's keys. */
export const OPERATOR_SECRETS = ['strapi-app', 'strapi-api-token', 'airflow-webserver-secret-key', 'airflow-fernet-key'];

/** Props of a {@link SharedGcp}. */
export interface SharedGcpProps {
  readonly platform: PlatformConfig;
}

/**
 * The shared layer's GCP side, and namespace `llm-gcp` that holds every Config Connector
 * object of the platform (annotated with the project; nothing runs there, and no team
 * may write it):
 *
 * | identity | acts as | may |
 * | --- | --- | --- |
 * | `llm-mlflow-common` | `llm-shared/mlflow-common` | read and write its bucket `<project>-mlflow-common` |
 * | `llm-shared-secrets` | `llm-shared/secret-store` | read the shared layer's secrets only |
 * | `llm-backups` | `llm-shared/mlflow-backups` | export the platform's Cloud SQL instance (`roles/cloudsql.viewer`, with a condition naming that instance: Cloud SQL has no IAM on an instance) |
 * | `llm-ci-trigger` | the CI that triggers training (the administrator grants it) | read the Airflow CI user's password, generated (`airflow-ci-password`) |
 * | `llm-keda` | `keda/keda-operator` | read the project's metrics (`roles/monitoring.viewer`): KEDA scales served models on their vLLM metrics from Managed Prometheus |
 *
 * Each of the platform's `clients` has an API key for the gateway, generated into
 * Secret Manager (`client-<name>-api-key`, 32 letters and digits) and read by the shared
 * secret store only; an administrator hands it to the client's team.
 *
 * and the databases and users `mlflow_common`, `strapi` and `airflow` with generated
 * passwords, the backup bucket (exports deleted after the retention by a lifecycle rule;
 * the instance's own account may only create objects in it), and Secret Manager secrets
 * for what people set once ({@link OPERATOR_SECRETS}).
 */
export class SharedGcp extends Construct {
  constructor(scope: Construct, id: string, props: SharedGcpProps) {
    super(scope, id);
    const p = props.platform;
    new PlatformNamespace(this, 'Namespace', {
      name: GCP_NAMESPACE,
      instance: 'shared',
      role: 'gcp',
      annotations: { 'cnrm.cloud.google.com/project-id': p.project },
    });
    new NamespacePolicies(this, 'Policies', { instance: 'shared', namespace: GCP_NAMESPACE });
    // Database passwords: 32 letters and digits, safe in a connection URI.
    new KubeObject(this, 'PasswordGenerator', {
      apiVersion: 'generators.external-secrets.io/v1alpha1',
      kind: 'Password',
      metadata: { name: PASSWORD_GENERATOR, namespace: GCP_NAMESPACE, labels: appLabels({ name: 'external-secrets', instance: 'shared', component: 'password-generator' }) },
      spec: { length: 32, digits: 8, symbols: 0, noUpper: false, allowRepeat: true },
    });

    const component = (name: string) => new GcpResources(this, name, { prefix: `shared-${name}`, labels: { name: 'gcp', instance: 'shared', component: name } });
    const identity = (res: GcpResources, accountId: string, ksa: string): Grantee =>
      addIdentity(res, { platform: p, account: { id: accountId, displayName: `LLM platform ${ksa}` }, actors: [[SHARED_NAMESPACE, ksa]] });

    const secrets = component('secrets');
    const reader = identity(secrets, SHARED_GCP_ACCOUNTS.sharedSecrets, SECRET_STORE_ACCOUNT);
    for (const key of OPERATOR_SECRETS) addSecret(secrets, key, { platform: p, key, readers: [reader] });

    const mlflow = component('mlflow-common');
    addBucket(mlflow, 'artifacts', { platform: p, name: artifactBucketName(p.project, 'common'), objectAdmins: [identity(mlflow, SHARED_GCP_ACCOUNTS.mlflowCommon, SHARED_APPS.mlflow)] });
    addDatabase(mlflow, 'db', { platform: p, database: mlflowDatabase('common'), key: mlflowDatabaseSecretKey('common'), readers: [reader] });

    const apps = component('apps');
    addDatabase(apps, 'strapi-db', { platform: p, database: 'strapi', key: 'strapi-db', readers: [reader] });
    addDatabase(apps, 'airflow-db', {
      platform: p,
      database: 'airflow',
      key: 'airflow-metadata-connection',
      value: `postgresql://airflow:{{ .password }}@${p.cloudSql.host}:${p.cloudSql.port}/airflow`,
      readers: [reader],
    });

    // The CI that triggers training: it reads the Airflow user's password, as llm-ci-trigger
    // (which the administrator lets the CI act as), and sees the cluster to reach it.
    const ci = component('ci');
    const trigger = addIdentity(ci, { platform: p, account: { id: SHARED_GCP_ACCOUNTS.ciTrigger, displayName: 'LLM platform CI: triggers training' }, actors: [] });
    addGeneratedSecret(ci, 'airflow-password', { platform: p, key: AIRFLOW_CI.secretKey, value: '{{ .password }}', readers: [reader, trigger] });

    // The gateway's clients: one generated API key each.
    if (p.clients.length > 0) {
      const clients = component('clients');
      for (const c of p.clients) addGeneratedSecret(clients, `client-${c}`, { platform: p, key: clientKeySecretKey(c), value: '{{ .password }}', readers: [reader] });
    }

    // KEDA reads the served models' metrics through Managed Prometheus's query API, which
    // answers for the whole project: the role exists on a project only (a policy exception).
    const keda = component('keda');
    const scaler = addIdentity(keda, { platform: p, account: { id: SHARED_GCP_ACCOUNTS.keda, displayName: 'LLM platform KEDA: reads serving metrics' }, actors: [[KEDA.namespace, KEDA.operatorServiceAccount]] });
    keda.add('metrics', {
      kind: 'IAMPolicyMember',
      spec: { resourceRef: { kind: 'Project', external: `projects/${p.project}` }, role: 'roles/monitoring.viewer', ...memberOf(scaler) },
    });

    const backups = component('backups');
    const exporter = identity(backups, SHARED_GCP_ACCOUNTS.backups, BACKUPS_APP);
    backups.add('export', {
      kind: 'IAMPolicyMember',
      spec: {
        resourceRef: { kind: 'Project', external: `projects/${p.project}` },
        role: 'roles/cloudsql.viewer',
        ...memberOf(exporter),
        condition: {
          title: 'the-platform-instance-only',
          expression: `resource.name == 'projects/${p.project}/instances/${p.cloudSql.instance}' && resource.type == 'sqladmin.googleapis.com/Instance'`,
        },
      },
    });
    addBucket(backups, 'bucket', {
      platform: p,
      name: backupBucketName(p),
      objectCreators: [{ email: p.cloudSql.serviceAccount }],
      deleteAfterDays: p.backups.retentionDays,
    });
  }
}
