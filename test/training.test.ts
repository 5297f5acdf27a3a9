import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InputError } from '../lib/config/problems';
import { registrarScript } from '../lib/shared/model-registry-sync';
import { synthShared, synthWorkspace } from '../lib/synth';
import { container, env, find, fixture, FIXTURES, MAIN, podSpec, sandbox } from './helpers';

const dist = fixture().objects as any[];
const SFT = 'model_name_or_path: /models/base-model\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: qa\ntemplate: qwen\noutput_dir: /output/sft\n';

/** Loads a sandbox with the given files; returns the problems, or none. */
function problems(files: Record<string, string>): string[] {
  const box = sandbox();
  try {
    for (const [f, c] of Object.entries(files)) box.write(f, c);
    box.load();
    return [];
  } catch (e) {
    if (e instanceof InputError) return e.message.split('\n');
    throw e;
  } finally {
    fs.rmSync(box.dir, { recursive: true, force: true });
  }
}

describe('training configs', () => {
  test('the guide\'s config of team-alpha is valid and lands in training-configs, as written', () => {
    const cm = dist.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'training-configs' && o.metadata.namespace === 'llm-workspace-team-alpha');
    expect(cm.data['train_config_v1.yaml']).toBe(fs.readFileSync(path.join(FIXTURES, 'workspaces/team-alpha/training/train_config_v1.yaml'), 'utf8'));
  });

  test('fails on an unknown key, with the nearest valid keys first, in one short line', () => {
    const [line, ...rest] = problems({ 'workspaces/team-a.yaml': 'name: team-a\n', 'workspaces/team-a/training/sft.yaml': `${SFT}lerning_rate: 1.0e-4\n` });
    expect(rest).toEqual([]);
    expect(line).toMatch(/^workspaces\/team-a\/training\/sft\.yaml:8:1 'lerning_rate' is not a known field \(did you mean 'learning_rate'\?\); nearest allowed: learning_rate, [a-z_]+(, [a-z_]+){3} \(\d{3} in all, see schemas\/training-config\.schema\.json\)$/);
    expect(line.length).toBeLessThanOrEqual(300);
  });

  test('fails on a wrong type', () => {
    expect(problems({ 'workspaces/team-a.yaml': 'name: team-a\n', 'workspaces/team-a/training/sft.yaml': `${SFT}num_train_epochs: three\n` }))
      .toEqual(["workspaces/team-a/training/sft.yaml:8:19 'num_train_epochs' must be a number, got 'three'"]);
  });

  test('fails on a missing dataset when the config trains, as LLaMA-Factory does; requires nothing else but the model', () => {
    expect(problems({ 'workspaces/team-a.yaml': 'name: team-a\n', 'workspaces/team-a/training/sft.yaml': SFT.replace('dataset: qa\n', '') }))
      .toEqual(["workspaces/team-a/training/sft.yaml:1:1 'dataset' is required when 'do_train' is true: LLaMA-Factory asks for a data set to train on (a name of the workspace's dataset_info.json)"]);
    // Upstream requires only model_name_or_path: stage, template and output_dir have defaults (output_dir is the run's anyway).
    expect(problems({ 'workspaces/team-a.yaml': 'name: team-a\n', 'workspaces/team-a/training/sft.yaml': 'model_name_or_path: /models/base-model\ndo_train: true\ndataset: qa\n' })).toEqual([]);
    expect(problems({ 'workspaces/team-a.yaml': 'name: team-a\n', 'workspaces/team-a/training/sft.yaml': 'stage: sft\n' }))
      .toEqual(["workspaces/team-a/training/sft.yaml:1:1 'model_name_or_path' is required but missing in the file"]);
  });

  test('values are judged as LLaMA-Factory reads them: PyYAML (YAML 1.1), no conversion, null for its Optional fields', () => {
    const check = (extra: string) => problems({ 'workspaces/team-a.yaml': 'name: team-a\n', 'workspaces/team-a/training/sft.yaml': `${SFT}${extra}` });
    // As LLaMA-Factory's own examples write them.
    expect(check('learning_rate: 1.0e-4\nbf16: true\nnum_train_epochs: 3.0\nlora_target: all\nreport_to: none\nresume_from_checkpoint: null\nval_size: 0.1\n')).toEqual([]);
    // YAML 1.1 booleans are booleans there; null is valid where the field is Optional; a comma list or a YAML list where upstream splits.
    expect(check('bf16: yes\ngradient_checkpointing: off\nreport_to: null\neval_dataset: null\nlora_target: q_proj,v_proj\n')).toEqual([]);
    expect(check('report_to: [mlflow, tensorboard]\nlora_target: [q_proj, v_proj]\n')).toEqual([]);
    expect(check('learning_rate: 1e-4\nweight_decay: 5E-5\nmax_grad_norm: 1.0e5\n')).toEqual([
      "workspaces/team-a/training/sft.yaml:8:16 'learning_rate' is 1e-4, which LLaMA-Factory reads (PyYAML, YAML 1.1) as the string '1e-4', and training fails; write 1.0e-4",
      "workspaces/team-a/training/sft.yaml:9:15 'weight_decay' is 5E-5, which LLaMA-Factory reads (PyYAML, YAML 1.1) as the string '5E-5', and training fails; write 5.0e-5",
      "workspaces/team-a/training/sft.yaml:10:16 'max_grad_norm' is 1.0e5, which LLaMA-Factory reads (PyYAML, YAML 1.1) as the string '1.0e5', and training fails; write 1.0e+5",
    ]);
    // A leading zero is octal to PyYAML.
    expect(check('seed: 010\n')).toEqual([
      "workspaces/team-a/training/sft.yaml:8:7 'seed' is 010, which LLaMA-Factory reads (PyYAML, YAML 1.1) as the octal number 8; write 10 without the leading zero",
    ]);
    // A whole number for a whole-number key; a config written as one flow mapping is read as exactly.
    expect(check('max_samples: 1e3\n')).toEqual([
      "workspaces/team-a/training/sft.yaml:8:14 'max_samples' is 1e3, which LLaMA-Factory reads (PyYAML, YAML 1.1) as the string '1e3', and training fails; write 1000",
    ]);
    expect(problems({ 'workspaces/team-a.yaml': 'name: team-a\n', 'workspaces/team-a/training/sft.yaml': '{model_name_or_path: /models/base-model, do_train: true, dataset: qa, learning_rate: 1.0e-4, bf16: yes}\n' })).toEqual([]);
    // A string that PyYAML reads as a boolean; null where the field is not Optional.
    expect(check('hub_model_id: on\nlearning_rate: null\n')).toEqual([
      "workspaces/team-a/training/sft.yaml:8:15 'hub_model_id' is on, which LLaMA-Factory reads (PyYAML, YAML 1.1) as a boolean, not the string; quote it: 'on'",
      "workspaces/team-a/training/sft.yaml:9:16 'learning_rate' must be a number, got nothing",
    ]);
  });

  test('fails on a stage LLaMA-Factory does not have', () => {
    expect(problems({ 'workspaces/team-a.yaml': 'name: team-a\n', 'workspaces/team-a/training/sft.yaml': SFT.replace('stage: sft', 'stage: sftt') }))
      .toEqual(["workspaces/team-a/training/sft.yaml:2:8 'stage' must be one of 'pt', 'sft', 'rm', 'ppo', 'dpo', 'kto', got 'sftt'"]);
  });

  test('fails on a training folder of no workspace', () => {
    expect(problems({ 'workspaces/team-z/training/sft.yaml': SFT }))
      .toEqual(['workspaces/team-z/:1:1 folder of no workspace: there is no team-z.yaml beside it; add the workspace file or remove the folder']);
  });

  test('a workspace file with problems keeps its training folder: only the file\'s problem is reported', () => {
    expect(problems({ 'workspaces/team-a.yaml': 'name: team-a\nstate: paused\n', 'workspaces/team-a/training/sft.yaml': SFT }))
      .toEqual(["workspaces/team-a.yaml:2:8 'state' must be one of 'active', 'suspended', got 'paused'"]);
  });

  const validate = (...files: string[]) => spawnSync(process.execPath, [path.join(path.dirname(MAIN), 'scripts', 'validate.js'), ...files], { cwd: FIXTURES, encoding: 'utf8' });

  test('npm run validate checks single files', () => {
    const ok = validate('workspaces/team-alpha/training/train_config_v1.yaml');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe('workspaces/team-alpha/training/train_config_v1.yaml: ok\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    try {
      const bad = path.join(dir, 'bad.yaml');
      fs.writeFileSync(bad, `${SFT}learning_rate: 1e-4\ncutoff_len: 1024.5\n`);
      const failed = validate(bad);
      expect(failed.status).toBe(1);
      expect(failed.stderr).toContain("'learning_rate' is 1e-4, which LLaMA-Factory reads (PyYAML, YAML 1.1) as the string '1e-4', and training fails; write 1.0e-4");
      expect(failed.stderr).toContain("'cutoff_len' must be a whole number, got 1024.5");
      expect(failed.stderr).toContain('validate: 1 of 1 file(s) invalid');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fails on a folder given to npm run validate, saying how to name its files', () => {
    const r = validate('workspaces/team-alpha/training');
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('validate: workspaces/team-alpha/training is a folder; name the files: npm run validate -- workspaces/team-alpha/training/*.yaml');
  });

  test('fails on a workspace file given to npm run validate, saying what it checks and what checks workspace files', () => {
    const r = validate('workspaces/team-alpha.yaml');
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("validate: workspaces/team-alpha.yaml is a workspace file; validate checks LLaMA-Factory training configs (workspaces/<name>/training/*.yaml). Workspace files are checked by 'npm run synth' (and 'npm run check'), with their training configs");
  });
});

