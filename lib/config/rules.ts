import { maxReplicas } from '../serving/scaling';
import * as path from 'path';
import { backupBucketName, bucketNameProblem, secretIdProblem, serviceAccountIdProblem, sqlNameProblem, workspaceGcpNames } from '../gcp/gcp-names';
import { artifactBucketName, dataBucketName, gcpServiceAccountEmail, RESERVED_GCP_ACCOUNTS, workspaceGcpAccount, workspaceSecretsAccount } from '../names';
import { InputProblem } from './problems';
import { parseQuantity } from './quantity';
import { runDemand, serverDemand, trainingShare } from '../training/share';
import { trainingRunNameLength } from '../training/run-name';
import { PlatformConfig, ResourcesConfig, WorkspaceConfig } from './types';
import { LIMIT_OVER_REQUEST } from './workspace-schema';
import { FieldPath, showPath, YamlSource } from './yaml-source';

/*
 * The rules that a JSON Schema cannot state: across fields, across files, and against
 * names the platform reserves. Each returns the problems it finds; none throws.
 */

/** A workspace file that passed its schema. */
export interface LoadedWorkspace {
  readonly config: WorkspaceConfig;
  readonly source: YamlSource;
}

/** Workspace names the shared layer uses for its own MLflow database, bucket and secrets. */
export const RESERVED_WORKSPACE_NAMES = ['common', 'shared'];

/**
 * File name matches `name`; the name is not reserved; no two files define the same
 * workspace. Returns the workspaces whose names are sound, for the rules across files:
 * a file that only repeats another's name would otherwise be blamed twice.
 */
export function checkWorkspaceNames(workspaces: readonly LoadedWorkspace[]): { problems: InputProblem[]; named: LoadedWorkspace[] } {
  const problems: InputProblem[] = [];
  const named: LoadedWorkspace[] = [];
  const byName = new Map<string, string>();
  for (const w of workspaces) {
    const { config, source } = w;
    const stem = path.basename(source.file).replace(/\.ya?ml$/, '');
    const first = byName.get(config.name);
    if (config.name !== stem) {
      // The name is wrong, not the file that holds it rightly: no duplicate check on it.
      problems.push(source.problemAt(['name'], `'name' must match the file name '${stem}', got '${config.name}'; rename the file to ${config.name}.yaml or fix the name`));
    } else if (RESERVED_WORKSPACE_NAMES.includes(config.name)) {
      problems.push(source.problemAt(['name'], `'name' '${config.name}' is reserved for the shared layer (mlflow_common, <project>-mlflow-common); choose another name`));
    } else if (first) {
      problems.push(source.problemAt(['name'], `'name' '${config.name}' is already used by ${first}; each workspace must have its own name`));
    } else {
      byName.set(config.name, source.file);
      named.push(w);
    }
  }
  return { problems, named };
}

/** Model names are unique within a workspace. */
export function checkModelNames({ config, source }: LoadedWorkspace): InputProblem[] {
  const problems: InputProblem[] = [];
  const seen = new Map<string, number>();
  config.inference.models.forEach((model, i) => {
    const first = seen.get(model.name);
    if (first !== undefined) {
      problems.push(source.problemAt(['inference', 'models', i, 'name'],
        `'inference.models[${i}].name' '${model.name}' is already served by inference.models[${first}]; model names must be unique in a workspace`));
    } else {
      seen.set(model.name, i);
    }
  });
  return problems;
}

/** Every request is at most its limit: Kubernetes refuses to create pods otherwise. */
export function checkResources(source: YamlSource, at: FieldPath, r: ResourcesConfig): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const kind of ['cpu', 'memory', 'ephemeralStorage'] as const) {
    const { request, limit } = r[kind];
    if (parseQuantity(request) > parseQuantity(limit)) {
      const field = [...at, kind, 'request'];
      problems.push(source.problemAt(field, `'${showPath(field)}' must be at most the limit ${limit}, got ${request}`));
    }
  }
  return problems;
}

