import * as fs from 'fs';
import { WorkspaceFile } from '../lib/config/types';
import { Manifest } from '../lib/output/render';
import { synthWorkspace } from '../lib/synth';
import { all, asYaml, container, env, find, podSpec, sandbox } from './helpers';

/** Every field of T required, all the way down: a new schema field breaks compilation here until it is tested. */
type Complete<T> = T extends readonly (infer U)[] ? Complete<U>[] : T extends object ? { [K in keyof T]-?: Complete<T[K]> } : T;

type ServedModelFile = NonNullable<NonNullable<WorkspaceFile['inference']>['models']>[number];

/** Every field, but 'replicas' beside 'autoscaling', which a rule refuses (the full model autoscales; replicas are tested with the others). */
type AllFields = Omit<Complete<WorkspaceFile>, 'inference'> & { inference: { models: Complete<Omit<ServedModelFile, 'replicas'>>[] } };

const ALL_FIELDS: AllFields = {
  name: 'team-full',
  members: ['group:ml-team-full@example.com', 'user:ana@example.com'],
  admins: ['user:lead@example.com'],
  state: 'active',
  gcpServiceAccount: 'team-full@your-gcp-project.iam.gserviceaccount.com',
  storage: { size: '500Gi', storageClassName: 'standard-rwx', accessMode: 'ReadWriteMany', podVolumeClass: 'premium-rwo-regional' },
  mlflow: {
    resources: { cpu: { request: '1', limit: '3' }, memory: { request: '2Gi', limit: '6Gi' }, ephemeralStorage: { request: '2Gi', limit: '5Gi' } },
  },
  webui: {
    enabled: true,
    resources: { cpu: { request: '3', limit: '6' }, memory: { request: '12Gi', limit: '24Gi' }, ephemeralStorage: { request: '3Gi', limit: '30Gi' } },
  },
  quota: { gpus: 8, borrowGpus: 4, cpu: '64', memory: '512Gi', ephemeralStorage: '300Gi', storage: '800Gi', persistentVolumeClaims: 6 },
  inference: {
    models: [{
      name: 'chat',
      registeredModel: 'ft-chat-model',
      version: '7',
      template: 'qwen',
      gpus: 2,
      maxModelLen: 32768,
      accelerator: 'nvidia-l4',
      autoscaling: { min: 1, max: 3, metric: 'kvCacheUsage', target: 0.7, idleMinutes: 60 },
      canary: { version: '8', weight: 20, replicas: 1 },
      cacheSize: '60Gi',
      resources: { cpu: { request: '6', limit: '12' }, memory: { request: '48Gi', limit: '96Gi' }, ephemeralStorage: { request: '8Gi', limit: '40Gi' } },
      gateway: { enabled: false, rateLimit: 30, tokensPerMinute: 5000, allowedClients: ['app-search'] },
    }],
  },
  training: {
    datasets: ['qa', 'support-chats'],
    runs: [{
      id: 'run-1',
      config: 'sft.yaml',
      registeredModel: 'ft-chat-model',
      baseModel: { name: 'qwen-base', version: 2 },
      gpus: 2,
      nodes: 1,
      priority: 'high',
      scratchSize: '300Gi',
      accelerator: 'nvidia-tesla-a100',
      resources: { cpu: { request: '4', limit: '8' }, memory: { request: '16Gi', limit: '32Gi' }, ephemeralStorage: { request: '50Gi', limit: '200Gi' } },
    }],
  },
};

/** A training config the trainer accepts. */
export const SFT_CONFIG = 'model_name_or_path: /models/base-model\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: qa\ntemplate: qwen\noutput_dir: /output/sft\n';

/** Synthesizes one workspace file through the real loader (defaults from the schema), with one training config. */
function synth(file: string | object, name = typeof file === 'string' ? 'team-min' : (file as { name: string }).name): Manifest[] {
  const box = sandbox({ [`${name}.yaml`]: file, [`${name}/training/sft.yaml`]: SFT_CONFIG });
  try {
    const inputs = box.load();
    return synthWorkspace(inputs.platform, inputs.workspaces[0], inputs.trainingConfigs[name]);
  } finally {
    fs.rmSync(box.dir, { recursive: true, force: true });
  }
}

const minimal = synth('name: team-min\n');
const full = synth(ALL_FIELDS);

describe('snapshots', () => {
  test('minimal workspace', () => expect(asYaml(minimal)).toMatchSnapshot());
  test('workspace with every field set', () => expect(asYaml(full)).toMatchSnapshot());
});

