import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CACHE_DIR } from '../lib/cli/synth-args';
import { renderWorkspace, workspaceFilePaths } from '../lib/synth';
import { fixture, FIXTURES, Sandbox, sandbox, treeDigest } from './helpers';

/*
 * Incremental synth (lib/output/synth-cache.ts): with the cache, synth writes exactly what
 * it writes without it, whatever the cache holds: fresh, stale, corrupt, or edited.
 */

/** A sandbox with the fixtures and a few more workspaces, so that most are reused when one changes. */
function platformBox(): Sandbox {
  const box = sandbox();
  fs.cpSync(path.join(FIXTURES, 'workspaces'), path.join(box.dir, 'workspaces'), { recursive: true });
  for (const n of ['team-c', 'team-d', 'team-e']) box.write(`workspaces/${n}.yaml`, `name: ${n}\ninference:\n  models:\n    - name: ${n}-chat\n`);
  return box;
}

/** What a run without the cache writes for the box's inputs, as digests of dist/ and charts/. */
async function cold(box: Sandbox): Promise<string[]> {
  const out = path.join(box.dir, 'cold');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out);
  const r = await box.synth('--no-cache', '--out', 'cold/dist', '--charts', 'cold/charts', '--schemas', 'cold/schemas');
  expect(r.stderr).not.toContain('internal error');
  expect(r.status).toBe(0);
  return [treeDigest(path.join(out, 'dist')), treeDigest(path.join(out, 'charts'))];
}

async function incremental(box: Sandbox): Promise<string[]> {
  const r = await box.synth();
  expect(r.stderr).not.toContain('internal error');
  expect(r.status).toBe(0);
  return [box.digest('dist'), box.digest('charts')];
}

const index = (box: Sandbox) => path.join(box.dir, CACHE_DIR, 'index.json');
const entries = (box: Sandbox) => JSON.parse(fs.readFileSync(index(box), 'utf8')).entries as Record<string, { value: any; check: string }>;
/** An entry as the cache writes it: its value with a check made to match (a forgery a hand could make). */
const sign = (key: string, value: unknown) => ({ value, check: createHash('sha1').update(key).update('\0').update(JSON.stringify(value)).update('\0').digest('hex') });

let box: Sandbox;
beforeEach(() => {
  box = platformBox();
});
afterEach(() => box.remove());

test('a run with the cache writes what a run without it writes, and fills the cache', async () => {
  expect(await incremental(box)).toEqual(await cold(box));
  const kinds = Object.keys(entries(box)).map((k) => k.split(':')[0]).sort();
  expect(kinds.filter((k) => k === 'input').length).toBe(5);
  expect(kinds.filter((k) => k === 'layer').length).toBe(5);
  // The cache keeps digests of a workspace's files, never their text.
  expect(JSON.stringify(entries(box))).not.toContain('kind: Deployment');
});

test('after one workspace changes, the incremental output is the cold output of the new inputs', async () => {
  await incremental(box);
  box.write('workspaces/team-d.yaml', 'name: team-d\nquota: { gpus: 4 }\ninference:\n  models:\n    - name: team-d-chat\n      gpus: 2\n');
  const after = await incremental(box);
  expect(after).toEqual(await cold(box));
  expect(fs.readFileSync(path.join(box.dir, 'dist/workspaces/team-d/manifests.yaml'), 'utf8')).toContain('nvidia.com/gpu: 2');
});

test('a workspace added or removed changes what depends on the list of workspaces (Argo CD\'s projects)', async () => {
  await incremental(box);
  box.write('workspaces/team-f.yaml', 'name: team-f\n');
  fs.rmSync(path.join(box.dir, 'workspaces/team-e.yaml'));
  expect(await incremental(box)).toEqual(await cold(box));
  expect(fs.readFileSync(path.join(box.dir, 'dist/argocd/manifests.yaml'), 'utf8')).toContain('workspace-team-f');
});

test('platform.yaml changing makes every workspace again', async () => {
  await incremental(box);
  box.write('platform.yaml', fs.readFileSync(path.join(box.dir, 'platform.yaml'), 'utf8').replace('region: europe-west4', 'region: us-central1'));
  expect(await incremental(box)).toEqual(await cold(box));
  expect(fs.readFileSync(path.join(box.dir, 'dist/workspace-boundaries/team-c/manifests.yaml'), 'utf8')).toContain('location: US-CENTRAL1');
});

test('a file of a reused workspace edited by hand in dist/ is made again', async () => {
  const expected = await incremental(box);
  const file = path.join(box.dir, 'dist/workspaces/team-c/manifests.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('replicas: 1', 'replicas: 9'));
  fs.rmSync(path.join(box.dir, 'charts/llm-platform/charts/workspace-team-e/templates/NOTES.txt'));
  expect(await incremental(box)).toEqual(expected);
});

describe('file stamps: a reused workspace\'s files are known without being read', () => {
  test('a file edited in place, its size and modification time put back, is made again (its inode changed time)', async () => {
    const expected = await incremental(box);
    const file = path.join(box.dir, 'dist/workspaces/team-c/manifests.yaml');
    // A whole second as its modification time, which can be put back exactly; the next run stamps it so.
    fs.utimesSync(file, 1_700_000_000, 1_700_000_000);
    expect(await incremental(box)).toEqual(expected);
    const size = fs.statSync(file).size;
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('replicas: 1', 'replicas: 7'));
    fs.utimesSync(file, 1_700_000_000, 1_700_000_000);
    expect(fs.statSync(file).size).toBe(size);
    expect(fs.statSync(file).mtimeMs).toBe(1_700_000_000_000);
    expect(await incremental(box)).toEqual(expected);
  });

  test('stamps are kept in the cache beside each file\'s digest', async () => {
    await incremental(box);
    const layers = Object.entries(entries(box)).filter(([k]) => k.startsWith('layer:')).map(([, e]) => e.value);
    for (const l of layers) for (const f of [...l.dist, ...l.chart]) expect(f).toEqual([expect.any(String), expect.stringMatching(/^[0-9a-f]{40}:\d+$/), expect.stringMatching(/^\d+:\d+:[\d.]+:[\d.]+$/)]);
  });
});

