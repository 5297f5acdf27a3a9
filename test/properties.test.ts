import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { InputError } from '../lib/config/problems';
import { checkObjects } from '../lib/policy/check';
import { synthWorkspace } from '../lib/synth';
import { sandbox, Sandbox } from './helpers';

/*
 * Property-based tests: any valid workspace file gives schema-valid, policy-clean
 * output; any mutation of one gives either valid output or clear problems, never a
 * crash, and synth never writes output when it fails. Seeds are fixed: every run tries
 * the same cases (set FC_SEED to explore others).
 */

const seed = Number(process.env.FC_SEED ?? 20261130);
const dns = (max: number) => fc.stringMatching(new RegExp(`^[a-z][a-z0-9]{0,${max - 2}}[a-z0-9]$`));
const quantity = (units: string[], max: number) => fc.tuple(fc.integer({ min: 1, max }), fc.constantFrom(...units)).map(([n, u]) => `${n}${u}`);

/** Random valid workspace files (the schema's shapes, the rules across fields kept). */
const workspaceFile = fc.record({
  name: dns(20),
  state: fc.constantFrom('active', 'suspended'),
  storage: fc.record({ size: quantity(['Gi'], 900), storageClassName: fc.constantFrom('premium-rwo', 'standard-rwx'), accessMode: fc.constantFrom('ReadWriteOnce', 'ReadWriteMany') }, { requiredKeys: [] }),
  webui: fc.record({ enabled: fc.boolean() }, { requiredKeys: [] }),
  models: fc.uniqueArray(fc.record({
    name: dns(12),
    gpus: fc.integer({ min: 1, max: 4 }),
    replicas: fc.integer({ min: 0, max: 3 }),
    version: fc.oneof(fc.constant('latest'), fc.integer({ min: 1, max: 99 }).map(String)),
    accelerator: fc.constantFrom(undefined, 'nvidia-l4', 'nvidia-tesla-a100'),
  }, { requiredKeys: ['name', 'gpus', 'replicas', 'version'] }), { maxLength: 3, selector: (m) => m.name }),
  runs: fc.uniqueArray(fc.record({
    id: dns(10),
    gpus: fc.integer({ min: 1, max: 2 }),
    baseModel: fc.constantFrom(undefined, 'llama-3-8b-base'),
  }, { requiredKeys: ['id', 'gpus'] }), { maxLength: 2, selector: (r) => r.id }),
}).map(({ models, runs, name, ...ws }) => ({
  name,
  ...ws,
  // The quota always covers what the servers and runs ask for: that rule has tests of its own.
  quota: { gpus: models.reduce((n, m) => n + m.gpus * m.replicas, 0) + runs.reduce((n, r) => n + r.gpus, 0), storage: '1Ti', cpu: '128', memory: '2048Gi' },
  // Model ids are unique across workspaces: prefix them with the workspace.
  inference: { models: models.map((m) => Object.fromEntries(Object.entries({ ...m, name: `${name}-${m.name}`.slice(0, 47).replace(/-+$/, '') }).filter(([, v]) => v !== undefined))) },
  training: { runs: runs.map((r) => ({ ...Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)), config: 'sft.yaml', registeredModel: `model-${r.id}` })) },
}));

/** A training config the runs above use. */
const SFT = 'model_name_or_path: /models/base-model\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: qa\ntemplate: qwen\noutput_dir: /output/sft\n';

let box: Sandbox;
beforeAll(() => {
  box = sandbox();
});
afterAll(() => fs.rmSync(box.dir, { recursive: true, force: true }));

function writeOnly(name: string, content: string): void {
  for (const f of fs.readdirSync(path.join(box.dir, 'workspaces'))) fs.rmSync(path.join(box.dir, 'workspaces', f), { recursive: true });
  box.write(`workspaces/${name}.yaml`, content);
  box.write(`workspaces/${name}/training/sft.yaml`, SFT);
}

test('any valid workspace file synthesizes into schema-valid, policy-clean objects', () => {
  fc.assert(fc.property(workspaceFile, (ws) => {
    writeOnly(ws.name, stringify(ws));
    const inputs = box.load();
    const objects = synthWorkspace(inputs.platform, inputs.workspaces[0], inputs.trainingConfigs[ws.name]);
    expect(checkObjects(objects)).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Job').length).toBe(ws.state === 'active' ? ws.training.runs.length : 0);
    expect(objects.filter((o) => o.kind === 'Deployment').every((d: any) => ws.state === 'active' || d.spec.replicas === 0)).toBe(true);
  }), { seed, numRuns: 60 });
});

