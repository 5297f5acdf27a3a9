import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { examineFiles, remaker, settle } from '../lib/output/on-disk';
import { packWorkspace, PackedWorkspace } from '../lib/output/parallel';
import { digestOf } from '../lib/output/render';
import { RenderedWorkspace } from '../lib/helm/chart-files';

/*
 * What the thread that renders a workspace finds out about its files at once
 * (lib/output/on-disk.ts): their digests, and which ones the output folders hold already,
 * which then need neither travel between threads nor wait in memory to be written.
 */

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'on-disk-'));
  fs.mkdirSync(path.join(dir, 'dist/a'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'charts/c/templates.yaml'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'dist/a/same.yaml'), 'kind: A\n');
  fs.writeFileSync(path.join(dir, 'dist/a/other.yaml'), 'kind: X\n');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const dist = [{ path: 'a/same.yaml', content: 'kind: A\n' }, { path: 'a/other.yaml', content: 'kind: B\n' }, { path: 'a/missing.yaml', content: 'kind: C\n' }];
const chart = [{ path: 'c/templates.yaml', content: 'kind: A\n' }, { path: 'c/new.yaml', content: 'kind: é\n' }];

test('a file is kept only when its folder holds exactly its bytes (not the same size with other bytes, not a folder, not nothing)', () => {
  const facts = examineFiles([{ dir: path.join(dir, 'dist'), files: dist }, { dir: path.join(dir, 'charts'), files: chart }], false);
  expect(facts.keptBytes).toEqual([8, -1, -1, -1, -1]);
  expect(facts.digests).toEqual([]);
});

test('digests are those of the texts as written (UTF-8), asked for or not; nothing is compared without folders', () => {
  const facts = examineFiles([{ files: dist }, { files: chart }], true);
  expect(facts.digests).toEqual([...dist, ...chart].map((f) => digestOf(f.content)));
  expect(facts.digests[4]).toMatch(/:9$/);
  expect(facts.keptBytes).toEqual([]);
});

const rendered = (keptBytes: number[]): RenderedWorkspace => ({
  source: 'workspaces/t.yaml', rendered: dist, chart, objects: 3, problems: [], digests: [], keptBytes,
});

test('a worker posts a kept file without its text, and a template that is a dist/ file\'s text as a reference to a file it posts', () => {
  const packed: PackedWorkspace = packWorkspace(rendered([8, -1, -1, -1, -1]));
  expect(packed.dist).toEqual([{ path: 'a/same.yaml', keptBytes: 8 }, dist[1], dist[2]]);
  // c/templates.yaml has a/same.yaml's text, which is not posted: its own text goes.
  expect(packed.chart).toEqual(chart);
  const unkept = packWorkspace(rendered([]));
  expect(unkept.chart[0]).toEqual({ path: 'c/templates.yaml', sameAs: 0 });
  expect(JSON.stringify(packWorkspace(rendered([8, 8, 8, 8, 9])))).not.toContain('kind:');
});

test('a kept file is made again on demand, once for all the files of its workspace', () => {
  let renders = 0;
  const make = remaker(() => {
    renders++;
    return rendered([]);
  });
  const settled = settle(rendered([8, -1, -1, 8, -1]), make);
  const texts = [...settled.dist, ...settled.chart].map((f) => ('content' in f ? f.content : 'keptBytes' in f ? f.make() : 'digest'));
  expect(texts).toEqual([...dist, ...chart].map((f) => f.content));
  expect(renders).toBe(1);
  expect(() => make('no/such.yaml')).toThrow('no/such.yaml was expected, but rendering does not make it');
});

test('a FIFO where a file goes is not waited on: it is not the file, which is written', () => {
  const fifo = path.join(dir, 'dist/a/pipe.yaml');
  execFileSync('mkfifo', [fifo]);
  const started = Date.now();
  expect(examineFiles([{ dir: path.join(dir, 'dist'), files: [{ path: 'a/pipe.yaml', content: 'kind: A\n' }] }], false).keptBytes).toEqual([-1]);
  expect(Date.now() - started).toBeLessThan(5000);
});

describe('a chart template with its dist/ file\'s very text', () => {
  const text = 'kind: A\n';
  const examine = () => examineFiles([
    { dir: path.join(dir, 'dist'), files: [{ path: 'a/same.yaml', content: text }] },
    { dir: path.join(dir, 'charts'), files: [{ path: 'c/manifests.yaml', content: text }] },
  ], true);

  test('is hashed once, and kept when it is the very file (a link synth made) that holds the text', () => {
    fs.linkSync(path.join(dir, 'dist/a/same.yaml'), path.join(dir, 'charts/c/manifests.yaml'));
    const facts = examine();
    expect(facts.keptBytes).toEqual([8, 8]);
    expect(facts.digests).toEqual([digestOf(text), digestOf(text)]);
  });

  test('is compared byte for byte when it is a file of its own: kept with the same bytes, not with others of the same size', () => {
    fs.writeFileSync(path.join(dir, 'charts/c/manifests.yaml'), text);
    expect(examine().keptBytes).toEqual([8, 8]);
    fs.writeFileSync(path.join(dir, 'charts/c/manifests.yaml'), 'kind: Z\n');
    expect(examine().keptBytes).toEqual([8, -1]);
    fs.rmSync(path.join(dir, 'charts/c/manifests.yaml'));
    expect(examine().keptBytes).toEqual([8, -1]);
  });
});