describe('training runs', () => {
  const job = dist.find((o) => o.kind === 'Job' && o.metadata.labels?.['llm-platform/run'] === 'v1');

  test('a declared run is a Job on the GPU pool with the config, the volume and MLflow', () => {
    expect(job.metadata.namespace).toBe('llm-workspace-team-alpha');
    expect(job.spec.backoffLimit).toBe(1);
    // No TTL: under Argo CD a Job deleted while still declared would be created again and retrain.
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
    const spec = podSpec(job);
    const train = container(spec, 'train');
    expect(train.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(train.resources.requests['nvidia.com/gpu']).toBe(1);
    expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100' });
    expect(train.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'models', mountPath: '/models' },
      { name: 'models', mountPath: '/output', subPath: 'output' },
      { name: 'configs', mountPath: '/configs', readOnly: true },
    ]));
    expect(spec.volumes).toContainEqual({ name: 'configs', configMap: { name: 'training-configs' } });
    // team-alpha's volume is ReadWriteOnce, the web UI's: the run has one of its own.
    expect(spec.volumes).toContainEqual({ name: 'models', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'premium-rwo', resources: { requests: { storage: '200Gi' } } } } } });
    expect(env(train, 'CONFIG_FILE')).toBe('/configs/train_config_v1.yaml');
    expect(train.args[0]).toContain('llamafactory-cli train "$CONFIG_FILE" output_dir="$OUTPUT_DIR" dataset_dir=/data model_name_or_path="$BASE_MODEL_PATH"');
    // The workspace's data bucket, read only, through GKE's Cloud Storage FUSE driver.
    expect(train.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data', readOnly: true });
    expect(spec.volumes).toContainEqual({ name: 'data', csi: { driver: 'gcsfuse.csi.storage.gke.io', readOnly: true, volumeAttributes: { bucketName: 'your-gcp-project-data-team-alpha', mountOptions: 'implicit-dirs' } } });
    // With the sidecar's figures (GKE's defaults set no limits, which the quota requires); the quota checks count them.
    expect(job.spec.template.metadata.annotations).toEqual({
      'gke-gcsfuse/volumes': 'true',
      'gke-gcsfuse/cpu-request': '250m', 'gke-gcsfuse/cpu-limit': '1',
      'gke-gcsfuse/memory-request': '256Mi', 'gke-gcsfuse/memory-limit': '2Gi',
      'gke-gcsfuse/ephemeral-storage-request': '5Gi', 'gke-gcsfuse/ephemeral-storage-limit': '10Gi',
    });
    expect(env(train, 'OUTPUT_DIR')).toBe(`/output/${job.metadata.name}`);
    expect(env(train, 'REGISTERED_MODEL')).toBe('ft-llama3-8b-v1');
    expect(env(train, 'REGISTER_SCRIPT')).toContain('mlflow.register_model');
    // A LoRA adapter is merged into its base model before it is registered: vLLM serves whole models.
    expect(env(train, 'REGISTER_SCRIPT')).toContain('"llamafactory-cli", "export"');
    expect(job.spec.template.metadata.labels['app.kubernetes.io/version']).toBeUndefined();
    expect(train.envFrom).toEqual([{ configMapRef: { name: 'mlflow-config' } }]);
    expect(spec.serviceAccountName).toBe('llm-workload-sa');
    expect(job.spec.template.metadata.labels['llm-platform/mlflow-client']).toBe('true');
  });

  test('fails on a run whose config does not exist, and a repeated run id', () => {
    const ws = 'name: team-a\ntraining:\n  runs:\n    - { id: r1, config: sft.yaml, registeredModel: m }\n    - { id: r1, config: other.yaml, registeredModel: m }\n';
    expect(problems({ 'workspaces/team-a.yaml': ws, 'workspaces/team-a/training/sft.yaml': SFT })).toEqual([
      "workspaces/team-a.yaml:5:13 'training.runs[1].id' 'r1' is already used by training.runs[0]; a new run needs a new id",
      "workspaces/team-a.yaml:5:25 'training.runs[1].config' names 'other.yaml', which is not in workspaces/team-a/training/ (there: sft.yaml)",
    ]);
  });

  test('runs queue rather than add up: each must fit alone in what its queue can give, with GPUs per node its nodes come with', () => {
    const ws = [
      'name: team-a',
      'quota: { gpus: 8, borrowGpus: 4 }',
      'storage: { accessMode: ReadWriteMany, storageClassName: standard-rwx }',
      'inference:',
      '  models: [{ name: chat, gpus: 2 }]',
      'training:',
      '  runs:',
      // 6 + 4 borrowed: fits, however many such runs are declared.
      '    - { id: fits, config: sft.yaml, registeredModel: m, gpus: 8, accelerator: nvidia-l4, resources: { cpu: { request: "2", limit: "4" } } }',
      '    - { id: fits-too, config: sft.yaml, registeredModel: m, gpus: 8, accelerator: nvidia-l4, resources: { cpu: { request: "2", limit: "4" } } }',
      '    - { id: too-big, config: sft.yaml, registeredModel: m, gpus: 8, nodes: 2, accelerator: nvidia-l4, resources: { cpu: { request: "2", limit: "4" } } }',
      '    - { id: odd, config: sft.yaml, registeredModel: m, gpus: 3 }',
      '    - { id: shape, config: sft.yaml, registeredModel: m, gpus: 16, accelerator: nvidia-l4 }',
      '    - { id: unknown, config: sft.yaml, registeredModel: m, accelerator: nvidia-b300 }',
      '    - { id: hungry, config: sft.yaml, registeredModel: m, resources: { memory: { request: 100Gi, limit: 200Gi } }, nodes: 3 }',
      '',
    ].join('\n');
    expect(problems({ 'workspaces/team-a.yaml': ws, 'workspaces/team-a/training/sft.yaml': SFT })).toEqual([
      "workspaces/team-a.yaml:10:76 run 'too-big' asks for 16 GPUs (8 on each of 2 node(s)), but its queue can give at most 10: 'quota.gpus' 8 less the servers' 2, plus 'quota.borrowGpus' 4; raise them or ask for fewer",
      "workspaces/team-a.yaml:11:62 'training.runs[3].gpus' is 3 GPUs per node, but the platform's nodes come with 1, 2, 4, 8, 16; ask for one of these per node, and for more nodes ('nodes') to go further",
      "workspaces/team-a.yaml:12:64 'training.runs[4].gpus' is 16 GPUs per node, but nvidia-l4 nodes come with 1, 2, 4, 8; ask for one of these per node, and for more nodes ('nodes') to go further",
      "workspaces/team-a.yaml:13:73 'training.runs[5].accelerator' is 'nvidia-b300', which is not an accelerator of the platform; known: nvidia-tesla-a100, nvidia-l4 (training.accelerators in platform.yaml)",
      // Its data sidecars included: 3 x (16 + 1) cores of limits, 3 x (100Gi + 256Mi) of requests.
      "workspaces/team-a.yaml:14:70 run 'hungry' limits 51 cores of cpu on all its nodes, but 'quota.cpu' 32 lets limits reach 50 cores beside the servers; raise 'quota.cpu' or lower the run's limits",
      "workspaces/team-a.yaml:14:70 run 'hungry' requests 300.8Gi of memory on all its nodes, but 'quota.memory' 256Gi leaves its runs 231.0Gi beside the servers; raise 'quota.memory' or lower the run's requests",
    ]);
  });

  test('fails on a run whose request passes its limit, and on a run whose limits pass what the quota leaves it', () => {
    const ws = 'name: team-a\ntraining:\n  runs:\n    - id: r1\n      config: sft.yaml\n      registeredModel: m\n      resources: { cpu: { request: "30", limit: "2" } }\n    - { id: r2, config: sft.yaml, registeredModel: m, resources: { memory: { request: 8Gi, limit: 500Gi } } }\n';
    expect(problems({ 'workspaces/team-a.yaml': ws, 'workspaces/team-a/training/sft.yaml': SFT })).toEqual([
      "workspaces/team-a.yaml:7:18 run 'r1' requests 30.25 cores of cpu on all its nodes, but 'quota.cpu' 32 leaves its runs 29.5 cores beside the servers; raise 'quota.cpu' or lower the run's requests",
      "workspaces/team-a.yaml:7:36 'training.runs[0].resources.cpu.request' must be at most the limit 2, got 30",
      "workspaces/team-a.yaml:8:66 run 'r2' limits 502.0Gi of memory on all its nodes, but 'quota.memory' 256Gi lets limits reach 492.0Gi beside the servers; raise 'quota.memory' or lower the run's limits",
    ]);
  });
});

