import { DNS_LABEL_PATTERN, image, REGISTRY_PATTERN, resources } from './schema-parts';

/**
 * JSON Schema of `platform.yaml`: what the operator states once for the whole platform.
 * Written out to `schemas/platform.schema.json` for editors by `npm run synth`.
 */
/**
 * GKE's GPUs and the GPU counts of their machine types (A2: A100 40GB 1-16; A2 Ultra:
 * A100 80GB 1-8; A3: H100 1-8; G2: L4 1-8; N1 with T4 or V100).
 * @see https://cloud.google.com/compute/docs/gpus
 */
export const DEFAULT_ACCELERATORS = [
  { name: 'nvidia-tesla-a100', nodeGpus: [1, 2, 4, 8, 16] },
  { name: 'nvidia-a100-80gb', nodeGpus: [1, 2, 4, 8] },
  { name: 'nvidia-h100-80gb', nodeGpus: [1, 2, 4, 8] },
  { name: 'nvidia-l4', nodeGpus: [1, 2, 4, 8] },
  { name: 'nvidia-tesla-t4', nodeGpus: [1, 2, 4] },
  { name: 'nvidia-tesla-v100', nodeGpus: [1, 2, 4, 8] },
];

export const platformSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://llm-platform.local/schemas/platform.schema.json',
  title: 'LLM fine-tuning platform',
  description: 'The shared settings of the platform: GCP project, images, database and secret store. One file, platform.yaml, at the top of the repository.',
  type: 'object',
  additionalProperties: false,
  required: ['project', 'region', 'registry', 'images', 'cloudSql', 'secretStore', 'repository', 'network'],
  properties: {
    repository: {
      type: 'object',
      description: 'The git repository holding this platform: rendered manifests are synced from it, and the Helm chart links to it.',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: {
          type: 'string',
          description: 'Clone URL of the repository.',
          pattern: '^(https://|ssh://|git@)[^\\s]+$',
          'x-allowed': "an https://, ssh:// or git@ clone URL",
        },
        revision: {
          type: 'string',
          description: 'Branch, tag or commit that clusters follow. Default: main.',
          default: 'main',
          pattern: '^[A-Za-z0-9._/-]+$',
          'x-allowed': "a branch, tag or commit like 'main' or 'v1.2.0'",
        },
      },
    },
    project: {
      type: 'string',
      description: 'GCP project id. Names the Workload Identity pool, the service accounts (<account>@<project>.iam.gserviceaccount.com) and the MLflow buckets (<project>-mlflow-<workspace>).',
      pattern: '^(?!.*google)[a-z][-a-z0-9]{4,28}[a-z0-9]$',
      'x-allowed': "a GCP project id: 6 to 30 lowercase letters, digits or '-', starting with a letter, without 'google'",
    },
    region: {
      type: 'string',
      description: 'GCP region of the cluster and buckets, like europe-west4.',
      pattern: '^[a-z]+-[a-z]+[0-9]+$',
      'x-allowed': "a GCP region like 'europe-west4'",
    },
    registry: {
      type: 'string',
      description: 'Registry the platform images are pulled from, like eu.gcr.io/<project>. An image may name its own.',
      pattern: REGISTRY_PATTERN,
      'x-allowed': "a registry host with an optional path, like 'eu.gcr.io/my-project'",
    },
    images: {
      type: 'object',
      description: 'Every image the platform runs, by role. Upgrading an image is one edit here.',
      additionalProperties: false,
      required: ['train', 'api', 'console', 'strapi', 'mlflow'],
      'x-removed': {
        gateway: 'the gateway is Envoy AI Gateway, installed from its official charts (operators.envoyGateway and operators.aiGateway): remove this line',
      },
      properties: {
        train: { ...image, description: 'LLaMA-Factory training image (Dockerfile.train): web UI, model loader, training jobs.' },
        api: { ...image, description: 'LLaMA-Factory inference image with vLLM (Dockerfile.api).' },
        console: { ...image, description: 'Streamlit prompt console.' },
        strapi: { ...image, description: 'Strapi model registry.' },
        mlflow: { ...image, description: 'MLflow tracking server, like ghcr.io/mlflow/mlflow:v2.10.0.' },
        registrar: {
          ...image,
          description: "Node.js image that runs the model registrar Job (upserts the gateway's records into Strapi). Default: docker.io/library/node:20.18.1-alpine.",
          default: { registry: 'docker.io/library', name: 'node', tag: '20.18.1-alpine' },
        },
        gcloud: {
          ...image,
          description: 'Google Cloud CLI image that runs the MLflow database backups. Default: gcr.io/google.com/cloudsdktool/google-cloud-cli:502.0.0-slim.',
          default: { registry: 'gcr.io/google.com/cloudsdktool', name: 'google-cloud-cli', tag: '502.0.0-slim' },
        },
        proxy: {
          ...image,
          description: "nginx image, running as non-root, of mlflow-common's read-only front (mlflow-common-read). Default: docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine.",
          default: { registry: 'docker.io/nginxinc', name: 'nginx-unprivileged', tag: '1.27.3-alpine' },
        },
        jobMetrics: {
          ...image,
          description: "kube-state-metrics image that exports the state of training runs and backups (llm-job-metrics), which GKE's managed package leaves out. Default: registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0.",
          default: { registry: 'registry.k8s.io/kube-state-metrics', name: 'kube-state-metrics', tag: 'v2.13.0' },
        },
        redis: {
          ...image,
          description: "Redis image of the gateway's rate-limit counters (llm-gateway-ratelimit; nothing persisted). Default: docker.io/library/redis:7.4.2-alpine.",
          default: { registry: 'docker.io/library', name: 'redis', tag: '7.4.2-alpine' },
        },
        test: {
          ...image,
          description: "Small image with curl that runs the chart's `helm test` checks. Default: docker.io/curlimages/curl:8.11.1.",
          default: { registry: 'docker.io/curlimages', name: 'curl', tag: '8.11.1' },
        },
      },
    },
    cloudSql: {
      type: 'object',
      description: 'Cloud SQL for PostgreSQL instance that holds the MLflow and Strapi databases.',
      additionalProperties: false,
      required: ['host', 'serviceAccount'],
      properties: {
        host: {
          type: 'string',
          description: "Private IP of the instance. An IP, not a name: the workspaces' NetworkPolicies allow MLflow to reach exactly this address.",
          pattern: '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$',
          'x-allowed': "an IPv4 address like '10.0.0.5'",
        },
        port: {
          type: 'integer', minimum: 1, maximum: 65535, default: 5432,
          description: 'PostgreSQL port. Default: 5432.',
          'x-allowed': 'a port number from 1 to 65535',
        },
        instance: {
          type: 'string', default: 'mlflow-instance',
          description: 'Cloud SQL instance name: the databases and users of every MLflow, Strapi and Airflow are made on it (Config Connector), and it is exported by the backups. Default: mlflow-instance (the guide\'s).',
          pattern: '^[a-z][-a-z0-9]{0,96}[a-z0-9]$',
          'x-allowed': "a Cloud SQL instance name like 'mlflow-instance'",
        },
        serviceAccount: {
          type: 'string',
          description: "The instance's own service account, which writes its exports to the backup bucket (gcloud sql instances describe <instance> --format='value(serviceAccountEmailAddress)').",
          pattern: '^[a-z0-9][-a-z0-9.]*@[-a-z0-9.]+\\.iam\\.gserviceaccount\\.com$',
          'x-allowed': "a service account email like 'p123456789-abcdef@gcp-sa-cloud-sql.iam.gserviceaccount.com'",
        },
      },
    },
    backups: {
      type: 'object',
      description: 'Scheduled backups of every MLflow database (guide 7.4): a CronJob exports each to GCS; the bucket deletes exports older than the retention (a lifecycle rule).',
      additionalProperties: false,
      default: {},
      properties: {
        bucket: {
          type: 'string',
          description: 'GCS bucket of the exports, without gs://. Default: <project>-backups (the guide\'s).',
          pattern: '^[a-z0-9][-a-z0-9_.]{1,61}[a-z0-9]$',
          'x-allowed': "a GCS bucket name of 3 to 63 characters",
        },
        schedule: {
          type: 'string', default: '0 2 * * *',
          description: 'Cron schedule of the exports. Default: 0 2 * * * (daily at 02:00).',
          pattern: '^(\\S+\\s+){4}\\S+$',
          'x-allowed': "a cron schedule of five fields like '0 2 * * *'",
        },
        retentionDays: {
          type: 'integer', minimum: 1, maximum: 3650, default: 14,
          description: 'Days an export is kept. Default: 14.',
          'x-allowed': 'a whole number of days from 1 to 3650',
        },
      },
    },
    training: {
      type: 'object',
      description: 'What training runs may do, for every workspace.',
      additionalProperties: false,
      default: {},
      properties: {
        trustRemoteCode: {
          type: 'array',
          description: "Base models (names in mlflow-common) whose own Python code a training config may run (trust_remote_code: true). A config that sets it is refused unless every run using it starts from one of these. Default: none.",
          default: [],
          uniqueItems: true,
          items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 256, 'x-allowed': "an MLflow model name like 'llama-3-8b-base'" },
        },
        accelerators: {
          type: 'array',
          description: "The GPUs of the cluster's node pools that training runs may use: each becomes a Kueue ResourceFlavor (runs are admitted per accelerator), and a run's GPUs per node must be a count its nodes come with. Name the pools the cluster has: a run that names no accelerator may be sent to any of these. Default: the GKE accelerators with their machine shapes (A100 40GB: 1, 2, 4, 8 or 16; L4: 1, 2, 4 or 8; ...).",
          minItems: 1,
          maxItems: 16,
          default: DEFAULT_ACCELERATORS,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'nodeGpus'],
            properties: {
              name: {
                type: 'string',
                description: 'GKE accelerator name (the node label cloud.google.com/gke-accelerator).',
                pattern: '^nvidia-[a-z0-9-]+$',
                maxLength: 63,
                'x-allowed': "a GKE accelerator name like 'nvidia-tesla-a100'",
              },
              nodeGpus: {
                type: 'array',
                description: 'GPU counts a node of this accelerator comes with (its machine types).',
                minItems: 1,
                uniqueItems: true,
                items: { type: 'integer', minimum: 1, maximum: 16, 'x-allowed': 'a whole number of GPUs from 1 to 16' },
              },
            },
          },
        },
      },
    },
    clients: {
      type: 'array',
      description: "Applications that may call models through the gateway, each with an API key of its own (generated into Secret Manager as '<keyPrefix>client-<name>-api-key'); a served model's allowedClients must name only these. List 'prompt-console' to let the console call the models that name it. Default: none.",
      default: [],
      uniqueItems: true,
      items: { type: 'string', pattern: DNS_LABEL_PATTERN, maxLength: 63, 'x-allowed': "a client name like 'app-search'" },
    },
    secretStore: {
      type: 'object',
      description: "How secrets are read from GCP Secret Manager through the External Secrets Operator. Passwords and tokens come from there; none is written to git. Each namespace has a SecretStore of its own that reads as that namespace's GCP identity: a workspace reads only its own secrets.",
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: {
          type: 'string',
          description: "Name of the shared layer's SecretStore in llm-shared (each workspace's is workspace-secrets).",
          pattern: DNS_LABEL_PATTERN, maxLength: 63,
          'x-allowed': "a Kubernetes name: lowercase letters, digits and '-', at most 63 characters",
        },
        keyPrefix: {
          type: 'string', default: 'llm-platform-',
          description: 'Prefix of every Secret Manager secret name the platform reads. Default: llm-platform-.',
          pattern: '^[a-zA-Z0-9_-]*$',
          'x-allowed': "letters, digits, '-' and '_'",
        },
        refreshInterval: {
          type: 'string', default: '1h',
          description: 'How often secrets are read again from the store. Default: 1h.',
          pattern: '^([0-9]+(s|m|h))+$',
          'x-allowed': "a duration like '30m' or '1h'",
        },
      },
    },
    network: {
      type: 'object',
      description: "Where the platform's pods may connect outside the cluster's pods (every namespace's NetworkPolicies deny everything else).",
      additionalProperties: false,
      required: ['kubernetesApiCidrs'],
      properties: {
        kubernetesApiCidrs: {
          type: 'array',
          description: "Address ranges of the cluster's control plane, reached on 443 by Airflow, which starts training pods through the Kubernetes API: the private endpoint (gcloud container clusters describe <cluster> --format='value(privateClusterConfig.privateEndpoint)') as a /32. Only Airflow's pods get this egress.",
          minItems: 1,
          items: {
            type: 'string',
            pattern: '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/([0-9]|[12][0-9]|3[0-2])$',
            'x-allowed': "an IPv4 range like '172.16.0.2/32'",
          },
        },
        googleApiCidrs: {
          type: 'array',
          description: "Address ranges of Google APIs (GCS, for MLflow artifacts), reached on 443. With private.googleapis.com set up in the VPC, use ['199.36.153.8/30']. Default: ['0.0.0.0/0'] (any public address; private ranges stay denied).",
          default: ['0.0.0.0/0'],
          minItems: 1,
          items: {
            type: 'string',
            pattern: '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/([0-9]|[12][0-9]|3[0-2])$',
            'x-allowed': "an IPv4 range like '199.36.153.8/30'",
          },
        },
      },
    },
    argocd: {
      type: 'object',
      description: 'Argo CD, which syncs dist/ from the repository.',
      additionalProperties: false,
      default: {},
      properties: {
        namespace: {
          type: 'string', default: 'argocd',
          description: 'Namespace Argo CD runs in; its AppProjects, Applications and ApplicationSet go there. Default: argocd.',
          pattern: DNS_LABEL_PATTERN, maxLength: 63,
          'x-allowed': "a Kubernetes namespace name like 'argocd'",
        },
      },
    },
    operators: {
      type: 'object',
      description: 'Third-party services installed from their official Helm charts by Argo CD.',
      additionalProperties: false,
      default: {},
      properties: {
        externalSecrets: {
          type: 'object',
          description: 'External Secrets Operator (chart external-secrets from https://charts.external-secrets.io), in namespace external-secrets. The controller itself has no GCP identity: each SecretStore authenticates as its namespace\'s.',
          additionalProperties: false,
          default: {},
          properties: {
            chartVersion: {
              type: 'string', default: '2.10.0',
              description: 'Pinned chart version; 0.17 or later serves the external-secrets.io/v1 API the manifests use. Default: 2.10.0.',
              pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$',
              'x-allowed': "a chart version like '2.10.0'",
            },
          },
        },
        kueue: {
          type: 'object',
          description: 'Kueue (chart kueue from oci://registry.k8s.io/kueue/charts), in namespace kueue-system: admits every training run through its team\'s queue.',
          additionalProperties: false,
          default: {},
          properties: {
            chartVersion: {
              type: 'string', default: '0.19.2',
              description: 'Pinned chart version; the manifests use the kueue.x-k8s.io/v1beta2 API of Kueue 0.19. Default: 0.19.2.',
              pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$',
              'x-allowed': "a chart version like '0.19.2'",
            },
          },
        },
        jobset: {
          type: 'object',
          description: 'JobSet (chart jobset from oci://registry.k8s.io/jobset/charts), in namespace jobset-system: runs a training run of several nodes as one unit.',
          additionalProperties: false,
          default: {},
          properties: {
            chartVersion: {
              type: 'string', default: '0.12.0',
              description: 'Pinned chart version; the manifests use the jobset.x-k8s.io/v1alpha2 API. Default: 0.12.0.',
              pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$',
              'x-allowed': "a chart version like '0.12.0'",
            },
          },
        },
        envoyGateway: {
          type: 'object',
          description: 'Envoy Gateway (chart gateway-helm from oci://docker.io/envoyproxy), in namespace envoy-gateway-system, with the Gateway API CRDs: runs the Envoy proxies of the LLM gateway.',
          additionalProperties: false,
          default: {},
          properties: {
            chartVersion: {
              type: 'string', default: 'v1.9.0',
              description: 'Pinned chart version, as a set with aiGateway.chartVersion (Envoy AI Gateway v0.7 supports Envoy Gateway v1.8 and later; v1.9 brings Gateway API v1.6). Default: v1.9.0.',
              pattern: '^v[0-9]+\\.[0-9]+\\.[0-9]+$',
              'x-allowed': "a chart version like 'v1.9.0'",
            },
          },
        },
        aiGateway: {
          type: 'object',
          description: 'Envoy AI Gateway (charts ai-gateway-crds-helm and ai-gateway-helm from oci://docker.io/envoyproxy), in namespace envoy-ai-gateway-system: routes OpenAI-style requests by the model they name, and counts their tokens.',
          additionalProperties: false,
          default: {},
          properties: {
            chartVersion: {
              type: 'string', default: 'v0.7.0',
              description: 'Pinned chart version of both charts; the manifests use the aigateway.envoyproxy.io/v1beta1 API. Default: v0.7.0.',
              pattern: '^v[0-9]+\\.[0-9]+\\.[0-9]+$',
              'x-allowed': "a chart version like 'v0.7.0'",
            },
          },
        },
        keda: {
          type: 'object',
          description: 'KEDA (chart keda from https://kedacore.github.io/charts), in namespace keda: scales served models that declare autoscaling, on their metrics from GKE Managed Prometheus.',
          additionalProperties: false,
          default: {},
          properties: {
            chartVersion: {
              type: 'string', default: '2.20.2',
              description: 'Pinned chart version; the manifests use the keda.sh/v1alpha1 API. Default: 2.20.2.',
              pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$',
              'x-allowed': "a chart version like '2.20.2'",
            },
          },
        },
        kedaHttp: {
          type: 'object',
          description: "KEDA's HTTP add-on (chart keda-add-ons-http from https://kedacore.github.io/charts), in namespace keda: its interceptor wakes a model scaled to zero on its first request.",
          additionalProperties: false,
          default: {},
          properties: {
            chartVersion: {
              type: 'string', default: '0.15.0',
              description: 'Pinned chart version; the manifests use the http.keda.sh/v1alpha1 API. Default: 0.15.0.',
              pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$',
              'x-allowed': "a chart version like '0.15.0'",
            },
          },
        },
        airflow: {
          type: 'object',
          description: "Apache Airflow (chart airflow from https://airflow.apache.org), in namespace llm-shared, reached as airflow.llm-shared:8080.",
          additionalProperties: false,
          default: {},
          properties: {
            chartVersion: {
              type: 'string', default: '1.15.0',
              description: "Pinned chart version. 1.15.0 runs Airflow 2.9, whose /api/v1 the guide's Jenkinsfile calls. Default: 1.15.0.",
              pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$',
              'x-allowed': "a chart version like '1.15.0'",
            },
          },
        },
      },
    },
    shared: {
      type: 'object',
      description: 'Sizing of the shared layer in namespace llm-shared.',
      additionalProperties: false,
      default: {},
      properties: {
        gatewayReplicas: {
          type: 'integer', minimum: 1, maximum: 20, default: 2,
          description: "Replicas of the gateway's Envoy proxy (Deployment llm-gateway in envoy-gateway-system), the only way into inference servers. Default: 2.",
          'x-allowed': 'a whole number from 1 to 20',
        },
        mlflow: resources('mlflow-common (guide: 500m/2 CPU, 1Gi/4Gi memory)', { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '4Gi', diskRequest: '1Gi', diskLimit: '4Gi' }),
        console: resources('prompt-console (guide: 500m/2 CPU, 1Gi/4Gi memory)', { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '4Gi', diskRequest: '1Gi', diskLimit: '2Gi' }),
        gateway: resources("each replica of the gateway's Envoy proxy", { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '256Mi', memoryLimit: '512Mi', diskRequest: '512Mi', diskLimit: '1Gi' }),
        strapi: resources('strapi', { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi', diskRequest: '1Gi', diskLimit: '4Gi' }),
      },
    },
  },
} as const;