/** The resources of every container a workspace file sizes. */
export function checkWorkspaceResources({ config, source }: LoadedWorkspace): InputProblem[] {
  return [
    ...checkResources(source, ['mlflow', 'resources'], config.mlflow.resources),
    ...checkResources(source, ['webui', 'resources'], config.webui.resources),
    ...config.inference.models.flatMap((m, i) => checkResources(source, ['inference', 'models', i, 'resources'], m.resources)),
    ...config.training.runs.flatMap((r, i) => checkResources(source, ['training', 'runs', i, 'resources'], r.resources)),
  ];
}

/** The resources of every container platform.yaml sizes. */
export function checkPlatformResources(platform: PlatformConfig, source: YamlSource): InputProblem[] {
  return (['mlflow', 'console', 'gateway', 'strapi'] as const).flatMap((k) => checkResources(source, ['shared', k], platform.shared[k]));
}

/**
 * Each MLflow server has its own bucket. The names are derived from the workspace name
 * and cut with a hash to fit GCS's 63 characters, so two could only meet through a
 * cut: checked all the same, as a bucket shared by two servers would mix their models.
 */
export function checkMlflowStores(platform: PlatformConfig, workspaces: readonly LoadedWorkspace[]): InputProblem[] {
  const problems: InputProblem[] = [];
  const buckets = new Map<string, string>([[artifactBucketName(platform.project, 'common'), 'mlflow-common']]);
  const data = new Map<string, string>();
  for (const { config, source } of workspaces) {
    const bucket = artifactBucketName(platform.project, config.name);
    const owner = buckets.get(bucket);
    if (owner) {
      problems.push(source.problemAt(['name'], `'name' gives the MLflow bucket '${bucket}' (cut to fit GCS's 63 characters), which ${owner} already uses; choose another name`));
    } else {
      buckets.set(bucket, source.file);
    }
    // So does each team's training-data bucket, which only its own people may write.
    const dataBucket = dataBucketName(platform.project, config.name);
    const dataOwner = data.get(dataBucket);
    if (dataOwner) problems.push(source.problemAt(['name'], `'name' gives the training-data bucket '${dataBucket}' (cut to fit GCS's 63 characters), which ${dataOwner} already uses; choose another name`));
    else data.set(dataBucket, source.file);
  }
  return problems;
}

/**
 * Each workspace acts as a GCP identity of its own, in the platform's project: never
 * another workspace's, never the shared layer's (nor a reserved one), whether named in
 * the file or derived from the name.
 */
export function checkGcpIdentities(platform: PlatformConfig, workspaces: readonly LoadedWorkspace[]): InputProblem[] {
  const problems: InputProblem[] = [];
  const domain = `@${platform.project}.iam.gserviceaccount.com`;
  const owners = new Map<string, string>(Object.entries(RESERVED_GCP_ACCOUNTS).map(([id, what]) => [gcpServiceAccountEmail(id, platform.project), what]));
  // Each workspace's secret store has an account of its own, which no workspace may act as.
  for (const { config, source } of workspaces) owners.set(workspaceSecretsAccount(platform.project, config.name), `the secret store's identity of ${source.file}`);
  for (const { config, source } of workspaces) {
    const email = workspaceGcpAccount(platform.project, config.name, config.gcpServiceAccount);
    const field = config.gcpServiceAccount ? 'gcpServiceAccount' : 'name';
    const how = config.gcpServiceAccount ? `'gcpServiceAccount' '${email}'` : `'name' gives the service account '${email}', which`;
    if (config.gcpServiceAccount && !email.endsWith(domain)) {
      problems.push(source.problemAt([field], `'gcpServiceAccount' must be a service account of the platform's project (<id>${domain}), got '${email}'`));
      continue;
    }
    const owner = owners.get(email);
    if (owner) {
      problems.push(source.problemAt([field], `${how} is already ${owner}; each workspace acts as an identity of its own`));
    } else {
      owners.set(email, `the identity of ${source.file}`);
    }
  }
  return problems;
}

