/**
 * `npm run bench`: runs the real synth program on 10, 100 and 1000 generated workspaces
 * and prints wall time and peak memory per size, so that growth can be read off.
 * Numbers, not a pass/fail: timing assertions in tests would flake.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { ensureHelm } from './helm';

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'build', 'main.js');
const PRELOAD = path.join(ROOT, 'build', 'scripts', 'peak-memory.js');
const SIZES = (process.env.BENCH_SIZES ?? '10,100,1000').split(',').map(Number);

/** A workspace file of a varied shape, so the bench exercises every construct. */
function workspace(i: number): string {
  const name = `team-${String(i).padStart(4, '0')}`;
  const lines = ['# yaml-language-server: $schema=../schemas/workspace.schema.json', `name: ${name}`];
  if (i % 3 === 1) lines.push('webui:', '  enabled: false');
  if (i % 4 === 0) lines.push('storage:', '  size: 500Gi');
  const models = i % 5;
  lines.push('quota:', '  gpus: 8');
  if (models > 0) {
    lines.push('inference:', '  models:');
    for (let m = 0; m < models; m++) lines.push(`    - name: t${i}-model-${m}`, `      gpus: ${1 + (m % 2)}`);
  }
  return `${lines.join('\n')}\n`;
}

interface Run { size: number; seconds: number; peakMb: number; files: number; release: ReleaseSizes }

/** Sizes in bytes of Helm release records, as Helm stores them: base64(gzip(JSON of the release)). */
interface ReleaseSizes { umbrella: number; sharedOnly: number; largestWorkspace: number }

/** Helm's own release record from a client-side dry run, encoded as its Secret driver encodes it. */
function releaseSize(helm: string, args: string[]): number {
  const r = spawnSync(helm, ['install', 'bench', ...args, '--dry-run=client', '--output', 'json'], { maxBuffer: 1024 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`helm install --dry-run failed: ${r.stderr}`);
  return zlib.gzipSync(r.stdout, { level: 9 }).toString('base64').length;
}

/** Release sizes of the three ways in: all in one, the shared layer alone, and one workspace alone. */
function releaseSizes(helm: string, dir: string, size: number): ReleaseSizes {
  const chart = path.join(dir, 'charts', 'llm-platform');
  const off = path.join(dir, 'all-off.yaml');
  const names = fs.readdirSync(path.join(chart, 'charts')).map((c) => c.replace(/^workspace-/, ''));
  fs.writeFileSync(off, `workspaces:\n${names.map((n) => `  ${n}: { enabled: false }`).join('\n')}\n`);
  // The workspace with the most models has the largest chart.
  const largest = `team-${String(Math.min(size - 1, 4)).padStart(4, '0')}`;
  return {
    umbrella: releaseSize(helm, [chart]),
    sharedOnly: releaseSize(helm, [chart, '--values', off]),
    largestWorkspace: releaseSize(helm, [path.join(chart, 'charts', `workspace-${largest}`)]),
  };
}

const HELM = ensureHelm();
const RELEASE_LIMIT = 1024 * 1024;

function run(size: number): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `llm-bench-${size}-`));
  try {
    fs.copyFileSync(path.join(ROOT, 'platform.yaml'), path.join(dir, 'platform.yaml'));
    fs.mkdirSync(path.join(dir, 'workspaces'));
    for (let i = 0; i < size; i++) fs.writeFileSync(path.join(dir, 'workspaces', `team-${String(i).padStart(4, '0')}.yaml`), workspace(i));
    const memoryFile = path.join(dir, 'peak-memory');
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--require', PRELOAD, MAIN], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, PEAK_MEMORY_FILE: memoryFile },
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`synth failed on ${size} workspaces:\n${r.stderr}`);
    const files = Number(/(\d+) objects/.exec(r.stdout)?.[1] ?? 0);
    return { size, seconds, peakMb: Number(fs.readFileSync(memoryFile, 'utf8')) / 1024, files, release: releaseSizes(HELM, dir, size) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const runs = SIZES.map(run);
const kib = (n: number) => `${(n / 1024).toFixed(0)}${n > RELEASE_LIMIT ? '!' : ''}`;
const rows = runs.map((r) => [
  String(r.size),
  String(r.files),
  r.seconds.toFixed(2),
  ((r.seconds * 1000) / r.size).toFixed(2),
  r.peakMb.toFixed(0),
  kib(r.release.umbrella),
  kib(r.release.sharedOnly),
  kib(r.release.largestWorkspace),
]);
const head = ['workspaces', 'objects', 'wall s', 'ms/workspace', 'peak MB', 'release KiB: all-in-one', 'shared only', 'one workspace'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
console.log(`synth benchmark on ${os.cpus().length} cores, node ${process.version}`);
console.log(line(head));
for (const r of rows) console.log(line(r));
console.log(`Helm keeps a release in a Secret of at most 1024 KiB; '!' marks a release over it.`);
if (runs.length > 1) {
  const [a, b] = [runs[runs.length - 2], runs[runs.length - 1]];
  console.log(`growth from ${a.size} to ${b.size} workspaces: time x${(b.seconds / a.seconds).toFixed(1)} for x${(b.size / a.size).toFixed(0)} the workspaces (linear is x${(b.size / a.size).toFixed(0)} or less, with start-up cost)`);
}
