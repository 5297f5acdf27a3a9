import { createHash } from 'crypto';

/**
 * Every name that something outside the generated files refers to: service DNS names,
 * the service account GCP IAM binds to, the PVC and ConfigMap the Airflow DAG mounts,
 * the labels NetworkPolicies select. They are a contract and stay as the guide has them.
 */

/** Namespace of the shared layer. */
export const SHARED_NAMESPACE = 'llm-shared';

/** Namespace of a workspace. */
export function workspaceNamespace(workspace: string): string {
  return `llm-workspace-${workspace}`;
}

/** ServiceAccount that GCP IAM binds to through Workload Identity. */
export const WORKLOAD_SERVICE_ACCOUNT = 'llm-workload-sa';

/** PVC for base models, checkpoints and outputs, mounted by the DAG. */
export const MODEL_STORAGE_PVC = 'model-storage-pvc';

/** ConfigMap of LLaMA-Factory training configs, mounted by the DAG. */
export const TRAINING_CONFIGS = 'training-configs';

/** ConfigMap of the workspace's MLflow URIs (the guide's `mlflow-secret`, which holds no secret). */
export const MLFLOW_CONFIG = 'mlflow-config';

/** Secret (written by External Secrets) with the MLflow database credentials. */
export const MLFLOW_DB_SECRET = 'mlflow-db-secret';

/** Secret (written by External Secrets) with the Strapi API token for the gateway and the console. */
export const STRAPI_TOKEN_SECRET = 'strapi-api-token';

/** Secret (written by External Secrets) with Strapi's own keys and database credentials. */
export const STRAPI_APP_SECRET = 'strapi-app-secrets';

/** NetworkPolicy that lets only the gateway reach inference servers. */
export const INFERENCE_NETWORK_POLICY = 'allow-only-gateway';

/** `app` label of every inference pod; the NetworkPolicy selects it. */
export const INFERENCE_APP = 'llama-infer';

/**
 * Namespace of the `helm test` pods that check every server. Network policies admit
 * checks by this namespace, whose name label the API server sets and nobody can forge,
 * not by a pod label that any pod elsewhere could carry; and nothing in the platform may
 * create pods here (no role grants it), so only whoever runs `helm test` can.
 */
export const PROBES_NAMESPACE = 'llm-probes';

/**
 * Namespace of the platform's GCP resources, as Config Connector objects (annotated with
 * the project). No team may write it: its objects sync through the platform's project.
 */
export const GCP_NAMESPACE = 'llm-gcp';

/**
 * Label of the platform's namespaces saying what each is: `shared`, `workspace` or
 * `probes`. Set by the platform on namespaces it creates; tenants cannot label
 * namespaces, so policies may select by it.
 */
export const NAMESPACE_ROLE_LABEL = 'llm-platform/namespace-role';

/**
 * Label an operator puts on the namespaces of applications that call models through the
 * gateway (the platform's `clients`): the gateway admits them, and nothing else outside.
 */
export const GATEWAY_CLIENT_LABEL = 'llm-platform/gateway-client';

/** Label of the workspace pods that talk to MLflow (web UI, model loaders, training); its NetworkPolicies select it. */
export const MLFLOW_CLIENT_LABEL = 'llm-platform/mlflow-client';

/** Ports of the platform's servers (container port and Service port). */
export const PORTS = {
  mlflow: 5000,
  mlflowRead: 8080,
  webui: 7860,
  inference: 8000,
  console: 8501,
  consoleService: 80,
  strapi: 1337,
  /** The gateway's listener: Envoy's container port and its Service's port (below 1024 Envoy Gateway would shift the container's). */
  gateway: 8080,
  /** Envoy's Prometheus endpoint (/stats/prometheus) on every proxy pod. */
  gatewayMetrics: 19001,
  gatewayRateLimitStore: 6379,
  /** The wake-up answer of a workspace (nginx, unprivileged). */
  wake: 8080,
} as const;