/** A value of any shape, unicode and huge numbers included. */
const junk = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.fullUnicodeString({ maxLength: 40 }),
  fc.constantFrom(1e308, -1, 0.5, 2 ** 53, '', '200GB', 'latest', '../..', '{{ x }}', '💥', null, true, [], {}),
);

/** A path to mutate: a field of the schema, or a field it does not know. */
const fieldPath = fc.constantFrom(
  ['name'], ['state'], ['gcpServiceAccount'], ['storage'], ['storage', 'size'], ['storage', 'accessMode'], ['webui', 'enabled'],
  ['quota', 'gpus'], ['quota', 'memory'], ['inference'], ['inference', 'models'], ['inference', 'models', 0], ['inference', 'models', 0, 'gpus'],
  ['inference', 'models', 0, 'name'], ['inference', 'models', 0, 'resources', 'cpu', 'limit'], ['mlflow', 'database'], ['unknownField'], ['storage', 'sise'],
  ['training', 'runs', 0, 'config'], ['training', 'runs', 0, 'gpus'], ['training', 'runs', 0, 'id'], ['inference', 'models', 0, 'gateway', 'allowedClients'],
);

function setIn(target: any, at: (string | number)[], value: unknown): void {
  let o = target;
  for (const key of at.slice(0, -1)) {
    if (o[key] === null || typeof o[key] !== 'object') o[key] = typeof key === 'number' ? [] : {};
    o = o[key];
  }
  o[at[at.length - 1]] = value;
}

/** Runs the loader and synth in-process: only InputError may come out, with well-formed lines. */
function loadsCleanlyOrReports(file: string): void {
  try {
    const inputs = box.load();
    for (const w of inputs.workspaces) synthWorkspace(inputs.platform, w);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    expect(e.problems.length).toBeGreaterThan(0);
    for (const p of e.problems) {
      expect(p.file).toBe(file);
      expect(p.line).toBeGreaterThanOrEqual(1);
      expect(p.message).not.toMatch(/\n|undefined|\[object Object\]|at .*\.js:\d+/);
    }
  }
}

test('any mutation of a valid file gives valid output or clear problems, never a crash', () => {
  fc.assert(fc.property(workspaceFile, fieldPath, junk, (ws, at, value) => {
    const mutated = JSON.parse(JSON.stringify(ws));
    setIn(mutated, at as (string | number)[], value);
    writeOnly(ws.name, stringify(mutated));
    loadsCleanlyOrReports(`workspaces/${ws.name}.yaml`);
  }), { seed, numRuns: 300 });
});

test('any text at all as a workspace file gives clear problems, never a crash', () => {
  fc.assert(fc.property(fc.oneof(fc.fullUnicodeString({ maxLength: 200 }), fc.stringOf(fc.constantFrom(':', '-', ' ', '\n', '[', '{', '"', 'a', '#', '&', '*', '!', '|'), { maxLength: 60 })), (text) => {
    writeOnly('team-x', text);
    loadsCleanlyOrReports('workspaces/team-x.yaml');
  }), { seed, numRuns: 300 });
});

test('when synth fails on a mutated file, it writes nothing', () => {
  const base = { name: 'team-x' };
  writeOnly('team-x', stringify(base));
  expect(box.synth().status).toBe(0);
  const before = [box.digest('dist'), box.digest('charts'), box.digest('schemas')];
  fc.assert(fc.property(fieldPath, junk, (at, value) => {
    const mutated: any = JSON.parse(JSON.stringify(base));
    setIn(mutated, at as (string | number)[], value);
    writeOnly('team-x', stringify(mutated));
    const r = box.synth();
    expect(r.stderr).not.toMatch(/^\s+at /m);
    if (r.status !== 0) {
      expect(r.status).toBe(1);
      expect([box.digest('dist'), box.digest('charts'), box.digest('schemas')]).toEqual(before);
    } else {
      writeOnly('team-x', stringify(base));
      expect(box.synth().status).toBe(0);
    }
  }), { seed, numRuns: 12 });
});