describe('namespace and identity', () => {
  test('namespace llm-workspace-<name> carries workspace=<name>', () => {
    const ns = find(minimal, 'Namespace', 'llm-workspace-team-min');
    expect(ns.metadata.labels.workspace).toBe('team-min');
    // Everything else is in its namespace, but its GCP side, which is in llm-gcp (teams cannot write it).
    const gcpSide = minimal.filter((o) => o.metadata.namespace === 'llm-gcp');
    expect(gcpSide.filter((o) => !/^wss?-team-min-/.test(o.metadata.name) || (o.metadata.labels as Record<string, string>)['app.kubernetes.io/instance'] !== 'team-min')).toEqual([]);
    expect(gcpSide.length).toBe(15);
    // And its queue, cluster-scoped as Kueue's ClusterQueues are, for its namespace only.
    const queue = find(minimal, 'ClusterQueue', 'llm-workspace-team-min');
    expect(queue.metadata.namespace).toBeUndefined();
    expect(queue.spec.namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'llm-workspace-team-min' } });
    for (const m of minimal.filter((o) => o.kind !== 'Namespace' && o !== queue && !gcpSide.includes(o))) expect(m.metadata.namespace).toBe('llm-workspace-team-min');
  });

  test('llm-workload-sa is bound to the workspace\'s own GCP account, derived from its name', () => {
    expect(find(minimal, 'ServiceAccount', 'llm-workload-sa').metadata.annotations['iam.gke.io/gcp-service-account'])
      .toBe('llm-ws-team-min@your-gcp-project.iam.gserviceaccount.com');
  });

  test('a long name gives a GCP account id of at most 30 characters, cut with a hash, different for each name', () => {
    const long = (n: string) => find(synth({ name: n }), 'ServiceAccount', 'llm-workload-sa').metadata.annotations['iam.gke.io/gcp-service-account'].split('@')[0];
    const [a, b] = [long('team-with-a-rather-long-name-one'), long('team-with-a-rather-long-name-two')];
    expect(a).toMatch(/^llm-ws-team-with-a-rath-[0-9a-f]{6}$/);
    expect(a.length).toBe(30);
    expect(b).not.toBe(a);
  });

  test('a workspace may name its own GCP account', () => {
    expect(find(full, 'ServiceAccount', 'llm-workload-sa').metadata.annotations['iam.gke.io/gcp-service-account'])
      .toBe('team-full@your-gcp-project.iam.gserviceaccount.com');
  });
});

describe('model storage', () => {
  test('model-storage-pvc defaults to the guide: 200Gi premium-rwo ReadWriteOnce', () => {
    expect(find(minimal, 'PersistentVolumeClaim', 'model-storage-pvc').spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'premium-rwo',
      resources: { requests: { storage: '200Gi' } },
    });
  });

  test('size, class and access mode are overridable', () => {
    expect(find(full, 'PersistentVolumeClaim', 'model-storage-pvc').spec).toEqual({
      accessModes: ['ReadWriteMany'],
      storageClassName: 'standard-rwx',
      resources: { requests: { storage: '500Gi' } },
    });
  });
});