/** Names of the shared layer's servers: Deployment, Service and `app` label. */
export const SHARED_APPS = {
  mlflow: 'mlflow-common',
  /** The read-only front of mlflow-common, which workspaces use: they may download base models, never register one. */
  mlflowRead: 'mlflow-common-read',
  console: 'prompt-console',
  strapi: 'strapi',
} as const;

/**
 * The LLM gateway: Envoy AI Gateway on Envoy Gateway. Its Gateway, GatewayClass and
 * EnvoyProxy are named `llm-gateway` in llm-shared; Envoy Gateway runs its proxies in its
 * own namespace, as Deployment and Service `llm-gateway` (the EnvoyProxy names them), with
 * the labels below. Workspace NetworkPolicies admit exactly these pods.
 */
export const GATEWAY = {
  name: 'llm-gateway',
  /** Where Envoy Gateway runs: its controller, the proxies of every Gateway, and the rate-limit service. */
  namespace: 'envoy-gateway-system',
  /** Where Envoy AI Gateway's controller runs. */
  aiNamespace: 'envoy-ai-gateway-system',
  /** Labels Envoy Gateway gives the proxy pods of Gateway llm-shared/llm-gateway. */
  proxyLabels: {
    'app.kubernetes.io/name': 'envoy',
    'app.kubernetes.io/component': 'proxy',
    'app.kubernetes.io/managed-by': 'envoy-gateway',
    'gateway.envoyproxy.io/owning-gateway-name': 'llm-gateway',
    'gateway.envoyproxy.io/owning-gateway-namespace': 'llm-shared',
  },
  /** Labels of Envoy Gateway's global rate-limit service (Deployment envoy-ratelimit). */
  rateLimitLabels: {
    'app.kubernetes.io/name': 'envoy-ratelimit',
    'app.kubernetes.io/component': 'ratelimit',
    'app.kubernetes.io/managed-by': 'envoy-gateway',
  },
  /** The header the API key check sets to the client's name (any value a client sends is replaced). */
  clientHeader: 'x-llm-client',
  /** The header Envoy AI Gateway sets from the model named in the request body. */
  modelHeader: 'x-ai-eg-model',
  /** Secret (written by External Secrets) with one API key per client, by client name. */
  clientKeysSecret: 'llm-client-api-keys',
  /** Deployment and Service of the Redis that holds the rate limits' counters. */
  rateLimitStore: 'llm-gateway-ratelimit',
} as const;

/**
 * KEDA and its HTTP add-on (charts `keda` and `keda-add-ons-http`, in namespace `keda`):
 * the add-on's interceptor holds the first request to a model scaled to zero while it
 * wakes; its external scaler tells KEDA that requests are waiting.
 */
export const KEDA = {
  namespace: 'keda',
  /** The interceptor's proxy Service, and its port. */
  interceptorService: 'keda-add-ons-http-interceptor-proxy',
  interceptorPort: 8080,
  /** Labels of the interceptor's pods (the chart's). */
  interceptorLabels: { 'app.kubernetes.io/component': 'interceptor', 'app.kubernetes.io/name': 'http-add-on' },
  /** Labels of the add-on's external scaler pods, which poll the interceptor's admin port. */
  scalerLabels: { 'app.kubernetes.io/component': 'scaler', 'app.kubernetes.io/name': 'http-add-on' },
  /** The interceptor's admin port (queue counts for the scaler). */
  interceptorAdminPort: 9090,
  /** The add-on's external scaler, as a ScaledObject's trigger names it. */
  externalScaler: 'keda-add-ons-http-external-scaler.keda:9090',
  /** The KEDA operator's service account (it reads the metrics, as the GCP account the chart binds it to). */
  operatorServiceAccount: 'keda-operator',
  /** The KEDA operator's pods (`app`, the chart's operator name) and its Prometheus port. */
  operatorLabels: { app: 'keda-operator' },
  operatorMetricsPort: 8080,
} as const;

/**
 * Label of a Deployment whose replicas an autoscaler decides: Argo CD leaves its live
 * replicas alone (IGNORE_DIFFERENCES), so a model moving from `replicas` to `autoscaling`
 * keeps its replicas instead of dropping to one.
 */
