import * as fs from 'fs';
import * as path from 'path';
import { crdProblems, isCrdGroup } from '../lib/policy/crd-schema';
import { checkObjects } from '../lib/policy/check';
import { describeRuns, runDefaults } from '../lib/training/run-name';
import { TrainingRunConfig } from '../lib/config/types';
import { all, container, env, find, podSpec, sandbox } from './helpers';
import { synthWorkspace } from '../lib/synth';

/*
 * Runs of any size (lib/training/training-run.ts): one node is a Job, several GPUs on it
 * run under torchrun; several nodes are one JobSet with a stable rendezvous, admitted
 * whole by Kueue, their pods reaching each other and nothing else. A run is its name.
 */

const SFT = 'model_name_or_path: /models/base-model\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: qa\ntemplate: qwen\noutput_dir: /output/sft\n';

/** A workspace's objects, or the problems its files have. */
function made(file: object, config = SFT): { objects: ReturnType<typeof synthWorkspace>; problems: string[] } {
  const box = sandbox({ 'team-r.yaml': file });
  try {
    box.write('workspaces/team-r/training/sft.yaml', config);
    try {
      const loaded = box.load();
      const ws = loaded.workspaces[0];
      return { objects: synthWorkspace(loaded.platform, ws, loaded.trainingConfigs[ws.name]), problems: [] };
    } catch (e) {
      return { objects: [], problems: ((e as { problems?: { message: string }[] }).problems ?? []).map((p) => String((p as any).message ?? p)) };
    }
  } finally {
    box.remove();
  }
}

const big = {
  name: 'team-r',
  storage: { accessMode: 'ReadWriteMany', storageClassName: 'standard-rwx' },
  webui: { enabled: false },
  quota: { gpus: 16, cpu: '64', memory: '512Gi' },
  training: { runs: [{ id: 'big', config: 'sft.yaml', registeredModel: 'm', nodes: 2, gpus: 8, accelerator: 'nvidia-tesla-a100', priority: 'high' }] },
};

