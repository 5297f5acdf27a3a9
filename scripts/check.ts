/**
 * `npm run check`: fails when dist/, charts/ or schemas/ differ from what synth makes of
 * the committed inputs, naming each stale file. CI runs it on every pull request, so
 * what Argo CD syncs and what Helm installs is always what the inputs say.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const TREES = ['dist', 'charts', 'schemas'] as const;

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p).map((f) => path.join(e.name, f)) : [e.name];
  });
}

/** Stale, missing and extra files of one tree, relative to the repository. */
function compareTrees(expectedDir: string, actualDir: string, label: string): string[] {
  const expected = new Set(files(expectedDir));
  const actual = new Set(files(actualDir));
  const problems: string[] = [];
  for (const f of [...expected].sort()) {
    if (!actual.has(f)) problems.push(`missing: ${label}/${f}`);
    else if (!fs.readFileSync(path.join(expectedDir, f)).equals(fs.readFileSync(path.join(actualDir, f)))) problems.push(`stale:   ${label}/${f}`);
  }
  for (const f of [...actual].sort()) if (!expected.has(f)) problems.push(`extra:   ${label}/${f}`);
  return problems;
}

function main(): number {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-check-'));
  try {
    const out = Object.fromEntries(TREES.map((t) => [t, path.join(tmp, t)]));
    const r = spawnSync(process.execPath, [path.join(ROOT, 'build', 'main.js'), '--out', out.dist, '--charts', out.charts, '--schemas', out.schemas], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) {
      process.stderr.write(`${r.stderr}check: synth failed on the committed inputs\n`);
      return 1;
    }
    const problems = TREES.flatMap((t) => compareTrees(out[t], path.join(ROOT, t), t));
    if (problems.length > 0) {
      process.stderr.write(`${problems.join('\n')}\ncheck: ${problems.length} rendered file(s) differ from what the inputs produce; run 'npm run synth' and commit the result\n`);
      return 1;
    }
    process.stdout.write('check: dist/, charts/ and schemas/ are what the inputs produce\n');
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = main();
