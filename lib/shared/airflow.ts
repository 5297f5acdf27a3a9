import { Construct } from 'constructs';
import { ExternalSecret } from '../components/external-secret';
import { PlatformConfig } from '../config/types';
import { appLabels } from '../labels';
import { intOrString, KUBE, kube } from '../kube-object';

/** Release name of the Airflow chart; its pods carry `release: airflow`. */
export const AIRFLOW_RELEASE = 'airflow';

/** Port of Airflow's webserver and of the `airflow` Service. */
export const AIRFLOW_PORT = 8080;

/** Secrets the Airflow chart reads by name (values `data.metadataSecretName`, ...). */
export const AIRFLOW_SECRETS = {
  metadata: 'airflow-metadata',
  webserverSecretKey: 'airflow-webserver-secret-key',
  fernetKey: 'airflow-fernet-key',
  ciUser: 'airflow-ci-user',
} as const;

/**
 * The Airflow user CI triggers the training DAG as (role `User`: it may trigger DAG runs,
 * not change Airflow), through Airflow's REST API with basic authentication; its password
 * is generated into Secret Manager (`<prefix>airflow-ci-password`), which the CI reads as
 * `llm-ci-trigger` and Airflow's user job reads through Secret `airflow-ci-user`.
 */
export const AIRFLOW_CI = {
  username: 'ci-trigger',
  email: 'ci-trigger@llm-platform.invalid',
  role: 'User',
  secretKey: 'airflow-ci-password',
  /** Label of the namespaces whose pods may call Airflow's API (the CI runners'). */
  clientNamespaceLabel: 'llm-platform/airflow-trigger',
} as const;

/** Props of an {@link AirflowSupport}. */
export interface AirflowSupportProps {
  /** Platform settings: secret store. */
  readonly platform: PlatformConfig;
}

/**
 * What the platform adds around the official Airflow chart (which Argo CD installs in
 * llm-shared): its secrets from Secret Manager (metadata database connection on Cloud
 * SQL, webserver secret key, Fernet key, the CI user's password), and the Service `airflow` on 8080 that the
 * guide's Jenkinsfile calls (`airflow.llm-shared.svc.cluster.local:8080`); the chart
 * itself names its Service `airflow-webserver`.
 * @see https://airflow.apache.org/docs/helm-chart/stable/production-guide.html
 */
export class AirflowSupport extends Construct {
  constructor(scope: Construct, id: string, props: AirflowSupportProps) {
    super(scope, id);
    const labels = { name: 'airflow', instance: 'shared', component: 'orchestrator' };
    const secret = (sid: string, name: string, key: string, remoteKey: string) =>
      new ExternalSecret(this, sid, { name, labels, platform: props.platform, store: props.platform.secretStore.name, data: [{ secretKey: key, remoteKey }] });
    secret('Metadata', AIRFLOW_SECRETS.metadata, 'connection', 'airflow-metadata-connection');
    secret('WebserverSecretKey', AIRFLOW_SECRETS.webserverSecretKey, 'webserver-secret-key', 'airflow-webserver-secret-key');
    secret('FernetKey', AIRFLOW_SECRETS.fernetKey, 'fernet-key', 'airflow-fernet-key');
    secret('CiUser', AIRFLOW_SECRETS.ciUser, 'password', AIRFLOW_CI.secretKey);

    kube(this, 'Service', KUBE.Service, {
      metadata: { name: 'airflow', labels: appLabels(labels) },
      spec: {
        type: 'ClusterIP',
        selector: { component: 'webserver', release: AIRFLOW_RELEASE, tier: 'airflow' },
        ports: [{ name: 'http', port: AIRFLOW_PORT, targetPort: intOrString(AIRFLOW_PORT), protocol: 'TCP' }],
      },
    });
  }
}