describe('a run of 2 nodes with 8 GPUs each', () => {
  const { objects, problems } = made(big);
  const set = all(objects, 'JobSet')[0];
  const name = set?.metadata.name;
  const spec = set && set.spec.replicatedJobs[0].template.spec;
  const train = spec && container(spec.template.spec, 'train');

  test('is one JobSet, suspended in its queue at its priority, that passes the platform\'s checks and the JobSet CRD', () => {
    expect(problems).toEqual([]);
    expect(all(objects, 'Job')).toEqual([]);
    expect(name).toMatch(/^llama-fine-tune-big-[0-9a-f]{6}$/);
    expect(set.apiVersion).toBe('jobset.x-k8s.io/v1alpha2');
    expect(isCrdGroup(set.apiVersion)).toBe(true);
    expect(checkObjects(objects)).toEqual([]);
    expect(set.spec.suspend).toBe(true);
    expect(set.metadata.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'training', 'kueue.x-k8s.io/priority-class': 'llm-training-high' });
    expect(spec.template.spec.priorityClassName).toBe('llm-training');
    expect(spec.template.spec.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100' });
  });

  test('a pod per node, started together, failing together: an Indexed Job of 2, no restarts', () => {
    expect(set.spec.replicatedJobs).toHaveLength(1);
    expect(set.spec.replicatedJobs[0]).toMatchObject({ name: 'node', replicas: 1 });
    expect(spec).toMatchObject({ completionMode: 'Indexed', completions: 2, parallelism: 2, backoffLimit: 0 });
    expect(set.spec.failurePolicy).toEqual({ maxRestarts: 0 });
    expect(train.resources.limits['nvidia.com/gpu']).toBe(8);
  });

  test('a stable rendezvous: NNODES, NODE_RANK from the pod\'s index, the first pod as MASTER_ADDR by its DNS name, MASTER_PORT', () => {
    expect(env(train, 'FORCE_TORCHRUN')).toBe('1');
    expect(env(train, 'NNODES')).toBe('2');
    expect(train.env.find((e: any) => e.name === 'NODE_RANK').valueFrom).toEqual({ fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } });
    // <jobset>-<replicated job>-<job index>-<pod index>.<subdomain>: JobSet's hostnames on its headless Service.
    expect(env(train, 'MASTER_ADDR')).toBe(`${name}-node-0-0.${name}`);
    expect(set.spec.network).toEqual({ enableDNSHostnames: true, subdomain: name });
    expect(env(train, 'MASTER_PORT')).toBe('29500');
    // The model is registered once, by the first node.
    expect(train.args[0]).toContain('if [ "$NODE_RANK" = 0 ]; then python -c "$REGISTER_SCRIPT"; fi');
  });

  test('checkpoints go where every node can write: the workspace\'s ReadWriteMany volume', () => {
    const volume = spec.template.spec.volumes.find((v: any) => v.name === 'models');
    expect(volume.persistentVolumeClaim.claimName).toBe('model-storage-pvc');
    expect(find(objects, 'PersistentVolumeClaim', 'model-storage-pvc').spec.accessModes).toEqual(['ReadWriteMany']);
    expect(env(train, 'OUTPUT_DIR')).toBe(`/output/${name}`);
  });

  test('its pods reach each other on any port, and nothing else reaches them through that policy', () => {
    const peers = find(objects, 'NetworkPolicy', `${name}-peers`);
    const selector = { matchLabels: { 'llm-platform/run-name': name } };
    expect(peers.spec).toEqual({ podSelector: selector, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: selector }] }], egress: [{ to: [{ podSelector: selector }] }] });
    expect(spec.template.metadata.labels['llm-platform/run-name']).toBe(name);
    // No other policy lets anything in on the rendezvous port.
    const others = all(objects, 'NetworkPolicy').filter((p) => p !== peers && p.spec.ingress?.some((r: any) => r.ports?.some((x: any) => x.port === 29500)));
    expect(others).toEqual([]);
  });
});

test('one node with several GPUs runs under torchrun, as a Job, without a rendezvous of nodes', () => {
  const { objects, problems } = made({ name: 'team-r', quota: { gpus: 4 }, webui: { enabled: false }, training: { runs: [{ id: 'four', config: 'sft.yaml', registeredModel: 'm', gpus: 4 }] } });
  expect(problems).toEqual([]);
  const job = all(objects, 'Job')[0];
  const train = container(podSpec(job), 'train');
  expect(env(train, 'FORCE_TORCHRUN')).toBe('1');
  expect(train.env.map((e: any) => e.name)).not.toContain('NNODES');
  expect(all(objects, 'JobSet')).toEqual([]);
  expect(all(objects, 'NetworkPolicy').filter((p) => p.metadata.name.endsWith('-peers'))).toEqual([]);
  const single = all(made({ name: 'team-r', training: { runs: [{ id: 'one', config: 'sft.yaml', registeredModel: 'm' }] } }).objects, 'Job')[0];
  expect(container(podSpec(single), 'train').env.map((e: any) => e.name)).not.toContain('FORCE_TORCHRUN');
});

test('a run of several nodes on a ReadWriteOnce volume is refused: the nodes could not all write its checkpoints', () => {
  const box = sandbox({ 'team-r.yaml': { ...big, storage: {} } });
  try {
    box.write('workspaces/team-r/training/sft.yaml', SFT);
    expect(() => box.load()).toThrow("run 'big' runs on 2 nodes, which all write its checkpoints to model-storage-pvc, but a ReadWriteOnce volume attaches to one node; set 'storage.accessMode: ReadWriteMany' with a class like 'standard-rwx' (Filestore)");
  } finally {
    box.remove();
  }
});

