import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { isNode, LineCounter, parseDocument, stringify } from 'yaml';
import { InputError } from '../lib/config/problems';
import { MAX_MODEL_NAME, MAX_WORKSPACE_NAME } from '../lib/config/workspace-schema';
import { showPath } from '../lib/config/yaml-source';
import { checkObjects } from '../lib/policy/check';
import { renderWorkspace, synthShared, synthWorkspace } from '../lib/synth';
import { sandbox, Sandbox } from './helpers';

/*
 * Property-based tests: any set of valid workspace files gives schema-valid,
 * policy-clean output; any mutation of one gives either valid output or clear problems
 * that point at the mutated field, never a crash; and synth never writes output when it
 * fails. Seeds are fixed: every run tries the same cases (set FC_SEED to explore others).
 */

const seed = Number(process.env.FC_SEED ?? 20261130);

/** DNS labels with dashes, from one character up to `max`, the longest included. */
const dnsLabel = (max: number) => fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(new RegExp(`^[a-z](-?[a-z0-9]){0,${Math.min(max - 1, 12)}}$`)) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z][-a-z0-9]*$/).map((s) => `${`${s}${'x'.repeat(max)}`.slice(0, max - 1)}z`) },
);

/** Request and limit with request <= limit (equal included: Guaranteed QoS). */
const figures = (unit: string, max: number) => fc.tuple(fc.integer({ min: 1, max }), fc.integer({ min: 0, max })).map(([r, extra]) => ({ request: `${r}${unit}`, limit: `${r + extra}${unit}` }));
const resources = fc.record({ cpu: figures('', 8), memory: figures('Gi', 64) }, { requiredKeys: [] });

const CLIENTS = ['app-search', 'app-assistant'];

/** One workspace's shape; names are made unique across a set by {@link workspaceSet}. */
const workspaceShape = fc.record({
  name: dnsLabel(MAX_WORKSPACE_NAME),
  state: fc.constantFrom('active', 'suspended'),
  storage: fc.record({ size: fc.integer({ min: 1, max: 900 }).map((n) => `${n}Gi`), storageClassName: fc.constantFrom('premium-rwo', 'standard-rwx'), accessMode: fc.constantFrom('ReadWriteOnce', 'ReadWriteMany') }, { requiredKeys: [] }),
  webui: fc.record({ enabled: fc.boolean(), resources }, { requiredKeys: [] }),
  models: fc.uniqueArray(fc.record({
    name: dnsLabel(12),
    gpus: fc.integer({ min: 1, max: 4 }),
    replicas: fc.integer({ min: 0, max: 3 }),
    version: fc.oneof(fc.constant('latest'), fc.integer({ min: 1, max: 99 }).map(String)),
    accelerator: fc.constantFrom(undefined, 'nvidia-l4', 'nvidia-tesla-a100'),
    resources,
    gateway: fc.record({ enabled: fc.boolean(), rateLimit: fc.integer({ min: 1, max: 1_000_000 }), allowedClients: fc.subarray(CLIENTS) }, { requiredKeys: [] }),
  }, { requiredKeys: ['name', 'gpus', 'replicas', 'version'] }), { maxLength: 3, selector: (m) => m.name }),
  runs: fc.uniqueArray(fc.record({
    id: dnsLabel(10),
    gpus: fc.integer({ min: 1, max: 2 }),
    nodes: fc.constantFrom(1, 2),
    priority: fc.constantFrom('low', 'normal', 'high'),
    baseModel: fc.constantFrom(undefined, { name: 'llama-3-8b-base', version: 1 }, { name: 'qwen-base', version: 3 }),
    resources,
  }, { requiredKeys: ['id', 'gpus'] }), { maxLength: 2, selector: (r) => r.id }),
  slack: fc.record({ gpus: fc.integer({ min: 0, max: 3 }), cpu: fc.integer({ min: 0, max: 16 }) }),
});

type Shape = typeof workspaceShape extends fc.Arbitrary<infer T> ? T : never;

const defined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const cores = (r: { cpu?: { request: string; limit: string } } | undefined, d: number) => Number(r?.cpu?.limit ?? d);
const gi = (r: { memory?: { request: string; limit: string } } | undefined, d: number) => parseInt(r?.memory?.limit ?? `${d}`, 10);

