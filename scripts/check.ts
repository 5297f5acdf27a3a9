/**
 * `npm run check`: fails when dist/, charts/ or schemas/ differ from what synth makes of
 * the committed inputs, naming each stale file. CI runs it on every pull request, so
 * what Argo CD syncs and what Helm installs is always what the inputs say.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthCommand } from '../lib/cli/synth-command';

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

/** What `check` found: the stale files, or why synth could not run on the inputs. */
export type CheckResult = { readonly stale: readonly string[] } | { readonly synthFailed: string };

/** Synthesizes the inputs of the repository at `root` into a temporary folder and compares with its committed output. */
export async function checkOutputs(root: string): Promise<CheckResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-check-'));
  try {
    const out = Object.fromEntries(TREES.map((t) => [t, path.join(tmp, t)]));
    let printed = '';
    const status = await synthCommand(['--out', out.dist, '--charts', out.charts, '--schemas', out.schemas],
      { cwd: root, stdout: () => undefined, stderr: (t) => { printed += t; } });
    if (status !== 0) return { synthFailed: printed };
    return { stale: TREES.flatMap((t) => compareTrees(out[t], path.join(root, t), t)) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const result = await checkOutputs(process.cwd());
  if ('synthFailed' in result) {
    process.stderr.write(`${result.synthFailed}check: synth failed on the committed inputs\n`);
    return 1;
  }
  if (result.stale.length > 0) {
    process.stderr.write(`${result.stale.join('\n')}\ncheck: ${result.stale.length} rendered file(s) differ from what the inputs produce; run 'npm run synth' and commit the result\n`);
    return 1;
  }
  process.stdout.write('check: dist/, charts/ and schemas/ are what the inputs produce\n');
  return 0;
}

if (require.main === module) void main().then((code) => { process.exitCode = code; });