describe('a tampered cache never changes the output', () => {
  test.each([
    ['an index that does not parse', (text: string) => text.slice(0, text.length / 2)],
    ['an empty index', () => ''],
    ['an index of another generator', (text: string) => text.replace(/"generator":"[0-9a-f]+"/, '"generator":"0000"')],
    // team-alpha's run on other GPUs, and a digest of one of its files changed.
    ['bytes changed in entries', (text: string) => text.replace('"accelerator":"nvidia-tesla-a100"', '"accelerator":"nvidia-l4"').replace(/(workspaces\/team-alpha\/manifests\.yaml",")([0-9a-f])/, (_m, p, c) => `${p}${c === '0' ? '1' : '0'}`)],
    // Entries that are not entries: one without its value, one null, one a number.
    ['entries without a value, or not entries at all', (text: string) => {
      const parsed = JSON.parse(text);
      const [a, b, c] = Object.keys(parsed.entries).filter((k) => k.startsWith('layer:'));
      parsed.entries[a] = { check: parsed.entries[a].check };
      parsed.entries[b] = null;
      parsed.entries[c] = 7;
      return JSON.stringify(parsed);
    }],
  ])('%s', async (_what, mutate) => {
    const expected = await incremental(box);
    const text = fs.readFileSync(index(box), 'utf8');
    const mutated = mutate(text);
    expect(mutated).not.toBe(text);
    if (_what === 'bytes changed in entries') expect(mutated.split('nvidia-l4').length).toBeGreaterThan(text.split('nvidia-l4').length);
    fs.writeFileSync(index(box), mutated);
    box.write('workspaces/team-c.yaml', 'name: team-c\n');
    expect(await incremental(box)).toEqual(await cold(box));
    expect(expected).not.toEqual(await cold(box));
  });

  test('entries edited with their checks made to match: wrong digests, and one workspace\'s files under another\'s key', async () => {
    await incremental(box);
    const all = entries(box);
    const layers = Object.keys(all).filter((k) => k.startsWith('layer:'));
    const [a, b] = layers;
    // One workspace's entry under another's key: it would drop the first one's files.
    all[a] = sign(a, all[b].value);
    // Every other layer: each digest of another text.
    for (const k of layers.slice(2)) all[k] = sign(k, { ...all[k].value, dist: all[k].value.dist.map(([p]: [string]) => [p, `${'0'.repeat(40)}:1`]) });
    const index0 = JSON.parse(fs.readFileSync(index(box), 'utf8'));
    fs.writeFileSync(index(box), JSON.stringify({ ...index0, entries: all }));
    expect(await incremental(box)).toEqual(await cold(box));
  });
});

test('stamps copied from other files, or set to nonsense, never keep a wrong file', async () => {
  await incremental(box);
  const all = entries(box);
  const layers = Object.keys(all).filter((k) => k.startsWith('layer:'));
  const [a, b, c] = layers;
  // a's files claim b's stamps (other inodes), and a wrong digest: they must be read, found wrong, and made.
  const stampsOfB = [...all[b].value.dist, ...all[b].value.chart].map((f: string[]) => f[2]);
  const files = (value: any) => [...value.dist, ...value.chart].map((f: string[], i: number) => [f[0], `${'0'.repeat(40)}:1`, stampsOfB[i]]);
  const aFiles = files(all[a].value);
  all[a] = sign(a, { ...all[a].value, dist: aFiles.slice(0, all[a].value.dist.length), chart: aFiles.slice(all[a].value.dist.length) });
  // c's stamps are not stamps: the entry is not used at all.
  all[c] = sign(c, { ...all[c].value, dist: all[c].value.dist.map(([p, d]: string[]) => [p, d, 'not a stamp']) });
  fs.writeFileSync(index(box), JSON.stringify({ ...JSON.parse(fs.readFileSync(index(box), 'utf8')), entries: all }));
  // Every workspace's files edited by hand, so that only a file truly known is kept.
  for (const dir of ['dist/workspaces', 'dist/workspace-boundaries']) {
    for (const ws of fs.readdirSync(path.join(box.dir, dir))) {
      const file = path.join(box.dir, dir, ws, 'manifests.yaml');
      fs.appendFileSync(file, '# edited\n');
    }
  }
  expect(await incremental(box)).toEqual(await cold(box));
});

test('--no-cache neither reads nor writes the cache', async () => {
  await box.synth('--no-cache');
  expect(fs.existsSync(path.join(box.dir, '.cache'))).toBe(false);
});

test('the cache names exactly the files rendering makes for a workspace', () => {
  const { inputs } = fixture();
  for (const ws of inputs.workspaces) {
    const made = renderWorkspace(inputs.platform, ws, `workspaces/${ws.name}.yaml`, inputs.trainingConfigs[ws.name]);
    expect({ dist: made.rendered.map((f) => f.path), chart: made.chart.map((f) => f.path) }).toEqual(workspaceFilePaths(ws.name));
  }
});
