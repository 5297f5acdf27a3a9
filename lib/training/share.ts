import { maxReplicas } from '../serving/scaling';
import { parseQuantity } from '../config/quantity';
import { ResourcesConfig, TrainingRunConfig, WorkspaceConfig } from '../config/types';

/**
 * What a workspace's training runs may use: its quota less what its servers hold (MLflow,
 * the web UI, the inference servers at their declared replicas, counted as if the
 * workspace were active, so that suspending it changes no queue). This is the team's
 * nominal quota in its Kueue queue: Kueue admits a run only while the namespace's
 * ResourceQuota can hold its pods beside the servers, which Kueue does not see.
 */
export interface TrainingShare {
  readonly gpus: number;
  /** GPUs its runs may borrow from other teams' idle quota. */
  readonly borrowGpus: number;
  /** Cores. */
  readonly cpu: number;
  /** Bytes. */
  readonly memory: number;
  /** Bytes. */
  readonly ephemeralStorage: number;
}

/** What a run asks for on all its nodes together (its pods' requests; GPUs per node times nodes). */
export interface RunDemand {
  readonly gpus: number;
  readonly cpu: number;
  readonly memory: number;
  readonly ephemeralStorage: number;
}

function requests(r: ResourcesConfig, times: number, of: 'request' | 'limit' = 'request') {
  return {
    cpu: parseQuantity(r.cpu[of]) * times,
    memory: parseQuantity(r.memory[of]) * times,
    ephemeralStorage: parseQuantity(r.ephemeralStorage[of]) * times,
  };
}

/** What the workspace's servers request (or, with `of: 'limit'`, limit), as if active. */
export function serverDemand(config: WorkspaceConfig, of: 'request' | 'limit' = 'request'): RunDemand {
  const parts = [
    { ...requests(config.mlflow.resources, 1, of), gpus: 0 },
    ...(config.webui.enabled ? [{ ...requests(config.webui.resources, 1, of), gpus: 0 }] : []),
    // An autoscaled model at its max: what it may take at the busiest hour is not training's.
    ...config.inference.models.map((m) => ({ ...requests(m.resources, maxReplicas(m), of), gpus: m.gpus * maxReplicas(m) })),
  ];
  return parts.reduce((a, b) => ({ gpus: a.gpus + b.gpus, cpu: a.cpu + b.cpu, memory: a.memory + b.memory, ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage }),
    { gpus: 0, cpu: 0, memory: 0, ephemeralStorage: 0 });
}

export function trainingShare(config: WorkspaceConfig): TrainingShare {
  const q = config.quota;
  const servers = serverDemand(config);
  return {
    gpus: Math.max(0, q.gpus - servers.gpus),
    borrowGpus: q.borrowGpus,
    cpu: Math.max(0, parseQuantity(q.cpu) - servers.cpu),
    memory: Math.max(0, parseQuantity(q.memory) - servers.memory),
    ephemeralStorage: Math.max(0, parseQuantity(q.ephemeralStorage) - servers.ephemeralStorage),
  };
}

/**
 * The Cloud Storage FUSE sidecar GKE adds to every run pod (the data bucket): what the
 * pod's annotations give it. Its defaults set no limits, which the namespace's quota
 * requires.
 */
export const GCSFUSE_SIDECAR = {
  cpu: { request: '250m', limit: '1' },
  memory: { request: '256Mi', limit: '2Gi' },
  ephemeralStorage: { request: '5Gi', limit: '10Gi' },
} as const;

/** What a run asks for on all its nodes, its pods' data sidecars included (Kueue sees the training container only). */
export function runDemand(run: TrainingRunConfig, of: 'request' | 'limit' = 'request'): RunDemand {
  const own = requests(run.resources, run.nodes, of);
  const sidecar = requests(GCSFUSE_SIDECAR, run.nodes, of);
  return { cpu: own.cpu + sidecar.cpu, memory: own.memory + sidecar.memory, ephemeralStorage: own.ephemeralStorage + sidecar.ephemeralStorage, gpus: run.gpus * run.nodes };
}

/** Cores as a quantity: `28`, or `27500m`. */
export function coresQuantity(cores: number): string {
  return Number.isInteger(cores) ? String(cores) : `${Math.round(cores * 1000)}m`;
}

/** Bytes as a quantity: `224Gi`, or in Mi (rounded down). */
export function bytesQuantity(bytes: number): string {
  return bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30}Gi` : `${Math.floor(bytes / 2 ** 20)}Mi`;
}