describe('mlflow', () => {
  test('uses database mlflow_<name> and bucket <project>-mlflow-<name>', () => {
    const mlflow = container(podSpec(find(minimal, 'Deployment', 'mlflow')), 'mlflow');
    expect(mlflow.args).toContain('--backend-store-uri=postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@10.0.0.5:5432/mlflow_team-min');
    expect(mlflow.args).toContain('--artifacts-destination=gs://your-gcp-project-mlflow-team-min/artifacts');
    expect(podSpec(find(minimal, 'Deployment', 'mlflow')).serviceAccountName).toBe('llm-workload-sa');
    expect(find(minimal, 'Service', 'mlflow').spec.ports[0]).toMatchObject({ port: 5000, targetPort: 5000 });
  });

  test('resources are overridable; the database and bucket are always the workspace\'s own', () => {
    const mlflow = container(podSpec(find(full, 'Deployment', 'mlflow')), 'mlflow');
    expect(mlflow.args).toContain('--backend-store-uri=postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@10.0.0.5:5432/mlflow_team-full');
    expect(mlflow.args).toContain('--artifacts-destination=gs://your-gcp-project-mlflow-team-full/artifacts');
    expect(mlflow.resources).toEqual({ requests: { 'cpu': '1', 'memory': '2Gi', 'ephemeral-storage': '2Gi' }, limits: { 'cpu': '3', 'memory': '6Gi', 'ephemeral-storage': '5Gi' } });
  });

  test('a bucket name past GCS\'s 63 characters is cut with a hash of the workspace name', () => {
    const name = `t${'x'.repeat(47)}a`;
    const args = container(podSpec(find(synth({ name }), 'Deployment', 'mlflow')), 'mlflow').args as string[];
    const bucket = /^--artifacts-destination=gs:\/\/([^/]+)\/artifacts$/.exec(args.find((a) => a.startsWith('--artifacts-destination='))!)![1];
    expect(bucket).toMatch(/^your-gcp-project-mlflow-tx+-[0-9a-f]{6}$/);
    expect(bucket.length).toBe(63);
  });

  test('the workspace reads its secrets through a store of its own, as a GCP identity of its own that its pods do not have', () => {
    const store = find(minimal, 'SecretStore', 'workspace-secrets');
    expect(store.metadata.namespace).toBe('llm-workspace-team-min');
    expect(store.spec.provider).toEqual({ gcpsm: { projectID: 'your-gcp-project', auth: { workloadIdentity: { serviceAccountRef: { name: 'secret-store' } } } } });
    const account = find(minimal, 'ServiceAccount', 'secret-store');
    expect(account.metadata.annotations['iam.gke.io/gcp-service-account']).toBe('llm-wss-team-min@your-gcp-project.iam.gserviceaccount.com');
    expect(find(minimal, 'ServiceAccount', 'llm-workload-sa').metadata.annotations['iam.gke.io/gcp-service-account']).toBe('llm-ws-team-min@your-gcp-project.iam.gserviceaccount.com');
    expect(account.automountServiceAccountToken).toBe(false);
    expect(find(minimal, 'ExternalSecret', 'mlflow-db-secret').spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: 'workspace-secrets' });
    expect(minimal.filter((o) => o.kind === 'ClusterSecretStore')).toEqual([]);
  });

  test('credentials come from the workspace secret in Secret Manager', () => {
    expect(find(minimal, 'ExternalSecret', 'mlflow-db-secret').spec.data.map((d: any) => d.remoteRef.key))
      .toEqual(['llm-platform-mlflow-db-team-min', 'llm-platform-mlflow-db-team-min']);
  });

  test('the MLflow URIs are plain settings in a ConfigMap', () => {
    expect(find(minimal, 'ConfigMap', 'mlflow-config').data).toEqual({
      MLFLOW_TRACKING_URI: 'http://mlflow.llm-workspace-team-min.svc.cluster.local:5000',
      MLFLOW_COMMON_URI: 'http://mlflow-common-read.llm-shared.svc.cluster.local:8080',
      // Model files move to and from GCS directly: in chunks, each request with its own timeout.
      MLFLOW_GCS_UPLOAD_CHUNK_SIZE: '104857600',
      MLFLOW_GCS_DOWNLOAD_CHUNK_SIZE: '104857600',
      MLFLOW_ARTIFACT_UPLOAD_DOWNLOAD_TIMEOUT: '600',
    });
  });
});

describe('web UI', () => {
  test('llama-factory-webui listens on 7860 with the model volume and a scratch workspace', () => {
    const deployment = find(minimal, 'Deployment', 'llama-factory-webui');
    const webui = container(podSpec(deployment), 'webui');
    expect(webui.image).toBe('eu.gcr.io/your-gcp-project/llama-factory-train:v1.0.0');
    expect(webui.ports[0].containerPort).toBe(7860);
    expect(webui.envFrom).toEqual([{ configMapRef: { name: 'mlflow-config' } }]);
    expect(webui.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'workspace', mountPath: '/workspace' },
      { name: 'models', mountPath: '/models' },
    ]));
    expect(podSpec(deployment).volumes).toEqual(expect.arrayContaining([
      { name: 'workspace', emptyDir: { sizeLimit: '20Gi' } },
      { name: 'models', persistentVolumeClaim: { claimName: 'model-storage-pvc' } },
    ]));
    expect(webui.resources).toEqual({ requests: { 'cpu': '2', 'memory': '8Gi', 'ephemeral-storage': '4Gi' }, limits: { 'cpu': '4', 'memory': '16Gi', 'ephemeral-storage': '20Gi' } });
    expect(find(minimal, 'Service', 'llama-factory-webui').spec.ports[0]).toMatchObject({ port: 7860, targetPort: 7860 });
  });

  test('runs in /workspace and keeps its training outputs on the model volume', () => {
    const webui = container(podSpec(find(minimal, 'Deployment', 'llama-factory-webui')), 'webui');
    expect(webui.args[0]).toContain('ln -sfn /models/saves /workspace/saves');
    expect(webui.args[0]).toContain('cd /workspace && exec llamafactory-cli webui');
    expect(env(webui, 'GRADIO_SERVER_NAME')).toBe('0.0.0.0');
  });

  test('is left out when disabled', () => {
    const none = synth({ name: 'team-x', webui: { enabled: false } });
    expect(none.filter((m) => m.metadata.name === 'llama-factory-webui')).toEqual([]);
  });
});

