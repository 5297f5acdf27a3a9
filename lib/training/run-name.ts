import { createHash } from 'crypto';
import { TrainingRunConfig } from '../config/types';
import { YamlSource } from '../config/yaml-source';

/** Prefix of every run's Job or JobSet (the guide's `llama-fine-tune`). */
export const RUN_PREFIX = 'llama-fine-tune';

/** JSON with keys sorted at every level: the same data gives the same text, however it was written. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What a training config says, parsed: a comment or a reordered key is the same config. */
function configData(file: string, text: string | undefined): unknown {
  if (text === undefined) return null;
  const parsed = YamlSource.parse(file, text);
  return parsed.problems.length === 0 ? parsed.source.data : text;
}

/**
 * The name of a run's Job (or JobSet): `llama-fine-tune-<id>-<hash>`, the hash of all
 * that shapes what it trains and how (its config as parsed, its base model, its GPUs,
 * nodes, accelerator and resources, the model it registers), but its priority. A run is
 * its name: a Job that finished stays finished while its workspace file declares it
 * (Argo CD, a resync or a resumed workspace create nothing new); changing what it trains
 * makes a new name, so a new run, and the old Job goes. An image upgrade in platform.yaml
 * does not rename runs: it applies to new ones. At most 63 characters (an id of 40).
 */
export function trainingRunName(run: TrainingRunConfig, configs: Readonly<Record<string, string>>): string {
  const { id, priority, ...shape } = run; // eslint-disable-line @typescript-eslint/no-unused-vars
  const deepspeed = deepspeedFile(run, configs);
  const parts = { shape, config: configData(run.config, configs[run.config]), ...(deepspeed ? { deepspeed: jsonData(configs[deepspeed]) } : {}) };
  const hash = createHash('sha256').update(canonical(parts)).digest('hex').slice(0, 6);
  return `${RUN_PREFIX}-${id}-${hash}`;
}

function jsonData(text: string | undefined): unknown {
  try {
    return text === undefined ? null : JSON.parse(text);
  } catch {
    return text;
  }
}

/** The DeepSpeed config (a file of the same folder) a run's training config names, if any. */
export function deepspeedFile(run: TrainingRunConfig, configs: Readonly<Record<string, string>>): string | undefined {
  const data = configData(run.config, configs[run.config]) as { deepspeed?: unknown } | null;
  return typeof data?.deepspeed === 'string' && configs[data.deepspeed] !== undefined ? data.deepspeed : undefined;
}