export const AUTOSCALED_LABEL = 'llm-platform/autoscaled';

/** Deployment, Service and `app` label of a workspace's wake-up answer: 503 with Retry-After while a model scaled to zero loads. */
export const WAKE_APP = 'model-waking';

/** The client name under which the prompt console calls the gateway, when platform.yaml lists it among the clients. */
export const CONSOLE_CLIENT = 'prompt-console';

/** Secret Manager key (without the platform's prefix) of a client's API key for the gateway. */
export function clientKeySecretKey(client: string): string {
  return `client-${client}-api-key`;
}

/** `app` label of the model registrar Job's pods (the shared layer's policies select it). */
export const REGISTRAR_APP = 'model-registrar';

/** `app` label of the backup CronJob's pods (the shared layer's policies select it). */
export const BACKUPS_APP = 'mlflow-backups';

/** Names of a workspace's servers: Deployment, Service and `app` label. */
export const WORKSPACE_APPS = {
  mlflow: 'mlflow',
  webui: 'llama-factory-webui',
} as const;

/** Deployment and Service of one inference server. */
export interface InferenceNames {
  readonly deployment: string;
  readonly service: string;
  /** Whether the names carry the model's name (the workspace serves several). */
  readonly perModel: boolean;
}

/**
 * Names of a served model's inference objects. A workspace with one model keeps the
 * guide's names; with more, each model's objects carry its name as a suffix.
 */
export function inferenceNames(model: string, modelsInWorkspace: number): InferenceNames {
  return modelsInWorkspace === 1
    ? { deployment: 'llama-factory-inference', service: 'llama-inference-internal', perModel: false }
    : { deployment: `llama-factory-inference-${model}`, service: `llama-inference-${model}`, perModel: true };
}

/** `app` label of a canary's inference pods: not `llama-infer`, which the main Deployment's selector takes (it cannot change). */
export const INFERENCE_CANARY_APP = 'llama-infer-canary';

/** A name with a suffix, within `max` characters: the start of the name and a hash of it when too long. */
export function withSuffix(name: string, suffix: string, max = 63): string {
  const whole = `${name}-${suffix}`;
  if (whole.length <= max) return whole;
  return `${name.slice(0, max - suffix.length - 8).replace(/-+$/, '')}-${shortHash(name)}-${suffix}`;
}

/** Deployment and Service of a model's canary: its main ones' names with `-canary`. */
export function canaryNames(main: InferenceNames): InferenceNames {
  return { deployment: withSuffix(main.deployment, 'canary'), service: withSuffix(main.service, 'canary'), perModel: true };
}

/** In-cluster URL of a Service. */
export function serviceUrl(service: string, namespace: string, port: number): string {
  return `http://${service}.${namespace}.svc.cluster.local${port === 80 ? '' : `:${port}`}`;
}

/** MLflow database of a workspace (`mlflow_<name>`), or of the shared server (`common`). */
export function mlflowDatabase(workspace: string): string {
  return `mlflow_${workspace}`;
}

/** Secret Manager key (without the platform's prefix) of the MLflow database user and password of a workspace, or of the shared server (`common`). */
export function mlflowDatabaseSecretKey(workspace: string): string {
  return `mlflow-db-${workspace}`;
}

/** The first `length` hex digits of the SHA-256 of a text: a short, stable suffix for names cut to fit a limit. */
export function shortHash(text: string, length = 6): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** `prefix` + `name`, or, when that passes `max` characters, `prefix` + the start of `name` + `-` + a hash of `name`. */
function fitted(prefix: string, name: string, max: number): string {
  const whole = `${prefix}${name}`;
  if (whole.length <= max) return whole;
  const room = max - prefix.length - 7;
  return `${prefix}${name.slice(0, room).replace(/-+$/, '')}-${shortHash(name)}`;
}

/** Longest GCS bucket name without dots. */
export const MAX_BUCKET_NAME = 63;