describe('a run is its name', () => {
  const run: TrainingRunConfig = {
    id: 'v1', config: 'sft.yaml', registeredModel: 'm', gpus: 1, nodes: 1, priority: 'normal', scratchSize: '200Gi', baseModel: { name: 'base', version: 1 },
    resources: { cpu: { request: '8', limit: '16' }, memory: { request: '32Gi', limit: '64Gi' }, ephemeralStorage: { request: '20Gi', limit: '100Gi' } },
  };
  const name = (r: TrainingRunConfig = run, config = SFT) => describeRuns([r], { 'sft.yaml': config })[0].name;

  test('the same config however written (comments, key order) and another priority: the same run', () => {
    const rewritten = `# tuned\n${SFT.split('\n').filter(Boolean).reverse().join('\n')}\n`;
    expect(name(run, rewritten)).toBe(name());
    expect(name({ ...run, priority: 'high' })).toBe(name());
    expect(name()).toMatch(/^llama-fine-tune-v1-[0-9a-f]{6}$/);
  });

  test('another config, base model, size or accelerator: another run', () => {
    const others = [
      name(run, SFT.replace('dataset: qa', 'dataset: qa2')),
      name({ ...run, baseModel: { name: 'base', version: 2 } }),
      name({ ...run, gpus: 2 }),
      name({ ...run, nodes: 2 }),
      name({ ...run, accelerator: 'nvidia-l4' }),
      name({ ...run, registeredModel: 'm2' }),
    ];
    expect(new Set([name(), ...others]).size).toBe(others.length + 1);
  });

  test('at most 63 characters, a DNS label, for the longest id', () => {
    const long = name({ ...run, id: 'a'.repeat(40) });
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});

test('the loader names runs as rendering would, from the configs as written (before a YAML 1.1 word is read as PyYAML reads it)', () => {
  const box = sandbox({ 'team-r.yaml': { name: 'team-r', training: { runs: [{ id: 'v1', config: 'sft.yaml', registeredModel: 'm' }] } } });
  try {
    box.write('workspaces/team-r/training/sft.yaml', SFT.replace('do_train: true', 'do_train: yes'));
    const loaded = box.load();
    const ws = loaded.workspaces[0];
    const named = loaded.runs?.[ws.name] ?? [];
    expect(named.map((r) => r.name)).toEqual(describeRuns(ws.training.runs, loaded.trainingConfigs[ws.name]).map((r) => r.name));
    expect(named).toHaveLength(1);
  } finally {
    box.remove();
  }
});

describe('a DeepSpeed config, when the training config asks for one', () => {
  const DS = '{\n  "train_micro_batch_size_per_gpu": "auto",\n  "gradient_accumulation_steps": "auto",\n  "bf16": { "enabled": "auto" },\n  "zero_optimization": { "stage": 3, "offload_optimizer": { "device": "none" } }\n}\n';
  const WS = { name: 'team-r', storage: { accessMode: 'ReadWriteMany', storageClassName: 'standard-rwx' }, training: { runs: [{ id: 'z3', config: 'sft.yaml', registeredModel: 'm' }] } };

  function attempt(files: Record<string, string>): { objects: ReturnType<typeof synthWorkspace>; problems: string[] } {
    const box = sandbox({ 'team-r.yaml': WS });
    try {
      for (const [f, text] of Object.entries(files)) box.write(`workspaces/team-r/training/${f}`, text);
      try {
        const loaded = box.load();
        return { objects: synthWorkspace(loaded.platform, loaded.workspaces[0], loaded.trainingConfigs['team-r']), problems: [] };
      } catch (e) {
        return { objects: [], problems: (e as Error).message.split('\n') };
      }
    } finally {
      box.remove();
    }
  }

  test('is mounted beside the training config and handed to LLaMA-Factory by its path there; changing it makes a new run', () => {
    const { objects, problems } = attempt({ 'sft.yaml': `${SFT}deepspeed: ds_z3.json\n`, 'ds_z3.json': DS });
    expect(problems).toEqual([]);
    expect(find(objects, 'ConfigMap', 'training-configs').data['ds_z3.json']).toBe(DS);
    const job = all(objects, 'Job')[0];
    expect(container(podSpec(job), 'train').args[0]).toContain(' deepspeed=/configs/ds_z3.json');
    const other = attempt({ 'sft.yaml': `${SFT}deepspeed: ds_z3.json\n`, 'ds_z3.json': DS.replace('"stage": 3', '"stage": 2') });
    expect(all(other.objects, 'Job')[0].metadata.name).not.toBe(job.metadata.name);
    const none = attempt({ 'sft.yaml': SFT });
    expect(container(podSpec(all(none.objects, 'Job')[0]), 'train').args[0]).not.toContain('deepspeed=');
  });

  test('is refused when it is not a file of the folder, not JSON as Python reads it, or sets a key DeepSpeed would reject', () => {
    expect(attempt({ 'sft.yaml': `${SFT}deepspeed: examples/deepspeed/ds_z3_config.json\n` }).problems).toEqual([
      "workspaces/team-r/training/sft.yaml:8:12 'deepspeed' is \"examples/deepspeed/ds_z3_config.json\"; name a DeepSpeed config (.json) of this folder (there: none), which is mounted beside this file",
    ]);
    expect(attempt({ 'sft.yaml': `${SFT}deepspeed: ds.json\n`, 'ds.json': '{\n  "zero_optimization": { "stage": 3, },\n}\n' }).problems[0])
      .toMatch(/^workspaces\/team-r\/training\/ds\.json:2:38 not JSON as DeepSpeed reads it: /);
    expect(attempt({ 'sft.yaml': `${SFT}deepspeed: ds.json\n`, 'ds.json': '{\n  "zero_optimization": { "stage": 4 },\n  "train_micro_batch_size_per_gpu": "8"\n}\n' }).problems).toEqual([
      expect.stringMatching(/^workspaces\/team-r\/training\/ds\.json:2:35 'zero_optimization\.stage' /),
      expect.stringMatching(/^workspaces\/team-r\/training\/ds\.json:3:37 'train_micro_batch_size_per_gpu' /),
    ]);
  });
});

test('the workspace\'s data bucket is every run\'s dataset_dir; a config naming a data set the workspace does not declare is refused', () => {
  const ws = { name: 'team-r', training: { datasets: ['qa'], runs: [{ id: 'v1', config: 'sft.yaml', registeredModel: 'm' }] } };
  const ok = made(ws);
  expect(ok.problems).toEqual([]);
  const train = container(podSpec(all(ok.objects, 'Job')[0]), 'train');
  expect(train.args[0]).toContain(' dataset_dir=/data');
  expect(made(ws, SFT.replace('dataset: qa', 'dataset: qa, alpaca_en')).problems).toEqual([
    "'dataset' names 'alpaca_en', which is not a data set of workspace team-r (training.datasets: qa); add it to the data bucket's dataset_info.json and to training.datasets, or fix the name",
  ]);
  // Not declared: not checked (synth cannot read the bucket).
  expect(made({ ...ws, training: { ...ws.training, datasets: [] } }, SFT.replace('dataset: qa', 'dataset: anything')).problems).toEqual([]);
});

describe('found in review', () => {
  test('a multi-node run goes through synth whole: its JobSet is the workspace\'s own object, which its Argo CD project admits', async () => {
    const box = sandbox({ 'team-r.yaml': big });
    try {
      box.write('workspaces/team-r/training/sft.yaml', SFT);
      const r = await box.synth('--no-cache');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const text = fs.readFileSync(path.join(box.dir, 'dist/workspaces/team-r/manifests.yaml'), 'utf8');
      expect(text).toMatch(/^kind: JobSet$/m);
      const argocd = fs.readFileSync(path.join(box.dir, 'dist/argocd/manifests.yaml'), 'utf8');
      expect(argocd).toMatch(/- group: jobset\.x-k8s\.io\n\s+kind: JobSet\n/);
    } finally {
      box.remove();
    }
  });

  test('a multi-node run\'s id leaves its pods\' names (<run>-node-0-<n>) within 63 characters', () => {
    const long = { ...big, training: { runs: [{ ...big.training.runs[0], id: 'a'.repeat(32) }] } };
    expect(made(long).problems).toEqual([
      `'training.runs[0].id' '${'a'.repeat(32)}' is too long for a run of 2 nodes: its pods' names (llama-fine-tune-<id>-<hash>-node-0-<n>) would pass 63 characters; use at most 31 characters`,
    ]);
    expect(made({ ...big, training: { runs: [{ ...big.training.runs[0], id: 'a'.repeat(31) }] } }).problems).toEqual([]);
  });

  test('a run that names no accelerator goes only to those whose nodes have its GPUs per node', () => {
    const run = (gpus: number) => all(made({ name: 'team-r', quota: { gpus: 16 }, webui: { enabled: false }, training: { runs: [{ id: 'r', config: 'sft.yaml', registeredModel: 'm', gpus }] } }).objects, 'Job')[0];
    // The shipped platform: A100 nodes of 1 to 16 GPUs, L4 of 1 to 8.
    expect(podSpec(run(16)).affinity).toEqual({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'cloud.google.com/gke-accelerator', operator: 'In', values: ['nvidia-tesla-a100'] }] }] } } });
    expect(podSpec(run(8)).affinity).toBeUndefined();
  });

  test('on a ReadWriteOnce workspace, the quota holds the own volumes of every run Kueue may admit at once', () => {
    const file = { name: 'team-r', quota: { gpus: 4, storage: '800Gi' }, training: { runs: ['a', 'b', 'c'].map((id) => ({ id, config: 'sft.yaml', registeredModel: 'm' })) } };
    // 200Gi + 3 runs of 200Gi (three 1-GPU runs fit in 4 GPUs beside no server).
    expect(made(file).problems).toEqual([]);
    expect(made({ ...file, quota: { gpus: 4, storage: '700Gi' } }).problems).toEqual(["'quota.storage' is 700Gi, but 'storage.size' 200Gi, the own volumes of 3 run(s) that may run at once take 800Gi together; raise 'quota.storage' or ask for less"]);
    // Two GPUs: two of them at once.
    expect(made({ ...file, quota: { gpus: 2, storage: '600Gi' } }).problems).toEqual([]);
  });

  test('run names do not change when a default is written out', () => {
    const minimal = { name: 'team-r', training: { runs: [{ id: 'v1', config: 'sft.yaml', registeredModel: 'm' }] } };
    const explicit = { name: 'team-r', training: { runs: [{ id: 'v1', config: 'sft.yaml', registeredModel: 'm', gpus: 1, nodes: 1, scratchSize: '200Gi', resources: { cpu: { request: '8' } } }] } };
    expect(all(made(explicit).objects, 'Job')[0].metadata.name).toBe(all(made(minimal).objects, 'Job')[0].metadata.name);
  });
});

test('an int-or-string is checked against every pattern its schema gives it (allOf too)', () => {
  const policy = (bufferLimit: unknown) => crdProblems({ apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'ClientTrafficPolicy', metadata: { name: 'x' }, spec: { connection: { bufferLimit } } } as any);
  expect(policy('512Ki')).toEqual([]);
  expect(policy(1024)).toEqual([]);
  expect(policy('abc')).toEqual([expect.stringContaining('/spec/connection/bufferLimit must match pattern'), expect.stringContaining('/spec/connection/bufferLimit must match pattern')]);
});

test('the run defaults read off the schema are what the loader fills in (run names leave those out)', () => {
  const box = sandbox({ 'team-r.yaml': { name: 'team-r', training: { runs: [{ id: 'x', config: 'x.yaml', registeredModel: 'x' }] } } });
  try {
    box.write('workspaces/team-r/training/x.yaml', SFT);
    expect(runDefaults()).toEqual(box.load().workspaces[0].training.runs[0]);
  } finally {
    box.remove();
  }
});
