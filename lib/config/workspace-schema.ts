import { bytes, cpu, DNS_1035_LABEL_PATTERN, DNS_LABEL_PATTERN, resources } from './schema-parts';

/** Longest workspace name: the namespace `llm-workspace-<name>` must fit in 63 characters. */
export const MAX_WORKSPACE_NAME = 63 - 'llm-workspace-'.length;

/** Longest model name: the Service `llama-inference-<name>` must fit in 63 characters. */
export const MAX_MODEL_NAME = 63 - 'llama-inference-'.length;

/** The quota's limits of CPU and memory are this many times its requests (servers burst). */
export const LIMIT_OVER_REQUEST = 2;

/** Schema of one model served by the workspace. */
const servedModel = {
  type: 'object',
  description: 'A model the workspace serves through the gateway: one inference Deployment and Service.',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: {
      type: 'string',
      description: `Model id on the gateway, and the suffix of the inference object names when the workspace serves more than one model. At most ${MAX_MODEL_NAME} characters.`,
      pattern: DNS_1035_LABEL_PATTERN,
      maxLength: MAX_MODEL_NAME,
      examples: ['ft-llama3-8b-v1'],
      'x-allowed': `a DNS label of at most ${MAX_MODEL_NAME} characters: lowercase letters, digits and '-', starting with a letter`,
    },
    registeredModel: {
      type: 'string',
      description: "Name of the model in the workspace's MLflow registry. Default: the model's name.",
      maxLength: 256,
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
      'x-allowed': "an MLflow model name of letters, digits, '.', '_' and '-', starting with a letter or digit",
    },
    version: {
      type: 'string',
      description: "Registered version to serve: a version number, or 'latest'. Default: latest.",
      pattern: '^(latest|[1-9][0-9]*)$',
      default: 'latest',
      'x-allowed': "'latest' or a version number like '3'",
    },
    template: {
      type: 'string',
      description: "LLaMA-Factory chat template the model was trained with (like llama3, qwen, mistral). Not used to serve: vLLM applies the chat template the model's tokenizer carries (LLaMA-Factory's export writes it). Default: llama3.",
      pattern: '^[a-z0-9_.-]+$',
      default: 'llama3',
      'x-allowed': "a LLaMA-Factory template name like 'llama3' or 'qwen'",
    },
    gpus: {
      type: 'integer',
      description: 'GPUs per replica (nvidia.com/gpu). Default: 1.',
      minimum: 1,
      maximum: 16,
      default: 1,
      'x-allowed': 'a whole number of GPUs from 1 to 16',
    },
    accelerator: {
      type: 'string',
      description: 'GKE accelerator the replicas must run on (node label cloud.google.com/gke-accelerator), like nvidia-tesla-a100 or nvidia-l4. Default: any GPU node.',
      pattern: '^nvidia-[a-z0-9-]+$',
      'x-allowed': "a GKE accelerator name like 'nvidia-tesla-a100' or 'nvidia-l4'",
    },
    maxModelLen: {
      type: 'integer',
      description: "Longest context (prompt and answer, in tokens) the server accepts (vLLM's --max-model-len). vLLM reserves KV cache for it: a model's full context (128k for some) may not fit its GPUs. Default: 4096, LLaMA-Factory's.",
      minimum: 256,
      maximum: 1048576,
      default: 4096,
      'x-allowed': 'a number of tokens from 256 to 1048576',
    },
    replicas: {
      type: 'integer',
      description: 'Inference replicas, each with its own GPUs, when the model does not autoscale. Default: 1.',
      minimum: 0,
      maximum: 32,
      default: 1,
      'x-allowed': 'a whole number from 0 to 32',
    },
    canary: {
      type: 'object',
      description: "A second registered version served beside 'version', taking 'weight' percent of the model's requests (the gateway splits them). Add it at weight 0 and raise the weight once its pods are ready; promote it with weight 100; then set 'version' to its version (the main replicas restart with no requests), set weight 0 once they are ready, and remove this block. npm run diff flags a step that would send requests to pods that are not there.",
      additionalProperties: false,
      required: ['version'],
      properties: {
        version: {
          type: 'string',
          description: 'Registered version of the canary: a version number.',
          pattern: '^[1-9][0-9]*$',
          'x-allowed': "a version number like '4'",
        },
        weight: {
          type: 'integer', minimum: 0, maximum: 100, default: 0,
          description: "Percent of the model's requests the canary gets; the rest go to 'version'. Default: 0 (it starts with none: its pods load first).",
          'x-allowed': 'a whole percent from 0 to 100',
        },
        replicas: {
          type: 'integer', minimum: 1, maximum: 8, default: 1,
          description: "Replicas of the canary, each with the model's GPUs (the quota counts them). Default: 1.",
          'x-allowed': 'a whole number from 1 to 8',
        },
      },
    },
    autoscaling: {
      type: 'object',
      description: "Replicas follow the load instead of 'replicas' (KEDA, from GKE Managed Prometheus): between min and max, on vLLM's waiting requests or KV-cache usage. With min 0 an idle model gives its GPUs back after idleMinutes, and the first request wakes it: it waits up to 30 s, then gets 503 with Retry-After until the model is ready. The quota counts max replicas.",
      additionalProperties: false,
      required: ['max'],
      properties: {
        min: { type: 'integer', minimum: 0, maximum: 32, default: 1, description: 'Fewest replicas; 0 scales an idle model away. Default: 1.', 'x-allowed': 'a whole number from 0 to 32' },
        max: { type: 'integer', minimum: 1, maximum: 32, description: 'Most replicas; the quota must hold their GPUs.', 'x-allowed': 'a whole number from 1 to 32' },
        metric: {
          type: 'string', enum: ['waitingRequests', 'kvCacheUsage'], default: 'waitingRequests',
          description: "What replicas are added for: requests waiting for a slot (vllm:num_requests_waiting) or the share of KV cache in use (vllm:gpu_cache_usage_perc), summed over replicas. Default: waitingRequests.",
        },
        target: {
          type: 'number', exclusiveMinimum: 0, maximum: 1000,
          description: 'The metric each replica should carry: waiting requests (default 5), or a KV-cache share from 0 to 1 (default 0.8).',
          'x-allowed': 'a positive number: waiting requests per replica, or a KV-cache share up to 1',
        },
        idleMinutes: {
          type: 'integer', minimum: 5, maximum: 1440, default: 30,
          description: 'With min 0: minutes without a request before the model scales to zero. Default: 30.',
          'x-allowed': 'a whole number of minutes from 5 to 1440',
        },
      },
    },
    cacheSize: bytes("Size of the volume each replica downloads its model into: its own, made and deleted with the replica (storage.podVolumeClass), so replicas on different nodes never share one. A 7-8B model in bf16 takes about 16Gi, a 70B one about 140Gi.", '100Gi'),
    resources: resources('each inference replica (guide: 16Gi/32Gi memory; vLLM and its compilers cache in /tmp)', { cpuRequest: '4', cpuLimit: '8', memoryRequest: '16Gi', memoryLimit: '32Gi', diskRequest: '4Gi', diskLimit: '20Gi' }),
    gateway: {
      type: 'object',
      description: "The model's record in the gateway (Strapi's model registry): model_id is the model's name, endpoint its Service.",
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true, description: 'Route requests to the model. Default: true.' },
        rateLimit: {
          type: 'integer', minimum: 1, maximum: 1000000, default: 100,
          description: 'Requests per minute the gateway lets through to the model from each client (rate_limit). Default: 100 (the guide\'s).',
          'x-allowed': 'a whole number from 1 to 1000000',
        },
        tokensPerMinute: {
          type: 'integer', minimum: 1, maximum: 1000000000,
          description: 'Tokens (prompt and completion) per minute the gateway lets each client use on the model, counted from the answers. Default: no token limit.',
          'x-allowed': 'a whole number from 1 to 1000000000',
        },
        allowedClients: {
          type: 'array',
          description: "Clients that may call the model (allowed_clients); each must be in platform.yaml's clients. Default: none.",
          default: [],
          uniqueItems: true,
          items: { type: 'string', pattern: DNS_LABEL_PATTERN, maxLength: 63, 'x-allowed': "a client name like 'app-search'" },
        },
      },
    },
  },
} as const;