describe('inference', () => {
  const one = synth({ name: 'team-one', inference: { models: [{ name: 'ft-llama3-8b-v1' }] } });
  const two = synth({ name: 'team-two', quota: { gpus: 3 }, inference: { models: [{ name: 'alpha', gpus: 2 }, { name: 'beta', accelerator: 'nvidia-l4' }] } });

  test('a single model keeps the guide names', () => {
    expect(find(one, 'Deployment', 'llama-factory-inference').metadata.labels.app).toBe('llama-infer');
    expect(find(one, 'Service', 'llama-inference-internal').spec.ports).toEqual([{ name: 'http', port: 8000, targetPort: 8000, protocol: 'TCP' }]);
  });

  test('a single model\'s selector does not name the model, so serving another model is an update, not an immutable-field error', () => {
    const deployment = find(one, 'Deployment', 'llama-factory-inference');
    expect(deployment.spec.selector.matchLabels).toEqual({ app: 'llama-infer' });
    expect(deployment.spec.template.metadata.labels['llm-platform/model']).toBe('ft-llama3-8b-v1');
    const other = synth({ name: 'team-one', inference: { models: [{ name: 'ft-llama3-8b-v2' }] } });
    expect(find(other, 'Deployment', 'llama-factory-inference').spec.selector).toEqual(deployment.spec.selector);
    expect(find(one, 'Service', 'llama-inference-internal').spec.selector).toEqual({ app: 'llama-infer' });
  });

  test('serves under the gateway model id and gives vLLM shared memory', () => {
    const spec = podSpec(find(two, 'Deployment', 'llama-factory-inference-alpha'));
    const inference = container(spec, 'inference');
    expect(inference.args).toContain('--served-model-name=alpha');
    expect(inference.volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
    // Shared memory counts as the container's memory: bounded by its request.
    expect(spec.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '16Gi' } });
  });

  test('each model downloads into a folder of its own, named by its DNS-safe name', () => {
    const paths = ['alpha', 'beta'].map((m) => env(container(podSpec(find(two, 'Deployment', `llama-factory-inference-${m}`)), 'model-loader'), 'MODEL_PATH'));
    expect(paths).toEqual(['/models/alpha', '/models/beta']);
  });

  test('several models get one suffixed Deployment and Service each, selecting only their own pods', () => {
    for (const model of ['alpha', 'beta']) {
      const deployment = find(two, 'Deployment', `llama-factory-inference-${model}`);
      const service = find(two, 'Service', `llama-inference-${model}`);
      expect(deployment.spec.template.metadata.labels).toMatchObject({ app: 'llama-infer', 'llm-platform/model': model });
      expect(service.spec.selector).toEqual({ app: 'llama-infer', 'llm-platform/model': model });
      expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
    }
    expect(all(two, 'Deployment').map((d) => d.metadata.name)).not.toContain('llama-factory-inference');
  });

  test('requests and limits the GPUs of each model, as numbers', () => {
    const inference = container(podSpec(find(two, 'Deployment', 'llama-factory-inference-alpha')), 'inference');
    expect(inference.resources.limits['nvidia.com/gpu']).toBe(2);
    expect(inference.resources.requests['nvidia.com/gpu']).toBe(2);
    const single = container(podSpec(find(one, 'Deployment', 'llama-factory-inference')), 'inference');
    expect(single.resources).toEqual({
      requests: { 'cpu': '4', 'memory': '16Gi', 'ephemeral-storage': '4Gi', 'nvidia.com/gpu': 1 },
      limits: { 'cpu': '8', 'memory': '32Gi', 'ephemeral-storage': '20Gi', 'nvidia.com/gpu': 1 },
    });
  });

  test('tolerates the GPU taint and selects the accelerator when one is named', () => {
    const alpha = podSpec(find(two, 'Deployment', 'llama-factory-inference-alpha'));
    const beta = podSpec(find(two, 'Deployment', 'llama-factory-inference-beta'));
    expect(alpha.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(alpha.nodeSelector).toBeUndefined();
    expect(beta.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
  });

  test('the model-loader init container downloads models:/<model>/latest from the workspace MLflow', () => {
    const spec = podSpec(find(one, 'Deployment', 'llama-factory-inference'));
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['model-loader']);
    const loader = container(spec, 'model-loader');
    expect(loader.image).toBe('eu.gcr.io/your-gcp-project/llama-factory-train:v1.0.0');
    expect(env(loader, 'MODEL_URI')).toBe('models:/ft-llama3-8b-v1/latest');
    expect(env(loader, 'MODEL_PATH')).toBe('/models/ft-llama3-8b-v1');
    expect(loader.envFrom).toEqual([{ configMapRef: { name: 'mlflow-config' } }]);
    expect(loader.args[0]).toContain('mlflow.artifacts.download_artifacts');
    // Into the replica's own volume (never the workspace's: replicas land on different nodes).
    expect(loader.volumeMounts).toContainEqual({ name: 'model-cache', mountPath: '/models' });
    expect(spec.volumes.find((v: any) => v.name === 'model-cache')).toEqual({
      name: 'model-cache',
      ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'premium-rwo', resources: { requests: { storage: '100Gi' } } } } },
    });
    expect(spec.volumes.map((v: any) => v.persistentVolumeClaim?.claimName).filter(Boolean)).toEqual([]);
  });

  test('serves the registered model and version that the file names', () => {
    const spec = podSpec(find(full, 'Deployment', 'llama-factory-inference'));
    expect(env(container(spec, 'model-loader'), 'MODEL_URI')).toBe('models:/ft-chat-model/7');
    expect(env(container(spec, 'model-loader'), 'MODEL_PATH')).toBe('/models/chat');
    expect(container(spec, 'inference').command).toEqual(['vllm', 'serve', '/models/chat']);
    // Its declared context, for which vLLM reserves the KV cache.
    expect(container(spec, 'inference').args).toContain('--max-model-len=32768');
    // Its replicas are the autoscaler's, between 1 and 3.
    expect(find(full, 'Deployment', 'llama-factory-inference').spec.replicas).toBeUndefined();
    expect(find(full, 'ScaledObject', 'llama-factory-inference').spec).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 3 });
    expect(spec.volumes.find((v: any) => v.name === 'model-cache').ephemeral.volumeClaimTemplate.spec).toMatchObject({ storageClassName: 'premium-rwo-regional', resources: { requests: { storage: '60Gi' } } });
  });

  test('runs vLLM\'s server from the API image on port 8000 (its metrics there too)', () => {
    const inference = container(podSpec(find(one, 'Deployment', 'llama-factory-inference')), 'inference');
    expect(inference.image).toBe('eu.gcr.io/your-gcp-project/llama-factory-api:v1.0.0');
    expect(inference.command[0]).toBe('vllm');
    expect(inference.args).toContain('--port=8000');
    expect(find(one, 'PodMonitoring', 'llama-factory-inference').spec.endpoints[0].path).toBe('/metrics');
  });

  test('gives a large model time to load before probes restart it', () => {
    const inference = container(podSpec(find(one, 'Deployment', 'llama-factory-inference')), 'inference');
    expect(inference.startupProbe.periodSeconds * inference.startupProbe.failureThreshold).toBeGreaterThanOrEqual(1800);
  });

  test('a workspace without models has no inference server', () => {
    expect(minimal.filter((m) => m.kind === 'Deployment').map((m) => m.metadata.name)).toEqual(['llama-factory-webui', 'mlflow']);
  });
});

