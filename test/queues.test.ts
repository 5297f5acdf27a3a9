import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { PlatformConfig, WorkspaceConfig } from '../lib/config/types';
import { isCrdGroup } from '../lib/policy/crd-schema';
import { schemaProblems } from '../lib/policy/kubernetes-schema';
import { synthShared, synthWorkspace } from '../lib/synth';
import { all, find, fixture, sandbox } from './helpers';

/*
 * Fair GPU queues (lib/training/kueue.ts): every run is admitted by Kueue through its
 * team's queue; teams share idle GPUs in one cohort; inference outranks training.
 */

const { objects, inputs, dist } = fixture();
const SFT = 'model_name_or_path: /models/base-model\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: qa\ntemplate: qwen\noutput_dir: /output/sft\n';

/** One workspace loaded and synthesized in a sandbox of its own (with a training config). */
function workspace(file: object): { platform: PlatformConfig; config: WorkspaceConfig; objects: ReturnType<typeof synthWorkspace> } {
  const box = sandbox({ 'team-q.yaml': file });
  try {
    box.write('workspaces/team-q/training/sft.yaml', SFT);
    const loaded = box.load();
    const config = loaded.workspaces[0];
    return { platform: loaded.platform, config, objects: synthWorkspace(loaded.platform, config, loaded.trainingConfigs[config.name]) };
  } finally {
    box.remove();
  }
}

const gpuQuota = (queue: any) => queue.spec.resourceGroups[0].flavors.map((f: any) => f.resources.find((r: any) => r.name === 'nvidia.com/gpu'));

test('every Kueue object of the shipped platform is checked against the Kueue 0.19 CRDs, and passes', () => {
  const kueue = objects.filter((o) => o.apiVersion.startsWith('kueue.x-k8s.io/'));
  expect(new Set(kueue.map((o) => o.kind))).toEqual(new Set(['ResourceFlavor', 'WorkloadPriorityClass', 'ClusterQueue', 'LocalQueue']));
  expect(isCrdGroup('kueue.x-k8s.io/v1beta2')).toBe(true);
  expect(schemaProblems(kueue)).toEqual([]);
  // The check is real: a field Kueue does not know is refused.
  const queue = JSON.parse(JSON.stringify(find(objects, 'ClusterQueue', 'llm-workspace-team-alpha')));
  queue.spec.cohort = 'llm-platform';
  expect(schemaProblems([queue])).toEqual([expect.stringContaining("/spec must NOT have additional properties 'cohort'")]);
  // A quantity (int-or-string) is checked against its pattern when it is a string, as the API server does.
  const quota = JSON.parse(JSON.stringify(find(objects, 'ClusterQueue', 'llm-workspace-team-alpha')));
  quota.spec.resourceGroups[1].flavors[0].resources[0].nominalQuota = 'lots';
  expect(schemaProblems([quota])).toEqual([expect.stringContaining('/spec/resourceGroups/1/flavors/0/resources/0/nominalQuota must match pattern')]);
});