/** A valid workspace file of a shape: the quota covers what it declares, its model ids are its own. */
function workspaceFile(shape: Shape, index: number): Record<string, unknown> {
  const { models, runs, name, slack, ...ws } = shape;
  const active = models.map((m) => m.replicas);
  const servers = [
    { gpus: 0, cpu: cores(undefined, 2), mem: gi(undefined, 4) },
    { gpus: 0, cpu: cores(ws.webui.resources, 4), mem: gi(ws.webui.resources, 16) },
    ...models.flatMap((m, i) => Array.from({ length: active[i] }, () => ({ gpus: m.gpus, cpu: cores(m.resources, 8), mem: gi(m.resources, 32) }))),
    // Each node of a run, with its data sidecar (1 core, 2Gi of limits).
    ...runs.flatMap((r) => Array.from({ length: r.nodes ?? 1 }, () => ({ gpus: r.gpus, cpu: cores(r.resources, 16) + 1, mem: gi(r.resources, 64) + 2 }))),
  ];
  const nodes = runs.reduce((n, r) => n + (r.nodes ?? 1), 0);
  const sum = (f: (s: typeof servers[number]) => number) => servers.reduce((n, s) => n + f(s), 0);
  return {
    name,
    ...ws,
    // A run of several nodes writes its checkpoints to the workspace volume: ReadWriteMany.
    ...(runs.some((r) => (r.nodes ?? 1) > 1) ? { storage: { ...ws.storage, accessMode: 'ReadWriteMany' } } : {}),
    // Limits are at most twice the quota's requests; a quota of the limits covers both.
    // Volumes: the workspace's, each replica's own (100Gi) and a run's own (200Gi).
    quota: {
      gpus: sum((s) => s.gpus) + slack.gpus, cpu: String(sum((s) => s.cpu) + slack.cpu), memory: `${sum((s) => s.mem)}Gi`,
      // Local disk limits: MLflow 4, the web UI 20, a replica 20, a run's node 100 and its sidecar 10.
      ephemeralStorage: `${4 + 20 + 20 * active.reduce((n, r) => n + r, 0) + 110 * nodes}Gi`,
      storage: `${parseInt(ws.storage.size ?? '200Gi', 10) + 100 * active.reduce((n, r) => n + r, 0) + 200 * runs.length}Gi`, persistentVolumeClaims: 1 + active.reduce((n, r) => n + r, 0) + runs.length,
    },
    // Model ids are unique across workspaces: each carries its workspace's index.
    inference: { models: models.map((m) => defined({ ...m, name: `w${index}-${m.name}`.slice(0, MAX_MODEL_NAME).replace(/-+$/, '') })) },
    training: { runs: runs.map((r) => ({ ...defined(r), config: 'sft.yaml', registeredModel: `model-${r.id}` })) },
  };
}

/** One to three valid workspace files at once, with unique names (the rules across files apply). */
const workspaceSet = fc.uniqueArray(workspaceShape, { minLength: 1, maxLength: 3, selector: (w) => w.name })
  .map((shapes) => shapes.map(workspaceFile));

/** A training config the runs above use. */
const SFT = 'model_name_or_path: /models/base-model\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: qa\ntemplate: qwen\noutput_dir: /output/sft\n';

let box: Sandbox;
beforeAll(() => {
  box = sandbox();
});
afterAll(() => box.remove());

function writeOnly(files: Record<string, string>): void {
  for (const f of fs.readdirSync(path.join(box.dir, 'workspaces'))) fs.rmSync(path.join(box.dir, 'workspaces', f), { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    box.write(`workspaces/${name}.yaml`, content);
    box.write(`workspaces/${name}/training/sft.yaml`, SFT);
  }
}

test('any set of valid workspace files synthesizes into schema-valid, policy-clean objects', () => {
  fc.assert(fc.property(workspaceSet, (files) => {
    writeOnly(Object.fromEntries(files.map((f) => [f.name as string, stringify(f)])));
    const inputs = box.load();
    expect(inputs.workspaces.map((w) => w.name).sort()).toEqual(files.map((f) => f.name).sort());
    const objects = [synthShared(inputs.platform, inputs.workspaces), ...inputs.workspaces.map((w) => synthWorkspace(inputs.platform, w, inputs.trainingConfigs[w.name]))];
    expect(checkObjects(objects.flat())).toEqual([]);
    // Every run stays declared, suspended workspace or not: its queue holds it; one of
    // several nodes is a JobSet.
    inputs.workspaces.forEach((ws, i) => {
      const runs = objects[i + 1].filter((o) => o.kind === 'Job' || o.kind === 'JobSet');
      expect(runs.map((o) => o.kind).sort()).toEqual(ws.training.runs.map((r) => (r.nodes > 1 ? 'JobSet' : 'Job')).sort());
      // Rendered whole, as synth renders it: split into boundary and own objects, checked, charted.
      expect(renderWorkspace(inputs.platform, ws, `workspaces/${ws.name}.yaml`, inputs.trainingConfigs[ws.name], {}).problems).toEqual([]);
    });
  }), { seed, numRuns: 40 });
});

/** A value of any shape, unicode and huge numbers included. */
const junk = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.fullUnicodeString({ maxLength: 40 }),
  fc.constantFrom(1e308, -1, 0.5, 2 ** 53, '', '200GB', 'latest', '../..', '{{ x }}', '💥', null, true, [], {}, '2', 'true'),
);

