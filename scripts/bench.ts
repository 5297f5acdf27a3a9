/**
 * `npm run bench`: figures, not pass/fail (timing assertions in tests would flake).
 * 1. The everyday loop, after one build: `npm run synth` of the shipped example,
 *    `npm run validate` of one training config, and `npm test` from a cold start (no
 *    build, no jest cache) in a copy of the repository. Each command is timed whole, as
 *    a user runs it.
 * 2. Scale: the real synth program on 10, 100, 1000 and 3000 realistic workspaces, cold
 *    and after one workspace changed (the cache at work), with wall time, peak memory,
 *    what each workspace adds, and the Helm release sizes, so that growth can be read off.
 * `-- --no-suite` or `-- --no-scale` leave a part out; BENCH_SIZES=10,100 sets the sizes.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { ensureHelm, HelmNotFound } from './helm';
import { copyRepository, run as runCommand } from './repo-copy';
import type { ProcessFigures } from './peak-memory';
import { scaleWorkspaceName, writeScalePlatform } from './scale-fixture';

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'build', 'main.js');
const PRELOAD = path.join(ROOT, 'build', 'scripts', 'peak-memory.js');

/** The Node.js flags `npm run synth` runs the program with (package.json): measured as users run it. */
function synthNodeFlags(): string[] {
  const script = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.synth;
  const m = /\bnode((?: --[\w-]+(?:=\S+)?)*) build\/main\.js/.exec(script);
  if (!m) throw new Error(`package.json's synth script does not run node build/main.js: ${script}`);
  return m[1].split(' ').filter(Boolean);
}

const SYNTH_NODE_FLAGS = synthNodeFlags();
const SIZES = (process.env.BENCH_SIZES ?? '10,100,1000,3000').split(',').filter(Boolean).map(Number);

/** A run's wall time, the CPU time of all its threads, and its peak memory. */
interface Timed { seconds: number; cpuSeconds: number; peakMb: number }

interface Run { size: number; objects: number; first: Timed; cold: Timed; incremental: Timed; release?: ReleaseSizes }

/** Sizes in bytes of Helm release records, as Helm stores them: base64(gzip(JSON of the release)). */
interface ReleaseSizes { umbrella?: number; shared: number; workspace: number }

/** Helm's own release record from a client-side dry run, encoded as its Secret driver encodes it. */
function releaseSize(helm: string, args: string[]): number {
  const r = spawnSync(helm, ['install', 'bench', ...args, '--dry-run=client', '--output', 'json'], { maxBuffer: 1024 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`helm install --dry-run failed: ${r.stderr}`);
  return zlib.gzipSync(r.stdout, { level: 9 }).toString('base64').length;
}

/** Release sizes of the ways in: all in one (up to 1000 workspaces: past that it is far over), the shared chart, one workspace. */
function releaseSizes(helm: string, dir: string, size: number): ReleaseSizes {
  const charts = path.join(dir, 'charts');
  return {
    umbrella: size <= 1000 ? releaseSize(helm, [path.join(charts, 'llm-platform')]) : undefined,
    shared: releaseSize(helm, [path.join(charts, 'llm-platform-shared')]),
    workspace: releaseSize(helm, [path.join(charts, 'llm-platform', 'charts', `workspace-${scaleWorkspaceName(0)}`)]),
  };
}

const RELEASE_LIMIT = 1024 * 1024;

/** One run of the real synth program in `dir`, timed whole, with its peak memory. */
function synth(dir: string): Timed & { objects: number } {
  const memoryFile = path.join(dir, 'peak-memory');
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...SYNTH_NODE_FLAGS, '--require', PRELOAD, MAIN], { cwd: dir, encoding: 'utf8', env: { ...process.env, PEAK_MEMORY_FILE: memoryFile } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`synth failed in ${dir}:\n${r.stderr}`);
  const figures = JSON.parse(fs.readFileSync(memoryFile, 'utf8')) as ProcessFigures;
  return { seconds, cpuSeconds: figures.cpuMicros / 1e6, peakMb: figures.maxRssKb / 1024, objects: Number(/(\d+) objects/.exec(r.stdout)?.[1] ?? 0) };
}

