/**
 * `npm run bench`: figures, not pass/fail (timing assertions in tests would flake).
 * 1. The everyday loop, after one build: `npm run synth` of the shipped example,
 *    `npm run validate` of one training config, and `npm test` from a cold start (no
 *    build, no jest cache) in a copy of the repository. Each command is timed whole, as
 *    a user runs it.
 * 2. Scale: the real synth program on 10, 100 and 1000 generated workspaces, with wall
 *    time, peak memory and the Helm release sizes, so that growth can be read off.
 * `-- --no-suite` or `-- --no-scale` leave a part out; BENCH_SIZES=10,100 sets the sizes.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { ensureHelm, HelmNotFound } from './helm';
import { copyRepository, run as runCommand } from './repo-copy';

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'build', 'main.js');
const PRELOAD = path.join(ROOT, 'build', 'scripts', 'peak-memory.js');
const SIZES = (process.env.BENCH_SIZES ?? '10,100,1000').split(',').filter(Boolean).map(Number);

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

const RELEASE_LIMIT = 1024 * 1024;

function run(helm: string, size: number): Run {
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
    return { size, seconds, peakMb: Number(fs.readFileSync(memoryFile, 'utf8')) / 1024, files, release: releaseSizes(helm, dir, size) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The median wall time of `times` runs of a command, in seconds; fails on a failed run. */
function timed(command: string, cwd: string, times = 3): number {
  const seconds = Array.from({ length: times }, () => {
    const r = runCommand(command, cwd);
    if (r.status !== 0) throw new Error(`${command} failed:\n${r.output}`);
    return r.seconds;
  }).sort((a, b) => a - b);
  return seconds[Math.floor(times / 2)];
}

/** The everyday loop: what a user waits for, command by command. */
function everydayLoop(suite: boolean): void {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-bench-loop-'));
  try {
    const config = path.join('test', 'fixtures', 'workspaces', 'team-alpha', 'training', 'train_config_v1.yaml');
    const rows: [string, string, number][] = [
      ['npm run synth (the shipped example)', '1.5', timed(`npm run --silent synth -- --out ${out}/dist --charts ${out}/charts --schemas ${out}/schemas 2>/dev/null`, ROOT)],
      ['npm run validate (one training config)', '1.0', timed(`npm run --silent validate -- ${config}`, ROOT)],
    ];
    if (suite) {
      const copy = copyRepository('llm-bench-suite-');
      try {
        fs.rmSync(path.join(copy, 'build'), { recursive: true, force: true });
        const r = runCommand(`npm test -- --cacheDirectory=${path.join(out, 'jest-cache')}`, copy, { HELM_BIN: ensureHelm(), CI: 'true' });
        if (r.status !== 0) throw new Error(`npm test failed in a copy of the repository:\n${r.output.split('\n').slice(-30).join('\n')}`);
        rows.push(['npm test, cold (no build, no jest cache)', '30', r.seconds]);
      } finally {
        fs.rmSync(copy, { recursive: true, force: true });
      }
    }
    console.log(`everyday loop on ${os.cpus().length} cores, node ${process.version} (median of 3, the suite once)`);
    const width = Math.max(...rows.map(([what]) => what.length));
    for (const [what, target, seconds] of rows) console.log(`  ${what.padEnd(width)}  ${seconds.toFixed(2).padStart(6)} s   (target <= ${target} s)`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function scale(): void {
  // Release sizes come from a client-side dry run, which Helm 3 cannot do without a cluster (helm/helm#13144).
  const helm = ensureHelm(4);
  const runs = SIZES.map((size) => run(helm, size));
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
  console.log(`synth at scale on ${os.cpus().length} cores, node ${process.version}`);
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log(`Helm keeps a release in a Secret of at most 1024 KiB; '!' marks a release over it.`);
  if (runs.length > 1) {
    const [a, b] = [runs[runs.length - 2], runs[runs.length - 1]];
    console.log(`growth from ${a.size} to ${b.size} workspaces: time x${(b.seconds / a.seconds).toFixed(1)} for x${(b.size / a.size).toFixed(0)} the workspaces (linear is x${(b.size / a.size).toFixed(0)} or less, with start-up cost)`);
  }
}

function main(): number {
  const args = process.argv.slice(2);
  try {
    everydayLoop(!args.includes('--no-suite'));
    if (!args.includes('--no-scale') && SIZES.length > 0) {
      console.log('');
      scale();
    }
    return 0;
  } catch (e) {
    if (!(e instanceof HelmNotFound) && !(e instanceof Error)) throw e;
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = main();