test('each team has a ClusterQueue in the one cohort, for its namespace only, with its GPU quota as nominal quota on every accelerator', () => {
  const queues = all(objects, 'ClusterQueue');
  expect(queues.map((q) => q.metadata.name).sort()).toEqual(inputs.workspaces.map((w) => `llm-workspace-${w.name}`).sort());
  for (const ws of inputs.workspaces) {
    const queue = find(objects, 'ClusterQueue', `llm-workspace-${ws.name}`);
    expect(queue.spec.cohortName).toBe('llm-platform');
    expect(queue.spec.namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': `llm-workspace-${ws.name}` } });
    // The quota less what the team's servers hold (Kueue does not see them, the namespace's ResourceQuota does).
    const servers = ws.inference.models.reduce((n, m) => n + m.gpus * m.replicas, 0);
    expect(gpuQuota(queue)).toEqual(inputs.platform.training.accelerators.map(() => ({ name: 'nvidia.com/gpu', nominalQuota: ws.quota.gpus - servers, borrowingLimit: ws.quota.borrowGpus })));
    // Lent GPUs come back by preemption; a run never takes another's by borrowing.
    expect(queue.spec.preemption).toEqual({ reclaimWithinCohort: 'Any', withinClusterQueue: 'LowerPriority', borrowWithinCohort: { policy: 'Never' } });
  }
});

test('a team without servers has exactly its workspace quota as nominal quota; borrowing is its own limit, and its namespace allows it', () => {
  const { config, objects: made } = workspace({ name: 'team-q', webui: { enabled: false }, quota: { gpus: 8, borrowGpus: 8 } });
  expect(config.inference.models).toEqual([]);
  expect(new Set(gpuQuota(find(made, 'ClusterQueue', 'llm-workspace-team-q')).map((r: any) => `${r.nominalQuota}/${r.borrowingLimit}`))).toEqual(new Set(['8/8']));
  expect(find(made, 'ResourceQuota', 'workspace-quota').spec.hard['requests.nvidia.com/gpu']).toBe(16);
});

test('a ResourceFlavor per accelerator of the platform, on its nodes; each queue lists them all', () => {
  const accelerators = inputs.platform.training.accelerators.map((a) => a.name);
  const flavors = all(objects, 'ResourceFlavor').filter((f) => f.metadata.name !== 'llm-default');
  expect(flavors.map((f) => [f.metadata.name, f.spec.nodeLabels]).sort()).toEqual(accelerators.map((a) => [a, { 'cloud.google.com/gke-accelerator': a }]).sort());
  // CPU, memory and local disk: one flavor of every node, so a team's share of them counts once, whatever the accelerator.
  expect(find(objects, 'ResourceFlavor', 'llm-default').spec).toEqual({});
  for (const queue of all(objects, 'ClusterQueue')) {
    // GPUs in platform.yaml's order: Kueue tries them in turn for a run that names none.
    expect(queue.spec.resourceGroups.map((g: any) => g.flavors.map((f: any) => f.name))).toEqual([accelerators, ['llm-default']]);
    // Every resource a training pod requests is covered: Kueue refuses a workload asking for one it does not know.
    expect(queue.spec.resourceGroups.map((g: any) => g.coveredResources)).toEqual([['nvidia.com/gpu'], ['cpu', 'memory', 'ephemeral-storage']]);
    expect(queue.spec.resourceGroups[1].flavors[0].resources.every((r: any) => r.borrowingLimit === 0)).toBe(true);
  }
});

test('runs are created suspended in their workspace\'s LocalQueue, with a priority; their pods preempt nothing, servers outrank them', () => {
  const local = find(objects, 'LocalQueue', 'training', 'llm-workspace-team-alpha');
  expect(local.spec).toEqual({ clusterQueue: 'llm-workspace-team-alpha', stopPolicy: 'None' });
  const job = all(objects, 'Job').find((j) => j.metadata.namespace === 'llm-workspace-team-alpha');
  expect(job.spec.suspend).toBe(true);
  expect(job.metadata.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'training', 'kueue.x-k8s.io/priority-class': 'llm-training-normal' });
  expect(job.spec.template.spec.priorityClassName).toBe('llm-training');
  const server = find(objects, 'Deployment', 'llama-factory-inference', 'llm-workspace-team-alpha');
  expect(server.spec.template.spec.priorityClassName).toBe('llm-inference');
  const inference = find(objects, 'PriorityClass', 'llm-inference');
  const training = find(objects, 'PriorityClass', 'llm-training');
  expect(inference.value).toBeGreaterThan(training.value);
  expect([inference.preemptionPolicy, training.preemptionPolicy]).toEqual(['PreemptLowerPriority', 'Never']);
  expect(all(objects, 'WorkloadPriorityClass').map((c) => [c.metadata.name, c.value]).sort()).toEqual([['llm-training-high', 300], ['llm-training-low', 100], ['llm-training-normal', 200]]);
  // Cluster-scoped, in the shared layer; the queues in each workspace's boundary.
  for (const kind of ['PriorityClass', 'ResourceFlavor', 'WorkloadPriorityClass']) {
    expect(new Set(dist.filter((o) => o.object.kind === kind).map((o) => o.file))).toEqual(new Set(['dist/shared/manifests.yaml']));
  }
  expect(dist.filter((o) => ['ClusterQueue', 'LocalQueue'].includes(o.object.kind)).every((o) => o.file.startsWith('dist/workspace-boundaries/'))).toBe(true);
});

test('suspending a workspace holds and drains its queue, and keeps every run as it was: resuming retrains nothing that finished', () => {
  const file = { name: 'team-q', training: { runs: [{ id: 'v1', config: 'sft.yaml', registeredModel: 'm' }] } };
  const active = workspace(file).objects;
  const suspended = workspace({ ...file, state: 'suspended' }).objects;
  expect(find(suspended, 'LocalQueue', 'training').spec.stopPolicy).toBe('HoldAndDrain');
  const jobs = (made: typeof active) => all(made, 'Job');
  expect(jobs(active)).toHaveLength(1);
  // The same Job, name and all: Argo CD neither deletes it on suspend nor creates it again on resume.
  expect(jobs(suspended)).toEqual(jobs(active));
});

test('Kueue and JobSet are installed from their official charts, pinned, before the layers that hold their kinds', () => {
  const argocd = objects.filter((o) => o.apiVersion.startsWith('argoproj.io/'));
  const kueue = find(argocd, 'Application', 'kueue');
  expect(kueue.spec.source).toMatchObject({ repoURL: 'oci://registry.k8s.io/kueue/charts/kueue', path: '.', targetRevision: '0.19.2' });
  expect(find(argocd, 'Application', 'jobset').spec.source).toMatchObject({ repoURL: 'oci://registry.k8s.io/jobset/charts/jobset', targetRevision: '0.12.0' });
  const operators = find(argocd, 'AppProject', 'llm-platform-operators').spec;
  expect(operators.sourceRepos).toEqual(expect.arrayContaining(['oci://registry.k8s.io/kueue/charts/kueue', 'oci://registry.k8s.io/jobset/charts/jobset']));
  expect(operators.destinations.map((d: any) => d.namespace)).toEqual(expect.arrayContaining(['kueue-system', 'jobset-system']));
  // Kueue starts a run by unsuspending its Job: Argo CD must not suspend it again.
  const workspaces = find(argocd, 'ApplicationSet', 'llm-workspaces').spec.template.spec;
  expect(workspaces.ignoreDifferences.find((d: any) => d.kind === 'Job').jqPathExpressions).toContain('.spec.suspend');
  // The same values for a plain helm install.
  const values = parse(fs.readFileSync(path.join(fixture().dir, 'charts', 'operators', 'kueue.values.yaml'), 'utf8'));
  expect(values).toEqual(kueue.spec.source.helm.valuesObject);
});

test('the shared layer names every accelerator of platform.yaml, and only those', () => {
  const platform = { ...inputs.platform, training: { ...inputs.platform.training, accelerators: [{ name: 'nvidia-l4', nodeGpus: [1, 2, 4, 8] }] } };
  expect(all(synthShared(platform as PlatformConfig, inputs.workspaces), 'ResourceFlavor').map((f) => f.metadata.name).sort()).toEqual(['llm-default', 'nvidia-l4']);
});