/**
 * Every GCP name the platform derives from platform.yaml and the workspace files keeps
 * to GCP's rules (lib/gcp/gcp-names.ts), reported at the field it comes from: otherwise
 * Config Connector takes the object and fails in the cluster, long after the commit.
 */
export function checkGcpNames(platform: PlatformConfig, platformSource: YamlSource, workspaces: readonly LoadedWorkspace[]): InputProblem[] {
  const problems: InputProblem[] = [];
  const at = (source: YamlSource, field: FieldPath, what: string, name: string, problem: string | undefined) => {
    if (problem) problems.push(source.problemAt(field, `'${showPath(field)}' gives the ${what} '${name}', which ${problem}; choose another`));
  };
  at(platformSource, ['project'], 'GCS bucket of mlflow-common', artifactBucketName(platform.project, 'common'), bucketNameProblem(artifactBucketName(platform.project, 'common')));
  const backups = backupBucketName(platform);
  at(platformSource, platformSource.has(['backups', 'bucket']) ? ['backups', 'bucket'] : ['project'], 'GCS bucket of the backups', backups, bucketNameProblem(backups));
  for (const { config, source } of workspaces) {
    const names = workspaceGcpNames(platform, config);
    at(source, ['name'], 'GCS bucket', names.bucket, bucketNameProblem(names.bucket));
    at(source, ['name'], 'GCS bucket', names.dataBucket, bucketNameProblem(names.dataBucket));
    if (names.accountId) at(source, ['name'], 'GCP service account id', names.accountId, serviceAccountIdProblem(names.accountId));
    at(source, ['name'], 'GCP service account id', names.secretsAccountId, serviceAccountIdProblem(names.secretsAccountId));
    at(source, ['name'], 'Cloud SQL database and user', names.database, sqlNameProblem(names.database));
    at(source, ['name'], 'Secret Manager secret', names.secretId, secretIdProblem(names.secretId));
  }
  return problems;
}

/** An amount of CPU (cores) or of memory or disk (bytes, in Gi), for a message. */
function show(kind: 'cpu' | 'memory' | 'ephemeralStorage', n: number): string {
  return kind === 'cpu' ? `${n} cores` : `${(n / 2 ** 30).toFixed(1)}Gi`;
}

/** How many of a workspace's runs Kueue may admit at once: the smallest first, within what its queue can give (its share and what it may borrow). */
function runsAtOnce(config: WorkspaceConfig): number {
  const share = trainingShare(config);
  let room = share.gpus + share.borrowGpus;
  let n = 0;
  for (const gpus of config.training.runs.map((r) => r.gpus * r.nodes).sort((a, b) => a - b)) {
    if (gpus > room) break;
    room -= gpus;
    n++;
  }
  return n;
}

/**
 * The servers a workspace declares fit in its own quota (as if active): GPUs, CPU and
 * memory requests, and the volume. Otherwise Kubernetes would refuse their pods at run
 * time, far from the file that asked for them.
 */