describe('models on the gateway', () => {
  const routes = JSON.parse(dist.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'llm-gateway-routes').data['routes.json']);

  test('the routing table holds the guide\'s record for team-alpha', () => {
    expect(routes.models).toContainEqual({
      model_id: 'ft-llama3-8b-v1',
      workspace: 'team-alpha',
      endpoint: 'http://llama-inference-internal.llm-workspace-team-alpha.svc.cluster.local:8000',
      enabled: true,
      rate_limit: 100,
      allowed_clients: ['app-search', 'app-assistant'],
    });
    expect(routes.models.map((m: any) => m.model_id)).toEqual(['code-review', 'ft-llama3-8b-v1', 'support-bot']);
  });

  test('a registration Job upserts Strapi after each sync, as an Argo CD and a Helm hook, with the token from the store', () => {
    const job = find(dist, 'Job', 'model-registrar');
    expect(job.metadata.annotations).toMatchObject({
      'argocd.argoproj.io/hook': 'PostSync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      'helm.sh/hook': 'post-install,post-upgrade',
    });
    const registrar = container(podSpec(job), 'registrar');
    expect(registrar.image).toBe('docker.io/library/node:20.18.1-alpine');
    expect(env(registrar, 'STRAPI_API_TOKEN')).toEqual({ secretKeyRef: { name: 'strapi-api-token', key: 'STRAPI_API_TOKEN' } });
    expect(env(registrar, 'STRAPI_URL')).toBe('http://strapi.llm-shared.svc.cluster.local:1337');
    expect(find(dist, 'ConfigMap', 'model-registrar').data['model-registrar.js']).toBe(registrarScript());
  });

  test('fails on a model id that two workspaces claim, and on a client the platform does not know', () => {
    expect(problems({
      'workspaces/team-a.yaml': 'name: team-a\ninference:\n  models:\n    - name: chat\n',
      'workspaces/team-b.yaml': 'name: team-b\ninference:\n  models:\n    - name: chat\n      gateway: { allowedClients: [app-search, app-unknown] }\n',
    })).toEqual([
      "workspaces/team-b.yaml:4:13 'inference.models[0].name' 'chat' is already a model id of workspace team-a; the gateway routes by model id, so each must be unique",
      "workspaces/team-b.yaml:5:47 'inference.models[0].gateway.allowedClients[1]' is 'app-unknown', which is not a client of the platform; known: app-search, app-assistant (clients in platform.yaml)",
    ]);
  });

  test('a suspended workspace\'s models are disabled on the gateway', () => {
    const box = sandbox({ 'team-s.yaml': 'name: team-s\nstate: suspended\ninference:\n  models:\n    - name: chat\n' });
    try {
      const inputs = box.load();
      const routing = JSON.parse(find(synthShared(inputs.platform, inputs.workspaces), 'ConfigMap', 'llm-gateway-routes').data['routes.json']);
      expect(routing.models[0]).toMatchObject({ model_id: 'chat', enabled: false });
      expect(synthWorkspace(inputs.platform, inputs.workspaces[0]).filter((o) => o.kind === 'Job')).toEqual([]);
    } finally {
      box.remove();
    }
  });
});