/** A path to mutate: a field of the schema, or a field it does not know. */
const fieldPath = fc.constantFrom<(string | number)[]>(
  ['name'], ['state'], ['gcpServiceAccount'], ['storage'], ['storage', 'size'], ['storage', 'accessMode'], ['webui', 'enabled'],
  ['quota', 'gpus'], ['quota', 'memory'], ['inference'], ['inference', 'models'], ['inference', 'models', 0], ['inference', 'models', 0, 'gpus'],
  ['inference', 'models', 0, 'name'], ['inference', 'models', 0, 'resources', 'cpu', 'limit'], ['mlflow', 'resources'], ['unknownField'], ['storage', 'sise'],
  ['training', 'runs', 0, 'config'], ['training', 'runs', 0, 'gpus'], ['training', 'runs', 0, 'id'], ['inference', 'models', 0, 'gateway', 'allowedClients'],
  ['inference', 'models', 0, 'gateway', 'rateLimit'], ['webui', 'resources', 'memory', 'request'],
);

function setIn(target: any, at: readonly (string | number)[], value: unknown): void {
  let o = target;
  for (const key of at.slice(0, -1)) {
    if (o[key] === null || typeof o[key] !== 'object') o[key] = typeof key === 'number' ? [] : {};
    o = o[key];
  }
  o[at[at.length - 1]] = value;
}

/** The lines a field spans in a YAML text: from its key to the end of its value. */
function fieldLines(text: string, at: readonly (string | number)[]): [number, number] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const node = doc.getIn(at, true);
  const parent = at.length > 1 ? doc.getIn(at.slice(0, -1), true) : doc.contents;
  const pair = (parent as any)?.items?.find((p: any) => p.key && String(p.key.value ?? p.key) === String(at[at.length - 1]));
  const start = pair?.key?.range?.[0] ?? (isNode(node) ? node.range![0] : 0);
  const end = isNode(node) ? node.range![1] : start;
  // A value's range ends after its line break: the last line is the one before.
  return [lines.linePos(start).line, lines.linePos(Math.max(start, end - 1)).line];
}

let pointed = 0;

/** Loads and synthesizes: only InputError may come out, with one-line problems; those about the mutated field point into it. */
function loadsCleanlyOrReports(file: string, text: string, at?: readonly (string | number)[]): void {
  try {
    const inputs = box.load();
    for (const w of inputs.workspaces) synthWorkspace(inputs.platform, w);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    expect(e.problems.length).toBeGreaterThan(0);
    for (const p of e.problems) {
      expect(p.file).toBe(file);
      expect(p.message).not.toMatch(/\n|undefined|\[object Object\]|at .*\.js:\d+/);
    }
    if (!at) return;
    const field = showPath(at);
    const about = e.problems.filter((p) => {
      const named = /^'([^']+)'/.exec(p.message)?.[1];
      return named !== undefined && (named === field || named.startsWith(`${field}.`) || named.startsWith(`${field}[`));
    });
    const [first, last] = fieldLines(text, at);
    for (const p of about) expect({ problem: `${p.line}: ${p.message}`, within: p.line >= first && p.line <= last }).toEqual({ problem: `${p.line}: ${p.message}`, within: true });
    if (about.length > 0) pointed++;
  }
}

test('any mutation of a valid file gives valid output or clear problems that point at the mutated field', () => {
  pointed = 0;
  fc.assert(fc.property(workspaceShape, fieldPath, junk, (shape, at, value) => {
    const mutated = JSON.parse(JSON.stringify(workspaceFile(shape, 0)));
    setIn(mutated, at, value);
    const text = stringify(mutated);
    writeOnly({ [shape.name]: text });
    loadsCleanlyOrReports(`workspaces/${shape.name}.yaml`, text, at);
  }), { seed, numRuns: 300 });
  // Not vacuous: most mutations are reported at the field they broke.
  expect(pointed).toBeGreaterThan(150);
});

test('any text at all as a workspace file gives clear problems, never a crash', () => {
  fc.assert(fc.property(fc.oneof(fc.fullUnicodeString({ maxLength: 200 }), fc.stringOf(fc.constantFrom(':', '-', ' ', '\n', '[', '{', '"', 'a', '#', '&', '*', '!', '|', '\t'), { maxLength: 60 })), (text) => {
    writeOnly({ 'team-x': text });
    loadsCleanlyOrReports('workspaces/team-x.yaml', text);
  }), { seed, numRuns: 300 });
});

test('when synth fails on a mutated file, it writes nothing', async () => {
  const base = { name: 'team-x' };
  writeOnly({ 'team-x': stringify(base) });
  expect((await box.synth()).status).toBe(0);
  const before = [box.digest('dist'), box.digest('charts'), box.digest('schemas')];
  await fc.assert(fc.asyncProperty(fieldPath, junk, async (at, value) => {
    const mutated: any = JSON.parse(JSON.stringify(base));
    setIn(mutated, at, value);
    writeOnly({ 'team-x': stringify(mutated) });
    const r = await box.synth();
    expect(r.stderr).not.toMatch(/^\s+at /m);
    if (r.status !== 0) {
      expect(r.status).toBe(1);
      expect([box.digest('dist'), box.digest('charts'), box.digest('schemas')]).toEqual(before);
    } else {
      writeOnly({ 'team-x': stringify(base) });
      expect((await box.synth()).status).toBe(0);
    }
  }), { seed, numRuns: 30 });
});