export function checkQuota({ config, source }: LoadedWorkspace): InputProblem[] {
  const q = config.quota;
  const servers = [
    { what: 'mlflow', replicas: 1, r: config.mlflow.resources, gpus: 0 },
    ...(config.webui.enabled ? [{ what: 'the web UI', replicas: 1, r: config.webui.resources, gpus: 0 }] : []),
    // An autoscaled model counts at its max: the quota must let it grow that far.
    ...config.inference.models.map((m) => ({ what: `inference '${m.name}'`, replicas: maxReplicas(m), r: m.resources, gpus: m.gpus })),
  ];
  const field = (name: string) => (source.has(['quota', name]) ? ['quota', name] : ['name']);
  const problems: InputProblem[] = [];
  const gpus = servers.reduce((n, s) => n + s.gpus * s.replicas, 0);
  if (gpus > q.gpus) {
    const detail = servers.filter((s) => s.gpus > 0).map((s) => `${s.what} ${s.replicas}x${s.gpus}`).join(', ');
    problems.push(source.problemAt(field('gpus'), `'quota.gpus' is ${q.gpus}, but the servers ask for ${gpus} GPUs (${detail}); raise 'quota.gpus' or ask for fewer`));
  }
  for (const kind of ['cpu', 'memory', 'ephemeralStorage'] as const) {
    const requested = servers.reduce((n, s) => n + parseQuantity(s.r[kind].request) * s.replicas, 0);
    const limited = servers.reduce((n, s) => n + parseQuantity(s.r[kind].limit) * s.replicas, 0);
    if (requested > parseQuantity(q[kind])) {
      problems.push(source.problemAt(field(kind), `'quota.${kind}' is ${q[kind]}, but the servers request ${show(kind, requested)} together; raise 'quota.${kind}' or lower their requests`));
    } else if (limited > parseQuantity(q[kind]) * LIMIT_OVER_REQUEST) {
      problems.push(source.problemAt(field(kind), `'quota.${kind}' is ${q[kind]}, so limits may reach ${show(kind, parseQuantity(q[kind]) * LIMIT_OVER_REQUEST)}, but the servers limit ${show(kind, limited)} together; raise 'quota.${kind}' or lower their limits`));
    }
  }
  // Claims: model-storage-pvc, each replica's own model volume and, on a ReadWriteOnce
  // workspace, the own volume of each run that runs: as many as Kueue may admit at once
  // (the smallest first, within what the queue can give), the largest volumes counted.
  const replicas = config.inference.models.reduce((n, m) => n + maxReplicas(m), 0);
  const together = config.storage.accessMode === 'ReadWriteOnce' ? runsAtOnce(config) : 0;
  const scratch = config.training.runs.map((r) => parseQuantity(r.scratchSize)).sort((a, b) => b - a).slice(0, together);
  const claims = 1 + replicas + together;
  const bytes = parseQuantity(config.storage.size)
    + config.inference.models.reduce((n, m) => n + maxReplicas(m) * parseQuantity(m.cacheSize), 0)
    + scratch.reduce((n, b) => n + b, 0);
  const ownRun = together > 0;
  const parts = `'storage.size' ${config.storage.size}${replicas > 0 ? `, ${replicas} replica model volume(s)` : ''}${together > 0 ? `, the own volumes of ${together} run(s) that may run at once` : ''}`;
  if (bytes > parseQuantity(q.storage)) {
    problems.push(source.problemAt(field('storage'), `'quota.storage' is ${q.storage}, but ${parts} take ${(bytes / 2 ** 30).toFixed(0)}Gi together; raise 'quota.storage' or ask for less`));
  }
  if (claims > q.persistentVolumeClaims) {
    problems.push(source.problemAt(field('persistentVolumeClaims'), `'quota.persistentVolumeClaims' is ${q.persistentVolumeClaims}, but the workspace holds ${claims} claims at once (model-storage-pvc${replicas > 0 ? `, one per inference replica (${replicas})` : ''}${ownRun ? `, one per run that may run at once (${together})` : ''}); raise 'quota.persistentVolumeClaims'`));
  }
  return problems;
}

/**
 * A model's autoscaling holds together: min at most max, a target its metric can reach
 * (a KV-cache share is at most 1; waiting requests are counted whole), and no fixed
 * `replicas` beside it, which it would silently override.
 */