/** Schema of one training run. */
const trainingRun = {
  type: 'object',
  description: 'One fine-tuning run: a Job that trains with a config of the workspace, logs the output to its MLflow and registers the model.',
  additionalProperties: false,
  required: ['id', 'config', 'registeredModel'],
  properties: {
    id: {
      type: 'string',
      description: 'Run id; its Job (or JobSet) is llama-fine-tune-<id>-<hash of what it trains>, so changing its config, base model or size makes a new run.',
      pattern: DNS_LABEL_PATTERN,
      maxLength: 40,
      'x-allowed': "a DNS label of at most 40 characters, like 'v1' or '2024-06-01'",
    },
    config: {
      type: 'string',
      description: 'Training config file in workspaces/<name>/training/.',
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*\\.ya?ml$',
      'x-allowed': "a file name like 'train_config_v1.yaml'",
    },
    registeredModel: {
      type: 'string',
      description: "Name to register the trained model under in the workspace's MLflow.",
      maxLength: 256,
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
      'x-allowed': "an MLflow model name of letters, digits, '.', '_' and '-'",
    },
    baseModel: {
      type: 'object',
      description: "Registered model in mlflow-common to start from (the guide's llama-3-8b-base), at a pinned version: downloaded before training and given to the trainer as model_name_or_path, so a later version registered under the same name never changes what a run trains on. Default: the config's model_name_or_path as it is.",
      additionalProperties: false,
      required: ['name', 'version'],
      properties: {
        name: {
          type: 'string',
          description: 'Name of the model in mlflow-common.',
          maxLength: 256,
          pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
          'x-allowed': "an MLflow model name of letters, digits, '.', '_' and '-'",
        },
        version: {
          type: 'integer', minimum: 1,
          description: 'Registered version to start from (not latest).',
          'x-allowed': "a version number like 3 ('latest' is not pinned)",
        },
      },
    },
    gpus: {
      type: 'integer', minimum: 1, maximum: 16, default: 1,
      description: "GPUs on each node of the run (nvidia.com/gpu): a count the accelerator's nodes come with (platform.yaml training.accelerators). More than one runs under torchrun, one process per GPU. Default: 1.",
      'x-allowed': 'a whole number of GPUs from 1 to 16',
    },
    nodes: {
      type: 'integer', minimum: 1, maximum: 64, default: 1,
      description: 'Nodes of the run. More than one runs as one JobSet: a pod per node, started together, with a stable rendezvous (NNODES, NODE_RANK, MASTER_ADDR, MASTER_PORT). Default: 1.',
      'x-allowed': 'a whole number of nodes from 1 to 64',
    },
    accelerator: {
      type: 'string',
      description: "GKE accelerator to run on (cloud.google.com/gke-accelerator), one of platform.yaml's training.accelerators. Default: whichever of them Kueue finds room on.",
      pattern: '^nvidia-[a-z0-9-]+$',
      'x-allowed': "a GKE accelerator name like 'nvidia-tesla-a100'",
    },
    priority: {
      type: 'string',
      enum: ['low', 'normal', 'high'],
      default: 'normal',
      description: "Order among the team's runs waiting in its queue (Kueue WorkloadPriorityClass llm-training-<priority>); a higher one may preempt a lower one of the same team. Inference always outranks training. Default: normal.",
    },
    scratchSize: bytes("Size of the volume of its own a one-node run downloads its base model into and writes its checkpoints to, when the workspace volume is ReadWriteOnce (made and deleted with its pod; the trained model is kept in MLflow). Runs on a ReadWriteMany volume use that one.", '200Gi'),
    resources: resources('the training container (the DAG\'s: 8/16 CPU, 32Gi/64Gi memory; Hugging Face caches its tokenized data sets in /tmp)', { cpuRequest: '8', cpuLimit: '16', memoryRequest: '32Gi', memoryLimit: '64Gi', diskRequest: '20Gi', diskLimit: '100Gi' }),
  },
} as const;

