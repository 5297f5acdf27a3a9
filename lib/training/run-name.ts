import { createHash } from 'crypto';
import { TrainingRunConfig } from '../config/types';
import { workspaceSchema } from '../config/workspace-schema';
import { YamlSource } from '../config/yaml-source';

/** Prefix of every run's Job or JobSet (the guide's `llama-fine-tune`). */
export const RUN_PREFIX = 'llama-fine-tune';

type SchemaNode = { readonly type?: unknown; readonly default?: unknown; readonly properties?: Readonly<Record<string, SchemaNode>> };

/**
 * What a schema fills in where a file leaves a value out, as the loader's validator does
 * (`useDefaults`): a value's default, and inside an object that has one (or was given),
 * its properties' defaults. Read off the schema, so that rendering needs no validator.
 */
export function schemaDefaults(schema: SchemaNode, given?: unknown): unknown {
  const value = given !== undefined ? given : schema.default;
  if (value === undefined || !schema.properties || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, sub] of Object.entries(schema.properties)) {
    const filled = schemaDefaults(sub, out[key]);
    if (filled !== undefined) out[key] = filled;
  }
  return out;
}

let defaulted: Record<string, unknown> | undefined;

/** A run's fields as the schema fills them in when the file leaves them out. */
export function runDefaults(): Record<string, unknown> {
  defaulted ??= schemaDefaults(RUN_SCHEMA, { id: 'x', config: 'x.yaml', registeredModel: 'x' }) as Record<string, unknown>;
  return defaulted;
}

/** Each field's default as canonical JSON (made once: every run of every workspace is compared with them). */
let canonicalDefaults: Map<string, string> | undefined;

function canonicalDefault(field: string): string {
  canonicalDefaults ??= new Map();
  let text = canonicalDefaults.get(field);
  if (text === undefined) canonicalDefaults.set(field, text = canonical(runDefaults()[field]));
  return text;
}

/** The schema of one training run. */
const RUN_SCHEMA = (workspaceSchema.properties.training.properties.runs.items as unknown) as SchemaNode;

/** The length of a run's name for its id: `llama-fine-tune-<id>-<6 hex>`. */
export function trainingRunNameLength(id: string): number {
  return `${RUN_PREFIX}-${id}-`.length + 6;
}

/** JSON with keys sorted at every level: the same data gives the same text, however it was written. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // Built as one string (every run of every workspace is hashed this way).
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      // A hole, as `join` writes it (data read from YAML or JSON has none).
      if (i in value) text += canonical(value[i]);
    }
    return `${text}]`;
  }
  const keys = Object.keys(value).sort();
  let text = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) text += ',';
    text += `${JSON.stringify(keys[i])}:${canonical((value as Record<string, unknown>)[keys[i]])}`;
  }
  return `${text}}`;
}

/** What a training config says, parsed: a comment or a reordered key is the same config. */
function configData(file: string, text: string | undefined): unknown {
  if (text === undefined) return null;
  const parsed = YamlSource.parse(file, text);
  return parsed.problems.length === 0 ? parsed.source.data : text;
}

function jsonData(text: string | undefined): unknown {
  try {
    return text === undefined ? null : JSON.parse(text);
  } catch {
    return text;
  }
}

/** A run with what its files make of it: its name, and the DeepSpeed config its training config names (a file of the same folder), if any. */
export interface RunInfo {
  readonly run: TrainingRunConfig;
  readonly name: string;
  readonly deepspeed?: string;
}

/**
 * The workspace's runs, named, each config file parsed once. A run's Job (or JobSet) is
 * `llama-fine-tune-<id>-<hash>`: the hash of all that shapes what it trains and how (its
 * config as parsed, its DeepSpeed config, its base model, GPUs, nodes, accelerator and
 * resources, the model it registers; fields at their defaults left out), but not its
 * priority. A run is its name: a Job that finished stays finished while its workspace
 * file declares it (Argo CD, a resync or a resumed workspace create nothing new);
 * changing what it trains makes a new name, so a new run, and the old Job goes. An image
 * upgrade in platform.yaml does not rename runs: it applies to new ones. At most 63
 * characters (an id of 40). `parsedAlready`: configs the caller parsed (the loader
 * does), by file name, as `YamlSource` parsed them, before anything read into them.
 */
export function describeRuns(runs: readonly TrainingRunConfig[], configs: Readonly<Record<string, string>>, parsedAlready: ReadonlyMap<string, unknown> = new Map()): RunInfo[] {
  const parsed = new Map<string, unknown>(parsedAlready);
  const dataOf = (file: string) => {
    if (!parsed.has(file)) parsed.set(file, configData(file, configs[file]));
    return parsed.get(file);
  };
  return runs.map((run) => {
    const { id, priority, ...fields } = run; // eslint-disable-line @typescript-eslint/no-unused-vars
    // Fields at their defaults are left out: a field a later version adds with a default
    // renames no run, and writing a default out changes nothing.
    const shape = Object.fromEntries(Object.entries(fields).filter(([k, v]) => canonical(v) !== canonicalDefault(k)));
    const config = dataOf(run.config);
    const named = (config as { deepspeed?: unknown } | null)?.deepspeed;
    const deepspeed = typeof named === 'string' && configs[named] !== undefined ? named : undefined;
    const parts = { shape, config, ...(deepspeed ? { deepspeed: jsonData(configs[deepspeed]) } : {}) };
    const hash = createHash('sha256').update(canonical(parts)).digest('hex').slice(0, 6);
    return { run, name: `${RUN_PREFIX}-${id}-${hash}`, ...(deepspeed ? { deepspeed } : {}) };
  });
}