export function checkAutoscaling({ config, source }: LoadedWorkspace): InputProblem[] {
  return config.inference.models.flatMap((m, i) => {
    const a = m.autoscaling;
    if (!a) return [];
    const at = (...rest: (string | number)[]) => ['inference', 'models', i, ...rest];
    const problems: InputProblem[] = [];
    if (a.min > a.max) problems.push(source.problemAt(at('autoscaling', 'min'), `'inference.models[${i}].autoscaling.min' is ${a.min}, more than its max ${a.max}`));
    if (a.target !== undefined && a.metric === 'kvCacheUsage' && a.target > 1) {
      problems.push(source.problemAt(at('autoscaling', 'target'), `'inference.models[${i}].autoscaling.target' is ${a.target}, but a KV-cache share is at most 1 (0.8 is 80%)`));
    }
    if (a.target !== undefined && a.metric === 'waitingRequests' && a.target < 1) {
      problems.push(source.problemAt(at('autoscaling', 'target'), `'inference.models[${i}].autoscaling.target' is ${a.target} waiting requests a replica; give at least 1 (did you mean metric: kvCacheUsage?)`));
    }
    if (m.canary && a.min === 0) {
      problems.push(source.problemAt(at('canary'), `'inference.models[${i}].canary' needs the main version up to share its requests, but 'autoscaling.min' is 0; set min to 1 or more while the canary runs`));
    }
    if (source.has(at('replicas'))) {
      problems.push(source.problemAt(at('replicas'), `'inference.models[${i}].replicas' is set beside 'autoscaling', which decides the replicas; remove one of them`));
    }
    return problems;
  });
}

/** A training config that passed its schema. */
export interface TrainingConfigFile {
  readonly text: string;
  readonly source: YamlSource;
  readonly data: Record<string, unknown>;
  /** Its data as parsed, before the PyYAML reading and the schema's defaults changed `data` (what run names hash). */
  readonly parsed: unknown;
}

/**
 * `trust_remote_code: true` runs Python that comes with the model: a config may set it
 * only when every run that uses it starts from a base model the platform trusts
 * (`training.trustRemoteCode` in platform.yaml), pinned in mlflow-common, which teams
 * cannot write. A config no run uses could be started with any model, so it may not.
 */
export function checkRemoteCode(platform: PlatformConfig, { config }: LoadedWorkspace, configs: Readonly<Record<string, TrainingConfigFile>>): InputProblem[] {
  const trusted = platform.training.trustRemoteCode;
  const known = trusted.length > 0 ? trusted.join(', ') : 'none';
  return Object.entries(configs).filter(([, c]) => c.data.trust_remote_code === true).flatMap(([file, c]) => {
    const runs = config.training.runs.filter((r) => r.config === file);
    const untrusted = runs.filter((r) => !r.baseModel || !trusted.includes(r.baseModel.name));
    const at = (why: string) => c.source.problemAt(['trust_remote_code'],
      `'trust_remote_code' is true, which runs the model's own Python code; ${why} (training.trustRemoteCode in platform.yaml: ${known})`);
    if (runs.length === 0) return [at('no run uses this config, so it could start from any model; allowed only for runs from a trusted base model')];
    return untrusted.map((r) => at(`run '${r.id}' starts from ${r.baseModel ? `'${r.baseModel.name}', which the platform does not trust` : "the config's model_name_or_path, not a trusted base model"}`));
  });
}

/**
 * Each run can ever start: its accelerator is one the platform has, its GPUs per node a
 * count that accelerator's nodes come with, and all it asks for on all its nodes fits in
 * what its team's queue can give (the quota less the servers, plus the GPUs it may
 * borrow). Otherwise Kueue would hold it forever, far from the file that asked for it.
 */