/** Schema of a list of people: Google Groups or users, written as IAM writes them. */
function people(description: string) {
  return {
    type: 'array',
    description: `${description} Each entry is 'group:<email>' (a Google Group; GKE's Google Groups for RBAC must be set up) or 'user:<email>'. Default: none.`,
    default: [],
    maxItems: 50,
    uniqueItems: true,
    items: {
      type: 'string',
      pattern: '^(user|group):[^@\\s:]+@[^@\\s:]+\\.[a-z]{2,}$',
      maxLength: 254,
      'x-allowed': "'group:<email>' or 'user:<email>', like 'group:ml-team-alpha@example.com'",
    },
  } as const;
}

/**
 * JSON Schema of `workspaces/<name>.yaml`: one team's workspace.
 * Written out to `schemas/workspace.schema.json` for editors by `npm run synth`.
 */
export const workspaceSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://llm-platform.local/schemas/workspace.schema.json',
  title: 'LLM platform workspace',
  description: "One team's workspace: namespace llm-workspace-<name> with its MLflow, LLaMA-Factory web UI, model storage and inference servers. Only 'name' is required.",
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: {
      type: 'string',
      description: `Workspace name; the file must be called <name>.yaml. Names the namespace llm-workspace-<name>, the GCP service account llm-ws-<name>, the MLflow database mlflow_<name> and bucket <project>-mlflow-<name>. At most ${MAX_WORKSPACE_NAME} characters.`,
      pattern: DNS_LABEL_PATTERN,
      maxLength: MAX_WORKSPACE_NAME,
      examples: ['team-alpha'],
      'x-allowed': `a DNS-1123 label of at most ${MAX_WORKSPACE_NAME} characters (namespace llm-workspace-<name> is limited to 63): lowercase letters, digits and '-', starting and ending with a letter or digit`,
    },
    members: people('People who work in the workspace: they read its pods, logs, events, Deployments, Jobs, Services and ConfigMaps and port-forward to its servers (the web UI, MLflow), and nothing else: no Secrets, no External Secrets kinds, no RBAC, no exec or attach.'),
    admins: people('People who look after the workspace: what members may, and also restart its servers (rollout restart) and delete its pods and Jobs.'),
    state: {
      type: 'string',
      enum: ['active', 'suspended'],
      default: 'active',
      description: "'suspended' scales every server of the workspace to zero and keeps all its data (the guide's decommissioning, 7.3); 'active' runs it. Default: active.",
    },
    gcpServiceAccount: {
      type: 'string',
      description: "GCP service account email the workspace acts as (Workload Identity): its pods and its secret store. It must be in the platform's project and belong to this workspace alone. Default: llm-ws-<name>@<project>.iam.gserviceaccount.com (the name cut with a hash past GCP's 30 characters).",
      pattern: '^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z][-a-z0-9]{4,28}[a-z0-9]\\.iam\\.gserviceaccount\\.com$',
      'x-allowed': "a service account email like 'team-alpha@my-project.iam.gserviceaccount.com'",
    },
    storage: {
      type: 'object',
      description: 'PersistentVolumeClaim model-storage-pvc for base models, checkpoints and outputs.',
      additionalProperties: false,
      default: {},
      properties: {
        size: bytes('Requested size.', '200Gi'),
        storageClassName: {
          type: 'string',
          description: 'StorageClass of the claim. Default: premium-rwo (GKE SSD persistent disk).',
          pattern: DNS_LABEL_PATTERN,
          maxLength: 253,
          default: 'premium-rwo',
          'x-allowed': "a StorageClass name like 'premium-rwo'",
        },
        accessMode: {
          type: 'string',
          enum: ['ReadWriteOnce', 'ReadWriteMany'],
          description: 'Access mode. ReadWriteOnce (the guide) attaches to one node: only the web UI mounts it, and every inference replica and one-node run gets a volume of its own. ReadWriteMany (a Filestore class like standard-rwx) is shared by the web UI and the runs, which keep their checkpoints and outputs on it; runs of several nodes need it. Default: ReadWriteOnce.',
          default: 'ReadWriteOnce',
        },
        podVolumeClass: {
          type: 'string',
          description: 'StorageClass of the volumes each GPU pod gets of its own (an inference replica\'s model, a one-node run\'s base model and checkpoints on a ReadWriteOnce workspace), made and deleted with the pod. Default: premium-rwo.',
          pattern: DNS_LABEL_PATTERN,
          maxLength: 253,
          default: 'premium-rwo',
          'x-allowed': "a StorageClass name like 'premium-rwo'",
        },
      },
    },
    mlflow: {
      type: 'object',
      description: "The workspace's MLflow tracking server. Its database is mlflow_<name> on the platform's Cloud SQL instance and its artifacts go to the bucket <project>-mlflow-<name> (cut with a hash past 63 characters): derived from the name, so that a workspace stores only in its own.",
      additionalProperties: false,
      default: {},
      properties: {
        resources: resources('the MLflow server', { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '4Gi', diskRequest: '1Gi', diskLimit: '4Gi' }),
      },
    },
    webui: {
      type: 'object',
      description: 'LLaMA-Factory web UI for interactive fine-tuning (port 7860).',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: {
          type: 'boolean',
          description: 'Run the web UI. Default: true.',
          default: true,
        },
        resources: resources('the web UI (guide: 2/4 CPU, 8Gi/16Gi memory; its /workspace is scratch)', { cpuRequest: '2', cpuLimit: '4', memoryRequest: '8Gi', memoryLimit: '16Gi', diskRequest: '4Gi', diskLimit: '20Gi' }),
      },
    },
    training: {
      type: 'object',
      description: 'Fine-tuning runs. Their configs are the files of workspaces/<name>/training/, which all go to the ConfigMap training-configs.',
      additionalProperties: false,
      default: {},
      properties: {
        datasets: {
          type: 'array',
          description: "Data sets of the workspace's data bucket (<project>-data-<name>, mounted read only at /data in every run, LLaMA-Factory's dataset_dir): the names its dataset_info.json declares. When given, a config that names another is refused. Default: none (not checked).",
          default: [],
          maxItems: 200,
          uniqueItems: true,
          items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 128, 'x-allowed': "a data set name like 'alpaca_en'" },
        },
        runs: {
          type: 'array',
          description: 'Runs to start; each becomes a Job. Keep a finished run here only as long as its Job should exist. Default: none.',
          default: [],
          maxItems: 50,
          items: trainingRun,
        },
      },
    },
    quota: {
      type: 'object',
      description: "What the workspace may use at most (its ResourceQuota): all its servers, training jobs and pods together. Synth fails when the servers declared here already ask for more.",
      additionalProperties: false,
      default: {},
      properties: {
        gpus: {
          type: 'integer', minimum: 0, maximum: 256, default: 2,
          description: "GPUs (requests.nvidia.com/gpu) for inference and training together. What the servers do not hold is the team's nominal quota in its Kueue queue, lent to other teams while idle. Default: 2.",
          'x-allowed': 'a whole number of GPUs from 0 to 256',
        },
        borrowGpus: {
          type: 'integer', minimum: 0, maximum: 256, default: 0,
          description: "GPUs the team's training runs may borrow from other teams' idle quota (the Kueue queue's borrowing limit), given back by preemption when their owners need them. The namespace allows gpus + borrowGpus. Default: 0.",
          'x-allowed': 'a whole number of GPUs from 0 to 256',
        },
        cpu: cpu('CPU requested by all pods together (requests.cpu); limits may reach twice this.', '32'),
        memory: bytes('Memory requested by all pods together (requests.memory); limits may reach twice this.', '256Gi'),
        storage: bytes('Storage requested by all volume claims together (requests.storage).', '1Ti'),
        ephemeralStorage: bytes('Local disk (ephemeral-storage) requested by all pods together (requests.ephemeral-storage); limits may reach twice this.', '200Gi'),
        persistentVolumeClaims: {
          type: 'integer', minimum: 1, maximum: 100, default: 16,
          description: "Volume claims at once: model-storage-pvc, each inference replica's own, a running run's own (on a ReadWriteOnce workspace). Default: 16.",
          'x-allowed': 'a whole number from 1 to 100',
        },
      },
    },
    inference: {
      type: 'object',
      description: 'Inference servers (LLaMA-Factory API with the vLLM backend), reachable only through llm-gateway.',
      additionalProperties: false,
      default: {},
      properties: {
        models: {
          type: 'array',
          description: 'Models to serve. With one model the objects keep the guide\'s names (llama-factory-inference, llama-inference-internal); with more, each is suffixed with the model name (llama-factory-inference-<model>, llama-inference-<model>). Default: none.',
          default: [],
          maxItems: 32,
          items: servedModel,
        },
      },
    },
  },
} as const;