/** How many times cold and incremental runs are repeated: their median is shown (this machine's speed drifts). */
const REPEATS = 3;

/** The run of median time among `runs`, with the highest peak memory of them. */
function median(runs: (Timed & { objects: number })[]): Timed & { objects: number } {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  return { ...sorted[Math.floor(sorted.length / 2)], peakMb: Math.max(...runs.map((r) => r.peakMb)) };
}

/**
 * A platform of `size` realistic workspaces (scripts/scale-fixture.ts), synthesized three
 * ways: first (nothing on disk: every file written), cold (no cache, but dist/ and
 * charts/ as committed, as in a fresh clone in CI), and after one workspace file changed
 * (the cache and dist/ of the run before in place), as a pull request changing one team.
 * Cold and incremental runs are repeated (`REPEATS`): the median time, the highest memory.
 */
function run(helm: string, size: number): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `llm-bench-${size}-`));
  try {
    writeScalePlatform(dir, size);
    const first = synth(dir);
    const cold = median(Array.from({ length: REPEATS }, () => {
      fs.rmSync(path.join(dir, '.cache'), { recursive: true, force: true });
      return synth(dir);
    }));
    const changed = path.join(dir, 'workspaces', `${scaleWorkspaceName(Math.floor(size / 2))}.yaml`);
    const incremental = median(Array.from({ length: REPEATS }, (_, i) => {
      // Each run finds the file changed from the run before (another limit each time).
      fs.writeFileSync(changed, fs.readFileSync(changed, 'utf8').replace(/rateLimit: \d+/, `rateLimit: ${90 - i}`));
      return synth(dir);
    }));
    return { size, objects: cold.objects, first, cold, incremental, release: helm ? releaseSizes(helm, dir, size) : undefined };
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
  const kib = (n: number | undefined) => (n === undefined ? '-' : `${(n / 1024).toFixed(0)}${n > RELEASE_LIMIT ? '!' : ''}`);
  const base = runs[0];
  // Past the fixed cost (start-up, the shared layer), what each workspace adds: the slope from the smallest run.
  const perWorkspace = (r: Run, t: (x: Run) => Timed) => (r === base ? '-' : (((t(r).seconds - t(base).seconds) * 1000) / (r.size - base.size)).toFixed(2));
  const rows = runs.map((r) => [
    String(r.size),
    String(r.objects),
    r.first.seconds.toFixed(2),
    r.cold.seconds.toFixed(2),
    r.cold.cpuSeconds.toFixed(2),
    r.cold.peakMb.toFixed(0),
    perWorkspace(r, (x) => x.cold),
    r.incremental.seconds.toFixed(2),
    r.incremental.peakMb.toFixed(0),
    kib(r.release?.umbrella),
    kib(r.release?.shared),
    kib(r.release?.workspace),
  ]);
  const head = ['workspaces', 'objects', 'first s', 'cold s', 'cold CPU s', 'cold MB', 'ms/ws', 'one changed s', 'one changed MB', 'release KiB: all in one', 'shared chart', 'one workspace'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log(`synth at scale on ${os.cpus().length} cores, node ${process.version} (workspaces like test/fixtures' team-alpha; targets at 1000: cold <= 3 s, one changed <= 1 s, <= 400 MB)`);
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log(`first: nothing on disk; cold: no cache, dist/ and charts/ as committed (a fresh clone); one changed: one workspace file edited, the cache in place (median of ${REPEATS} runs each, the highest memory).`);
  console.log(`cold CPU s: the CPU time of all its threads in the median cold run; near ${os.cpus().length} times its wall time when every core works all along.`);
  console.log(`ms/ws: what each workspace adds to a cold run past the fixed cost (the slope from ${base.size} workspaces).`);
  console.log(`Helm keeps a release in a Secret of at most 1024 KiB; '!' marks a release over it, '-' one not measured.`);
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