/**
 * GCS bucket (without gs://) of a workspace's MLflow artifacts, or of the shared server
 * (`common`): `<project>-mlflow-<name>`, cut with a hash of the name when that is longer
 * than GCS allows. Derived, never chosen: a workspace stores only in its own bucket.
 */
export function artifactBucketName(project: string, workspace: string): string {
  return fitted(`${project}-mlflow-`, workspace, MAX_BUCKET_NAME);
}

/** A workspace's training-data bucket: `<project>-data-<name>`, cut with a hash past 63 characters. */
export function dataBucketName(project: string, workspace: string): string {
  return fitted(`${project}-data-`, workspace, MAX_BUCKET_NAME);
}

/** Email of a GCP service account in the platform's project. */
export function gcpServiceAccountEmail(accountId: string, project: string): string {
  return `${accountId}@${project}.iam.gserviceaccount.com`;
}

/** GCP allows service account ids of 6 to 30 characters. */
export const MAX_GCP_ACCOUNT_ID = 30;

/**
 * The GCP service account id of a workspace: `llm-ws-<name>`, cut with a hash of the
 * name past GCP's 30 characters. Each workspace acts as its own identity: its pods and
 * its secret store, and nothing else.
 */
export function workspaceGcpAccountId(workspace: string): string {
  return fitted('llm-ws-', workspace, MAX_GCP_ACCOUNT_ID);
}

/**
 * Id of the GCP service account a workspace's secret store acts as: `llm-wss-<name>` (cut
 * with a hash past 30 characters). Apart from the workspace's own identity, which its
 * pods act as and which may not read its secrets.
 */
export function workspaceSecretsAccountId(workspace: string): string {
  return fitted('llm-wss-', workspace, MAX_GCP_ACCOUNT_ID);
}

/** The email of a workspace's secret store's GCP service account. */
export function workspaceSecretsAccount(project: string, workspace: string): string {
  return gcpServiceAccountEmail(workspaceSecretsAccountId(workspace), project);
}

/** The GCP service account email a workspace acts as: the one its file names, or the one derived from its name. */
export function workspaceGcpAccount(project: string, workspace: string, named?: string): string {
  return named ?? gcpServiceAccountEmail(workspaceGcpAccountId(workspace), project);
}

/**
 * The GCP identities of the shared layer, each used by one component only (ids in the
 * platform's project). The External Secrets controller has none on purpose: every
 * store names the identity it reads as, so a store without one reads nothing.
 */
export const SHARED_GCP_ACCOUNTS = {
  /** mlflow-common: its artifact bucket. */
  mlflowCommon: 'llm-mlflow-common',
  /** The backup CronJob: Cloud SQL exports. */
  backups: 'llm-backups',
  /** The shared layer's secret store: the shared layer's secrets only. */
  sharedSecrets: 'llm-shared-secrets',
  /** The CI that triggers the training DAG: the Airflow user's password, and nothing else. */
  ciTrigger: 'llm-ci-trigger',
  /** KEDA's operator: reads the served models' metrics from Managed Prometheus to scale them. */
  keda: 'llm-keda',
} as const;

/**
 * Service account ids no workspace may act as: the shared layer's, and the two that
 * earlier versions shared between components (`llm-workload`, every workspace's
 * default; `external-secrets`, the controller's project-wide reader).
 */
export const RESERVED_GCP_ACCOUNTS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.values(SHARED_GCP_ACCOUNTS).map((id) => [id, 'an identity of the shared layer'])),
  'llm-workload': 'the identity every workspace shared before each had its own',
  'external-secrets': "the External Secrets controller's former project-wide identity",
};

/** The ServiceAccount that a namespace's secret store authenticates as (Workload Identity), in every namespace with a store. */
export const SECRET_STORE_ACCOUNT = 'secret-store';

/** The SecretStore of each workspace: it reads that workspace's secrets only, as the workspace's identity. */
export const WORKSPACE_SECRET_STORE = 'workspace-secrets';
