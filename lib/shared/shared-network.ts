import { Construct } from 'constructs';
import { addresses, METADATA_SERVER, NamespacePolicies, podsHere, podsIn, podsInEvery, tcp } from '../components/network-policies';
import { PlatformConfig } from '../config/types';
import {
  BACKUPS_APP, GATEWAY, MLFLOW_CLIENT_LABEL, PORTS, PROBES_NAMESPACE, REGISTRAR_APP, SHARED_APPS,
} from '../names';
import { AIRFLOW_CI, AIRFLOW_PORT, AIRFLOW_RELEASE } from './airflow';

/** The labels every pod of the Airflow chart carries (its components add `component`). */
export const AIRFLOW_POD_LABELS = { tier: 'airflow', release: AIRFLOW_RELEASE } as const;

/** Props of a {@link SharedNetwork}. */
export interface SharedNetworkProps {
  readonly platform: PlatformConfig;
}

/**
 * The shared layer's network: everything denied, in and out, then each flow with its
 * reason. Workspaces reach only the gateway's callers' side (through the gateway) and
 * mlflow-common-read; nothing reaches Strapi, the console or mlflow-common but what must.
 *
 * | policy | pods | allows | why |
 * | --- | --- | --- | --- |
 * | default-deny, allow-dns | all | DNS only | |
 * | allow-mlflow-common | mlflow-common | in: mlflow-common-read, checks on 5000; out: Cloud SQL, Google APIs, metadata server | the base models' server; only the read-only front talks to it |
 * | allow-mlflow-common-read | mlflow-common-read | in: MLflow clients of every workspace (the runs Airflow starts among them), checks; out: mlflow-common | base models, read only |
 * | allow-console | prompt-console | in: checks; out: the gateway's proxies (envoy-gateway-system) on 8080, Strapi | people use port-forward |
 * | allow-strapi | strapi | in: the console, the registrar, checks; out: Cloud SQL | the model registry |
 * | allow-gateway-ratelimit | llm-gateway-ratelimit | in: Envoy Gateway's rate-limit service on 6379 | the limits' counters |
 * | allow-registrar | the model registrar | out: Strapi | upserts the records |
 * | allow-backups | the backups | out: Google APIs, metadata server | `gcloud sql export` is an API call |
 * | allow-airflow | Airflow's pods | out: Cloud SQL (metadata), the Kubernetes API; in: the webserver from checks and from namespaces labelled `llm-platform/airflow-trigger: "true"` (CI runners) | starts training runs in workspaces |
 */
export class SharedNetwork extends Construct {
  constructor(scope: Construct, id: string, props: SharedNetworkProps) {
    super(scope, id);
    const p = props.platform;
    const policies = new NamespacePolicies(this, 'Policies', { instance: 'shared' });
    const probes = podsIn(PROBES_NAMESPACE);
    const sql = { to: [{ ipBlock: { cidr: `${p.cloudSql.host}/32` } }], ports: [tcp(p.cloudSql.port)] };
    const googleApis = [...METADATA_SERVER, { to: addresses(p.network.googleApiCidrs), ports: [tcp(443)] }];
    const app = (name: string) => ({ app: name });

    policies.allow('MlflowCommon', 'allow-mlflow-common', app(SHARED_APPS.mlflow), {
      ingress: [{ from: [podsHere(app(SHARED_APPS.mlflowRead)), probes], ports: [tcp(PORTS.mlflow)] }],
      egress: [sql, ...googleApis],
    });
    policies.allow('MlflowCommonRead', 'allow-mlflow-common-read', app(SHARED_APPS.mlflowRead), {
      ingress: [{
        from: [podsInEvery('workspace', { [MLFLOW_CLIENT_LABEL]: 'true' }), probes],
        ports: [tcp(PORTS.mlflowRead)],
      }],
      egress: [{ to: [podsHere(app(SHARED_APPS.mlflow))], ports: [tcp(PORTS.mlflow)] }],
    });
    policies.allow('Console', 'allow-console', app(SHARED_APPS.console), {
      ingress: [{ from: [probes], ports: [tcp(PORTS.console)] }],
      egress: [
        { to: [podsIn(GATEWAY.namespace, GATEWAY.proxyLabels)], ports: [tcp(PORTS.gateway)] },
        { to: [podsHere(app(SHARED_APPS.strapi))], ports: [tcp(PORTS.strapi)] },
      ],
    });
    policies.allow('GatewayRateLimit', 'allow-gateway-ratelimit', app(GATEWAY.rateLimitStore), {
      ingress: [{ from: [podsIn(GATEWAY.namespace, GATEWAY.rateLimitLabels)], ports: [tcp(PORTS.gatewayRateLimitStore)] }],
    });
    policies.allow('Strapi', 'allow-strapi', app(SHARED_APPS.strapi), {
      ingress: [{
        from: [podsHere(app(SHARED_APPS.console)), podsHere(app(REGISTRAR_APP)), probes],
        ports: [tcp(PORTS.strapi)],
      }],
      egress: [sql],
    });
    policies.allow('Registrar', 'allow-registrar', app(REGISTRAR_APP), {
      egress: [{ to: [podsHere(app(SHARED_APPS.strapi))], ports: [tcp(PORTS.strapi)] }],
    });
    policies.allow('Backups', 'allow-backups', app(BACKUPS_APP), { egress: googleApis });
    policies.allow('Airflow', 'allow-airflow', AIRFLOW_POD_LABELS, {
      egress: [sql, { to: addresses(p.network.kubernetesApiCidrs), ports: [tcp(443)] }],
    });
    // The CI runners that trigger the DAG run in namespaces the administrator labels so (the guide's Jenkins, in the cluster).
    policies.allow('AirflowWebserver', 'allow-airflow-webserver', { ...AIRFLOW_POD_LABELS, component: 'webserver' }, {
      ingress: [{ from: [probes, { namespaceSelector: { matchLabels: { [AIRFLOW_CI.clientNamespaceLabel]: 'true' } } }], ports: [tcp(AIRFLOW_PORT)] }],
    });
  }
}