describe('the Airflow DAG', () => {
  test('ships where the Airflow chart loads it (see test/airflow.test.ts for the DAG itself)', () => {
    expect(Object.keys(find(dist, 'ConfigMap', 'airflow-dags').data).sort()).toEqual(['llm_finetune_dag.py', 'llm_platform_runs.py', 'llm_platform_settings.json']);
    const values = find(dist, 'Application', 'airflow').spec.source.helm.valuesObject;
    for (const component of ['scheduler', 'workers']) {
      expect(values[component].extraVolumes).toEqual([{ name: 'dags', configMap: { name: 'airflow-dags' } }]);
      expect(values[component].extraVolumeMounts).toEqual([{ name: 'dags', mountPath: '/opt/airflow/dags', readOnly: true }]);
    }
  });
});

describe('backups', () => {
  test('every MLflow database is backed up on a schedule, one after the other', () => {
    const cronJobs = dist.filter((o) => o.kind === 'CronJob');
    expect(cronJobs.map((c) => `${c.metadata.namespace}/${c.metadata.name}`)).toEqual(['llm-shared/mlflow-backups']);
    const [backups] = cronJobs;
    expect(backups.spec.schedule).toBe('0 2 * * *');
    expect(backups.spec.concurrencyPolicy).toBe('Forbid');
    const spec = backups.spec.jobTemplate.spec.template.spec;
    expect(spec.serviceAccountName).toBe('mlflow-backups');
    const backup = spec.containers[0];
    // Cloud SQL runs one operation per instance at a time: one Job exports them in turn.
    expect(env(backup, 'DATABASES')).toBe('mlflow_common mlflow_team-alpha mlflow_team-beta');
    expect(env(backup, 'BUCKET')).toBe('your-gcp-project-backups');
    expect(env(backup, 'INSTANCE')).toBe('mlflow-instance');
    expect(backup.command[2]).toContain('for database in $DATABASES; do');
    expect(backup.command[2]).toContain('gcloud sql export sql "$INSTANCE"');
    expect(backup.image).toBe('gcr.io/google.com/cloudsdktool/google-cloud-cli:502.0.0-slim');
  });

  test("old exports go by the bucket's lifecycle rule after the platform's retention, not by the job, which may not delete", () => {
    const backup = find(dist, 'CronJob', 'mlflow-backups').spec.jobTemplate.spec.template.spec.containers[0];
    expect(backup.command[2]).not.toMatch(/\brm\b|delete/);
    expect((backup.env ?? []).map((e: any) => e.name)).not.toContain('RETENTION_DAYS');
    const bucket = find(dist, 'StorageBucket', 'shared-backups-bucket');
    expect(bucket.spec.resourceID).toBe('your-gcp-project-backups');
    expect(bucket.spec.lifecycleRule).toEqual([{ action: { type: 'Delete' }, condition: { age: 14 } }]);
  });
});