describe('network policy', () => {
  test('allow-only-gateway admits to inference on 8000 only the Envoy proxies of Gateway llm-shared/llm-gateway, and the checks of llm-probes', () => {
    expect(find(minimal, 'NetworkPolicy', 'allow-only-gateway').spec).toEqual({
      podSelector: { matchLabels: { app: 'llama-infer' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } },
            podSelector: {
              matchLabels: {
                'app.kubernetes.io/name': 'envoy', 'app.kubernetes.io/component': 'proxy', 'app.kubernetes.io/managed-by': 'envoy-gateway',
                'gateway.envoyproxy.io/owning-gateway-name': 'llm-gateway', 'gateway.envoyproxy.io/owning-gateway-namespace': 'llm-shared',
              },
            },
          },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'llm-probes' } } },
        ],
        ports: [{ port: 8000, protocol: 'TCP' }],
      }],
    });
  });
});

describe('people', () => {
  test('nobody is granted anything unless named', () => {
    // Only Airflow (start runs) and the platform's kube-state-metrics (watch Jobs) get anything here.
    expect(minimal.filter((o) => ['Role', 'RoleBinding'].includes(o.kind)).map((o) => `${o.kind} ${o.metadata.name}`).sort()).toEqual([
      'Role airflow-run-launcher', 'Role llm-job-metrics', 'RoleBinding airflow-run-launcher', 'RoleBinding llm-job-metrics',
    ]);
    expect(find(minimal, 'Role', 'llm-job-metrics').rules).toEqual([{ apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list', 'watch'] }]);
    expect(find(minimal, 'RoleBinding', 'llm-job-metrics').subjects).toEqual([{ kind: 'ServiceAccount', name: 'llm-job-metrics', namespace: 'llm-shared' }]);
  });

  test('members read the workspace and port-forward to its servers; admins are members too', () => {
    const binding = find(full, 'RoleBinding', 'workspace-member');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'workspace-member' });
    expect(binding.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'ml-team-full@example.com' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ana@example.com' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'lead@example.com' },
    ]);
    const rules = find(full, 'Role', 'workspace-member').rules;
    const can = (verb: string, resource: string) => rules.some((r: any) => r.resources.includes(resource) && r.verbs.includes(verb));
    expect(['pods', 'pods/log', 'events', 'configmaps', 'deployments', 'jobs'].filter((r) => !can('list', r))).toEqual([]);
    expect(can('create', 'pods/portforward')).toBe(true);
    expect(['secrets', 'pods/exec', 'pods/attach', 'externalsecrets', 'secretstores', 'rolebindings'].filter((r) => can('get', r) || can('create', r))).toEqual([]);
    expect(can('create', 'pods')).toBe(false);
  });

  test('admins also restart servers and delete pods and Jobs, and nothing more', () => {
    expect(find(full, 'RoleBinding', 'workspace-admin').subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'lead@example.com' }]);
    expect(find(full, 'Role', 'workspace-admin').rules).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['delete'] },
    ]);
  });
});