export function checkRunSizes(platform: PlatformConfig, { config, source }: LoadedWorkspace): InputProblem[] {
  const problems: InputProblem[] = [];
  const accelerators = platform.training.accelerators;
  const share = trainingShare(config);
  const serverLimits = serverDemand(config, 'limit');
  config.training.runs.forEach((run, i) => {
    const at = (f: string) => (source.has(['training', 'runs', i, f]) ? ['training', 'runs', i, f] : ['training', 'runs', i, 'id']);
    const named = run.accelerator === undefined ? undefined : accelerators.find((a) => a.name === run.accelerator);
    if (run.accelerator !== undefined && !named) {
      problems.push(source.problemAt(at('accelerator'), `'training.runs[${i}].accelerator' is '${run.accelerator}', which is not an accelerator of the platform; known: ${accelerators.map((a) => a.name).join(', ')} (training.accelerators in platform.yaml)`));
      return;
    }
    const shapes = named ? [named] : accelerators;
    if (!shapes.some((a) => a.nodeGpus.includes(run.gpus))) {
      const counts = named ? named.nodeGpus.join(', ') : [...new Set(accelerators.flatMap((a) => a.nodeGpus))].sort((a, b) => a - b).join(', ');
      problems.push(source.problemAt(at('gpus'), `'training.runs[${i}].gpus' is ${run.gpus} GPUs per node, but ${named ? `${named.name} nodes come with ${counts}` : `the platform's nodes come with ${counts}`}; ask for one of these per node, and for more nodes ('nodes') to go further`));
      return;
    }
    // A JobSet's pods are named <run name>-node-0-<index>, a DNS label of at most 63.
    const longestHostname = trainingRunNameLength(run.id) + `-node-0-${run.nodes - 1}`.length;
    if (run.nodes > 1 && longestHostname > 63) {
      problems.push(source.problemAt(['training', 'runs', i, 'id'], `'training.runs[${i}].id' '${run.id}' is too long for a run of ${run.nodes} nodes: its pods' names (llama-fine-tune-<id>-<hash>-node-0-<n>) would pass 63 characters; use at most ${run.id.length - (longestHostname - 63)} characters`));
    }
    if (run.nodes > 1 && config.storage.accessMode !== 'ReadWriteMany') {
      problems.push(source.problemAt(at('nodes'), `run '${run.id}' runs on ${run.nodes} nodes, which all write its checkpoints to model-storage-pvc, but a ReadWriteOnce volume attaches to one node; set 'storage.accessMode: ReadWriteMany' with a class like 'standard-rwx' (Filestore)`));
    }
    const demand = runDemand(run);
    const most = share.gpus + share.borrowGpus;
    if (demand.gpus > most) {
      problems.push(source.problemAt(at(run.nodes > 1 ? 'nodes' : 'gpus'), `run '${run.id}' asks for ${demand.gpus} GPUs (${run.gpus} on each of ${run.nodes} node(s)), but its queue can give at most ${most}: 'quota.gpus' ${config.quota.gpus} less the servers' ${config.quota.gpus - share.gpus}, plus 'quota.borrowGpus' ${share.borrowGpus}; raise them or ask for fewer`));
    }
    const limits = runDemand(run, 'limit');
    for (const kind of ['cpu', 'memory', 'ephemeralStorage'] as const) {
      const room = Math.max(0, parseQuantity(config.quota[kind]) * LIMIT_OVER_REQUEST - serverLimits[kind]);
      if (demand[kind] > share[kind]) {
        problems.push(source.problemAt(at('resources'), `run '${run.id}' requests ${show(kind, demand[kind])} of ${kind} on all its nodes, but 'quota.${kind}' ${config.quota[kind]} leaves its runs ${show(kind, share[kind])} beside the servers; raise 'quota.${kind}' or lower the run's requests`));
      } else if (limits[kind] > room) {
        problems.push(source.problemAt(at('resources'), `run '${run.id}' limits ${show(kind, limits[kind])} of ${kind} on all its nodes, but 'quota.${kind}' ${config.quota[kind]} lets limits reach ${show(kind, room)} beside the servers; raise 'quota.${kind}' or lower the run's limits`));
      }
    }
  });
  return problems;
}

/**
 * A config that asks for DeepSpeed names a DeepSpeed config of its own folder (a .json
 * file beside it), which is mounted with it; a path into the image or elsewhere would be
 * found, or not, only on the GPUs.
 */
export function checkDeepspeedReference(c: TrainingConfigFile, deepspeedFiles: readonly string[]): InputProblem[] {
  const value = c.data.deepspeed;
  if (value === undefined || value === null) return [];
  if (typeof value === 'string' && deepspeedFiles.includes(value)) return [];
  return [c.source.problemAt(['deepspeed'], `'deepspeed' is ${JSON.stringify(value)}; name a DeepSpeed config (.json) of this folder (there: ${deepspeedFiles.join(', ') || 'none'}), which is mounted beside this file`)];
}

/** The data sets a training config names (`dataset`, `eval_dataset`: a comma-separated string or a list, as LLaMA-Factory splits them). */
function datasetsOf(data: Record<string, unknown>, key: 'dataset' | 'eval_dataset'): string[] {
  const value = data[key];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return items.filter((x): x is string => typeof x === 'string').map((x) => x.trim()).filter(Boolean);
}

/**
 * When a workspace declares its data sets (`training.datasets`: the names of its data
 * bucket's dataset_info.json), every config names only those: a typo would otherwise be
 * found by LLaMA-Factory on the GPUs, after the queue and the download.
 */
export function checkDatasets({ config }: LoadedWorkspace, configs: Readonly<Record<string, TrainingConfigFile>>): InputProblem[] {
  const declared = config.training.datasets;
  if (declared.length === 0) return [];
  return Object.values(configs).flatMap((c) => (['dataset', 'eval_dataset'] as const).flatMap((key) => datasetsOf(c.data, key)
    .filter((d) => !declared.includes(d))
    .map((d) => c.source.problemAt([key], `'${key}' names '${d}', which is not a data set of workspace ${config.name} (training.datasets: ${declared.join(', ')}); add it to the data bucket's dataset_info.json and to training.datasets, or fix the name`))));
}

/** Run ids are unique and each run's config exists (the quota is checked with the servers, in `checkQuota`). */
export function checkRuns({ config, source }: LoadedWorkspace, configFiles: readonly string[]): InputProblem[] {
  const problems: InputProblem[] = [];
  const seen = new Map<string, number>();
  config.training.runs.forEach((run, i) => {
    const at = (f: string) => ['training', 'runs', i, f];
    const first = seen.get(run.id);
    if (first !== undefined) {
      problems.push(source.problemAt(at('id'), `'training.runs[${i}].id' '${run.id}' is already used by training.runs[${first}]; a new run needs a new id`));
    } else {
      seen.set(run.id, i);
    }
    if (!configFiles.includes(run.config)) {
      problems.push(source.problemAt(at('config'), `'training.runs[${i}].config' names '${run.config}', which is not in workspaces/${config.name}/training/ (there: ${configFiles.join(', ') || 'nothing'})`));
    }
  });
  return problems;
}

/**
 * Gateway records: a model id belongs to one workspace only (the gateway routes by it),
 * and a model's allowed clients are clients the platform knows.
 */
export function checkGatewayRecords(platform: PlatformConfig, workspaces: readonly LoadedWorkspace[]): InputProblem[] {
  const problems: InputProblem[] = [];
  const owners = new Map<string, string>();
  for (const { config, source } of workspaces) {
    config.inference.models.forEach((m, i) => {
      const owner = owners.get(m.name);
      if (owner && owner !== config.name) {
        problems.push(source.problemAt(['inference', 'models', i, 'name'], `'inference.models[${i}].name' '${m.name}' is already a model id of workspace ${owner}; the gateway routes by model id, so each must be unique`));
      } else {
        owners.set(m.name, config.name);
      }
      m.gateway.allowedClients.forEach((c, j) => {
        if (!platform.clients.includes(c)) {
          const field = ['inference', 'models', i, 'gateway', 'allowedClients', j];
          problems.push(source.problemAt(field, `'${showPath(field)}' is '${c}', which is not a client of the platform; known: ${platform.clients.join(', ') || 'none'} (clients in platform.yaml)`));
        }
      });
    });
  }
  return problems;
}