describe('base models and remote code', () => {
  const WS = 'name: team-a\ntraining:\n  runs:\n    - { id: r1, config: sft.yaml, registeredModel: m, baseModel: { name: BASE, version: 2 } }\n';

  test('a run downloads its base model at the pinned version, read only, through mlflow-common-read', () => {
    const job = dist.find((o) => o.kind === 'Job' && o.metadata.labels?.['llm-platform/run'] === 'v1');
    const loader = container(podSpec(job), 'base-model-loader');
    expect(env(loader, 'MODEL_URI')).toBe('models:/llama-3-8b-base/1');
    expect(env(container(podSpec(job), 'train'), 'BASE_MODEL_PATH')).toBe('/models/base-models/llama-3-8b-base/1');
    expect(loader.command[2]).toContain('MLFLOW_TRACKING_URI="$MLFLOW_COMMON_URI"');
  });

  test('fails on a base model without a pinned version', () => {
    expect(problems({ 'workspaces/team-a.yaml': 'name: team-a\ntraining:\n  runs:\n    - { id: r1, config: sft.yaml, registeredModel: m, baseModel: llama-3-8b-base }\n', 'workspaces/team-a/training/sft.yaml': SFT }))
      .toEqual(["workspaces/team-a.yaml:4:66 'training.runs[0].baseModel' must be a mapping with the fields name, version, got 'llama-3-8b-base'"]);
  });

  test('accepts trust_remote_code for a run from a base model the platform trusts', () => {
    expect(problems({ 'workspaces/team-a.yaml': WS.replace('BASE', 'llama-3-8b-base'), 'workspaces/team-a/training/sft.yaml': `${SFT}trust_remote_code: true\n` })).toEqual([]);
  });

  test('fails on trust_remote_code for a run from a base model the platform does not trust, or from no base model', () => {
    expect(problems({ 'workspaces/team-a.yaml': WS.replace('BASE', 'my-model'), 'workspaces/team-a/training/sft.yaml': `${SFT}trust_remote_code: true\n` })).toEqual([
      "workspaces/team-a/training/sft.yaml:8:20 'trust_remote_code' is true, which runs the model's own Python code; run 'r1' starts from 'my-model', which the platform does not trust (training.trustRemoteCode in platform.yaml: llama-3-8b-base)",
    ]);
    expect(problems({ 'workspaces/team-a.yaml': 'name: team-a\ntraining:\n  runs:\n    - { id: r1, config: sft.yaml, registeredModel: m }\n', 'workspaces/team-a/training/sft.yaml': `${SFT}trust_remote_code: true\n` })).toEqual([
      "workspaces/team-a/training/sft.yaml:8:20 'trust_remote_code' is true, which runs the model's own Python code; run 'r1' starts from the config's model_name_or_path, not a trusted base model (training.trustRemoteCode in platform.yaml: llama-3-8b-base)",
    ]);
  });

  test('fails on trust_remote_code in a config no run uses', () => {
    expect(problems({ 'workspaces/team-a.yaml': 'name: team-a\n', 'workspaces/team-a/training/sft.yaml': `${SFT}trust_remote_code: true\n` })).toEqual([
      "workspaces/team-a/training/sft.yaml:8:20 'trust_remote_code' is true, which runs the model's own Python code; no run uses this config, so it could start from any model; allowed only for runs from a trusted base model (training.trustRemoteCode in platform.yaml: llama-3-8b-base)",
    ]);
  });
});
