import { PlatformConfig } from './config/types';
import { AIRFLOW_CI, AIRFLOW_RELEASE, AIRFLOW_SECRETS } from './shared/airflow';
import { DAGS_CONFIG_MAP, DAGS_FOLDER } from './shared/airflow-dags';
import { toYaml } from './output/yaml-emitter';
import { OutputFile } from './output/render';
import { GATEWAY, gcpServiceAccountEmail, KEDA, PORTS, SHARED_GCP_ACCOUNTS, SHARED_NAMESPACE } from './names';

/**
 * The third-party services the platform installs from their official Helm charts, and
 * their values: one source for the Argo CD Applications and for a plain `helm install`.
 */

/** Namespace of the External Secrets Operator. */
export const EXTERNAL_SECRETS_NAMESPACE = 'external-secrets';

/** Namespace of Kueue's controller. */
export const KUEUE_NAMESPACE = 'kueue-system';

/** Namespace of the JobSet controller. */
export const JOBSET_NAMESPACE = 'jobset-system';

/** Official chart repositories of the third-party services (Kueue's and JobSet's are OCI charts). */
export const CHART_REPOS = {
  externalSecrets: 'https://charts.external-secrets.io',
  airflow: 'https://airflow.apache.org',
  kueue: 'oci://registry.k8s.io/kueue/charts/kueue',
  jobset: 'oci://registry.k8s.io/jobset/charts/jobset',
  envoyGateway: 'oci://registry-1.docker.io/envoyproxy/gateway-helm',
  aiGatewayCrds: 'oci://registry-1.docker.io/envoyproxy/ai-gateway-crds-helm',
  aiGateway: 'oci://registry-1.docker.io/envoyproxy/ai-gateway-helm',
  keda: 'https://kedacore.github.io/charts',
} as const;

/**
 * Helm values of the KEDA chart: its operator acts as GCP account `llm-keda` (Workload
 * Identity), which may read the project's metrics, so that ScaledObjects read Managed
 * Prometheus through a TriggerAuthentication naming the `gcp` pod identity.
 * @see https://keda.sh/docs/latest/authentication-providers/gcp-workload-identity/
 */
export function kedaValues(platform: PlatformConfig): Record<string, unknown> {
  return {
    podIdentity: { gcp: { enabled: true, gcpIAMServiceAccount: gcpServiceAccountEmail(SHARED_GCP_ACCOUNTS.keda, platform.project) } },
    // Its scalers' errors and latencies, which Managed Prometheus scrapes (PodMonitoring keda-operator).
    prometheus: { operator: { enabled: true, port: KEDA.operatorMetricsPort } },
  };
}

/** Helm values of KEDA's HTTP add-on chart: its defaults (the interceptor on 8080, the external scaler on 9090). */
export function kedaHttpValues(): Record<string, unknown> {
  return {};
}

/** Release names of Envoy AI Gateway's two charts (its CRDs come in a chart of their own). */
export const AI_GATEWAY_RELEASES = { crds: 'ai-gateway-crds', controller: 'ai-gateway' } as const;

/**
 * Helm values of the Envoy Gateway chart, as Envoy AI Gateway needs it: the `Backend`
 * API on (an AIServiceBackend points at a Backend), the AI Gateway controller as the
 * extension that rewrites Envoy's configuration, and a global rate limit whose counters
 * live in the platform's Redis (`llm-gateway-ratelimit`). Envoy patch policies stay off:
 * nothing here needs raw Envoy configuration.
 * @see https://aigateway.envoyproxy.io/docs/getting-started/prerequisites
 */
export function envoyGatewayValues(): Record<string, unknown> {
  return {
    config: {
      envoyGateway: {
        gateway: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' },
        provider: { type: 'Kubernetes' },
        extensionApis: { enableBackend: true },
        extensionManager: {
          hooks: {
            xdsTranslator: {
              translation: { listener: { includeAll: true }, route: { includeAll: true }, cluster: { includeAll: true }, secret: { includeAll: true } },
              post: ['Translation', 'Cluster', 'Route'],
            },
          },
          service: { fqdn: { hostname: `${AI_GATEWAY_RELEASES.controller}-controller.${GATEWAY.aiNamespace}.svc.cluster.local`, port: 1063 } },
        },
        rateLimit: { backend: { type: 'Redis', redis: { url: `${GATEWAY.rateLimitStore}.${SHARED_NAMESPACE}.svc.cluster.local:${PORTS.gatewayRateLimitStore}` } } },
      },
    },
  };
}

/**
 * Helm values of the Envoy AI Gateway chart: the controller keeps its chart name
 * (`ai-gateway-controller`, which Envoy Gateway's extension manager calls).
 */
export function aiGatewayValues(): Record<string, unknown> {
  return { controller: { fullnameOverride: `${AI_GATEWAY_RELEASES.controller}-controller` } };
}