describe('quota', () => {
  test('the ResourceQuota is the file\'s quota: its GPUs and those its runs may borrow, CPU, memory and local disk limits at twice the requests', () => {
    expect(find(full, 'ResourceQuota', 'workspace-quota').spec.hard).toEqual({
      'requests.nvidia.com/gpu': 12,
      'requests.cpu': '64',
      'limits.cpu': '128',
      'requests.memory': '512Gi',
      'limits.memory': '1024Gi',
      'requests.ephemeral-storage': '300Gi',
      'limits.ephemeral-storage': '600Gi',
      'requests.storage': '800Gi',
      persistentvolumeclaims: 6,
      'count/secretstores.external-secrets.io': 1,
      'count/externalsecrets.external-secrets.io': 1,
      'count/pushsecrets.external-secrets.io': 0,
    });
    expect(find(minimal, 'ResourceQuota', 'workspace-quota').spec.hard['requests.nvidia.com/gpu']).toBe(2);
  });

  test('requests equal to limits (Guaranteed QoS) are accepted and kept', () => {
    const same = { cpu: { request: '4', limit: '4' }, memory: { request: '16Gi', limit: '16Gi' }, ephemeralStorage: { request: '4Gi', limit: '4Gi' } };
    const guaranteed = synth({ name: 'team-qos', webui: { resources: same }, inference: { models: [{ name: 'chat', resources: same }] }, storage: { accessMode: 'ReadWriteMany' } });
    const inference = container(podSpec(find(guaranteed, 'Deployment', 'llama-factory-inference')), 'inference');
    const figures = { 'cpu': '4', 'memory': '16Gi', 'ephemeral-storage': '4Gi' };
    expect(inference.resources.requests).toEqual(inference.resources.limits);
    expect(inference.resources.requests).toEqual({ ...figures, 'nvidia.com/gpu': 1 });
    const webui = container(podSpec(find(guaranteed, 'Deployment', 'llama-factory-webui')), 'webui').resources;
    expect(webui).toEqual({ requests: figures, limits: figures });
  });
});

describe('training configs', () => {
  test('ConfigMap training-configs exists for the DAG to mount', () => {
    expect(find(minimal, 'ConfigMap', 'training-configs').metadata.namespace).toBe('llm-workspace-team-min');
  });
});
