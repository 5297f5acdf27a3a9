/**
 * `npm run bench`: runs the real synth program on 10, 100 and 1000 generated workspaces
 * and prints wall time and peak memory per size, so that growth can be read off.
 * Numbers, not a pass/fail: timing assertions in tests would flake.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

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
  if (models > 0) {
    lines.push('inference:', '  models:');
    for (let m = 0; m < models; m++) lines.push(`    - name: model-${m}`, `      gpus: ${1 + (m % 2)}`);
  }
  return `${lines.join('\n')}\n`;
}

interface Run { size: number; seconds: number; peakMb: number; files: number }

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
    return { size, seconds, peakMb: Number(fs.readFileSync(memoryFile, 'utf8')) / 1024, files };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const runs = SIZES.map(run);
const rows = runs.map((r) => [
  String(r.size),
  String(r.files),
  r.seconds.toFixed(2),
  ((r.seconds * 1000) / r.size).toFixed(2),
  r.peakMb.toFixed(0),
]);
const head = ['workspaces', 'objects', 'wall s', 'ms/workspace', 'peak MB'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
console.log(`synth benchmark on ${os.cpus().length} cores, node ${process.version}`);
console.log(line(head));
for (const r of rows) console.log(line(r));
if (runs.length > 1) {
  const [a, b] = [runs[runs.length - 2], runs[runs.length - 1]];
  console.log(`growth from ${a.size} to ${b.size} workspaces: time x${(b.seconds / a.seconds).toFixed(1)} for x${(b.size / a.size).toFixed(0)} the workspaces (linear is x${(b.size / a.size).toFixed(0)} or less, with start-up cost)`);
}