/**
 * Helm values of the Kueue chart. Kueue manages only the jobs that name a queue (the
 * chart's default), so Airflow's task pods and other jobs are left alone. The
 * controller's pod security is pinned here as the chart has it, so that a chart upgrade
 * cannot loosen it unseen.
 * @see https://kueue.sigs.k8s.io/docs/installation/#install-a-released-version
 */
export function kueueValues(): Record<string, unknown> {
  return {
    controllerManager: {
      manager: {
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containerSecurityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    },
  };
}

/**
 * Helm values of the JobSet chart: its defaults. A run of several nodes is a JobSet
 * that Kueue admits whole.
 * @see https://jobset.sigs.k8s.io/docs/installation/
 */
export function jobsetValues(): Record<string, unknown> {
  return {};
}

/** Helm values of the External Secrets chart, for Argo CD and for a plain `helm install`. */
export function externalSecretsValues(): Record<string, unknown> {
  return {
    installCRDs: true,
    // Deleting the CRDs would delete every ExternalSecret, and with them every Secret they own.
    crds: { annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false', 'helm.sh/resource-policy': 'keep' } },
    // The controller has no GCP identity: each SecretStore reads as its namespace's own,
    // so a store that a tenant might create without one reads nothing.
    serviceAccount: { annotations: {} },
    // People with `edit`, `view` or `admin` in a namespace get no rights on these kinds:
    // a SecretStore or PushSecret is a way out of a tenant. Access is granted on purpose.
    rbac: { aggregateToView: false, aggregateToEdit: false, aggregateToAdmin: false },
    // The platform uses namespaced SecretStores and ExternalSecrets only.
    processClusterStore: false,
    processClusterExternalSecret: false,
    processPushSecret: false,
    processClusterPushSecret: false,
  };
}

/**
 * Helm values of the Airflow chart, for Argo CD and for a plain `helm install`:
 * KubernetesExecutor, metadata on Cloud SQL, every credential from Secret Manager, no
 * admin user; the REST API with basic authentication, and one user, the CI's
 * (`ci-trigger`, role `User`), whose password the chart's user job reads from Secret
 * `airflow-ci-user` (from Secret Manager): recreated at every sync, so it follows the
 * secret; and the chart's own settings for Argo CD.
 * @see https://airflow.apache.org/docs/helm-chart/stable/index.html#installing-the-chart-with-argo-cd-flux-rancher-or-terraform
 */
/**
 * The user job's script: the user made again with the password Secret Manager holds now
 * (deleted first: `users create` leaves an existing user as it is). Values and password
 * come as arguments and from the environment, quoted: nothing is expanded in a template.
 */
export const CREATE_CI_USER = [
  'set -eu',
  `airflow users delete --username "${AIRFLOW_CI.username}" >/dev/null 2>&1 || true`,
  `exec airflow users create --role "${AIRFLOW_CI.role}" --username "${AIRFLOW_CI.username}" --email "${AIRFLOW_CI.email}" --firstname CI --lastname trigger --password "$CI_PASSWORD"`,
].join('\n');

export function airflowValues(): Record<string, unknown> {
  // The DAGs come from the ConfigMap dist/shared holds, mounted as the DAG folder.
  const dags = {
    extraVolumes: [{ name: 'dags', configMap: { name: DAGS_CONFIG_MAP } }],
    extraVolumeMounts: [{ name: 'dags', mountPath: DAGS_FOLDER, readOnly: true }],
  };
  return {
    scheduler: dags,
    workers: dags,
    triggerer: dags,
    dags: { persistence: { enabled: false }, gitSync: { enabled: false } },
    executor: 'KubernetesExecutor',
    postgresql: { enabled: false },
    redis: { enabled: false },
    data: { metadataSecretName: AIRFLOW_SECRETS.metadata },
    webserverSecretKeySecretName: AIRFLOW_SECRETS.webserverSecretKey,
    fernetKeySecretName: AIRFLOW_SECRETS.fernetKey,
    // The guide's Jenkinsfile (and CI) calls /api/v1 with a user and password; Airflow's own
    // UI calls it with its session: both.
    config: { api: { auth_backends: 'airflow.api.auth.backend.basic_auth,airflow.api.auth.backend.session' } },
    // The chart's user job makes the one user, the CI's. Its args are the chart's own
    // (templated) but for the password, read from the environment: never in values.
    webserver: {
      defaultUser: {
        enabled: true, role: AIRFLOW_CI.role, username: AIRFLOW_CI.username,
        email: AIRFLOW_CI.email, firstName: 'CI', lastName: 'trigger',
      },
    },
    // Every pod of the chart meets Pod Security restricted, which llm-shared enforces:
    // the chart's components take these (statsd, pgbouncer and redis would not: all off).
    securityContexts: {
      pod: { runAsUser: 50000, runAsGroup: 0, fsGroup: 0, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    },
    statsd: { enabled: false },
    pgbouncer: { enabled: false },
    createUserJob: {
      useHelmHooks: false,
      applyCustomEnv: false,
      // After the migration (a Sync hook too, wave 0): the database has its tables.
      jobAnnotations: { 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation', 'argocd.argoproj.io/sync-wave': '1' },
      env: [{ name: 'CI_PASSWORD', valueFrom: { secretKeyRef: { name: AIRFLOW_SECRETS.ciUser, key: 'password' } } }],
      args: ['bash', '-c', CREATE_CI_USER],
    },
    migrateDatabaseJob: { useHelmHooks: false, applyCustomEnv: false, jobAnnotations: { 'argocd.argoproj.io/hook': 'Sync' } },
  };
}

/** A values file per third-party chart (in `charts/<folder>/`), with the command that installs it, for operators using Helm. */
export function operatorValuesFiles(platform: PlatformConfig, folder: string): OutputFile[] {
  const file = (name: string, when: string, install: string, values: Record<string, unknown>): OutputFile => ({
    path: `${folder}/${name}.values.yaml`,
    content: `# Generated by 'npm run synth' from platform.yaml. Do not edit.\n# Install ${when}:\n#   ${install}\n${toYaml(values)}`,
  });
  return [
    file('external-secrets', 'before the platform chart (it brings the CRDs of its ExternalSecrets)',
      `helm install external-secrets external-secrets --repo ${CHART_REPOS.externalSecrets} --version ${platform.operators.externalSecrets.chartVersion} --namespace ${EXTERNAL_SECRETS_NAMESPACE} --create-namespace --values charts/${folder}/external-secrets.values.yaml`,
      externalSecretsValues()),
    file('kueue', 'before the platform chart (it brings the CRDs of the training queues)',
      `helm install kueue ${CHART_REPOS.kueue} --version ${platform.operators.kueue.chartVersion} --namespace ${KUEUE_NAMESPACE} --create-namespace --values charts/${folder}/kueue.values.yaml`,
      kueueValues()),
    file('jobset', 'before the platform chart (it brings the CRD of runs of several nodes)',
      `helm install jobset ${CHART_REPOS.jobset} --version ${platform.operators.jobset.chartVersion} --namespace ${JOBSET_NAMESPACE} --create-namespace --values charts/${folder}/jobset.values.yaml`,
      jobsetValues()),
    file('envoy-gateway', 'before the platform chart (it brings the Gateway API and Envoy Gateway CRDs, and runs the gateway\'s proxies)',
      `helm install envoy-gateway ${CHART_REPOS.envoyGateway} --version ${platform.operators.envoyGateway.chartVersion} --namespace ${GATEWAY.namespace} --create-namespace --values charts/${folder}/envoy-gateway.values.yaml`,
      envoyGatewayValues()),
    file('ai-gateway', 'before the platform chart, after its CRDs chart (helm install ' + AI_GATEWAY_RELEASES.crds + ' ' + CHART_REPOS.aiGatewayCrds + ' --version ' + platform.operators.aiGateway.chartVersion + ' --namespace ' + GATEWAY.aiNamespace + ' --create-namespace)',
      `helm install ${AI_GATEWAY_RELEASES.controller} ${CHART_REPOS.aiGateway} --version ${platform.operators.aiGateway.chartVersion} --namespace ${GATEWAY.aiNamespace} --create-namespace --values charts/${folder}/ai-gateway.values.yaml`,
      aiGatewayValues()),
    file('keda', 'before the platform chart (it brings the CRDs of the ScaledObjects)',
      `helm install keda keda --repo ${CHART_REPOS.keda} --version ${platform.operators.keda.chartVersion} --namespace ${KEDA.namespace} --create-namespace --values charts/${folder}/keda.values.yaml`,
      kedaValues(platform)),
    file('keda-add-ons-http', 'after KEDA, before the platform chart (it brings the CRD of the HTTPScaledObjects)',
      `helm install keda-add-ons-http keda-add-ons-http --repo ${CHART_REPOS.keda} --version ${platform.operators.kedaHttp.chartVersion} --namespace ${KEDA.namespace} --values charts/${folder}/keda-add-ons-http.values.yaml`,
      kedaHttpValues()),
    file('airflow', 'after the platform chart (it needs namespace llm-shared and its secrets there)',
      `helm install ${AIRFLOW_RELEASE} airflow --repo ${CHART_REPOS.airflow} --version ${platform.operators.airflow.chartVersion} --namespace llm-shared --values charts/${folder}/airflow.values.yaml`,
      airflowValues()),
  ];
}
