/**
 * `npm run diff`: what the current inputs would change in dist/, against the dist/ of
 * the last commit (HEAD), per folder (Argo CD application), object by object, with the
 * changes that delete or replace stateful data flagged (in red on a terminal).
 * Paste the output into the pull request. `--no-color` for plain text,
 * `--base REV` to compare with another commit.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { loadInputs } from '../lib/config/load';
import { formatProblem, InputError } from '../lib/config/problems';
import { Manifest } from '../lib/output/render';
import { diffObjects, FolderChanges, formatChanges } from '../lib/review/manifest-diff';
import { synthesize } from '../lib/synth';

function parse(text: string): Manifest[] {
  return parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
}

/** Folder -> text of its manifests file, as committed at `rev`; or as on disk when there is no git. */
function committed(rev: string): { files: Map<string, string>; from: string } {
  try {
    const names = execFileSync('git', ['ls-tree', '-r', '--name-only', rev, '--', 'dist'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n').filter((f) => f.endsWith('.yaml'));
    const files = new Map(names.map((f) => [path.dirname(f).replace(/^dist\//, ''), execFileSync('git', ['show', `${rev}:${f}`], { encoding: 'utf8', maxBuffer: 1 << 30 })]));
    return { files, from: `dist/ at ${rev}` };
  } catch {
    const files = new Map<string, string>();
    const walk = (d: string) => fs.existsSync(d) && fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.yaml')) files.set(path.relative('dist', path.dirname(p)), fs.readFileSync(p, 'utf8'));
    });
    walk('dist');
    return { files, from: 'dist/ on disk (no git history here)' };
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const color = !args.includes('--no-color') && (process.stdout.isTTY || !!process.env.FORCE_COLOR);
  const base = args.includes('--base') ? args[args.indexOf('--base') + 1] : 'HEAD';
  let output;
  try {
    output = await synthesize(loadInputs({ platformFile: 'platform.yaml', workspacesDir: 'workspaces' }));
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`${e.problems.map(formatProblem).join('\n')}\ndiff: the inputs are invalid; nothing to compare\n`);
      return 1;
    }
    throw e;
  }
  const before = committed(base);
  const after = new Map(output.dist.map((f) => [path.dirname(f.path), f.content]));
  const folders: FolderChanges[] = [...new Set([...before.files.keys(), ...after.keys()])].sort().map((folder) => ({
    folder: `dist/${folder}`,
    changes: diffObjects(parse(before.files.get(folder) ?? ''), parse(after.get(folder) ?? '')),
  }));
  process.stdout.write(`Changes to ${before.from}:\n${formatChanges(folders, color)}`);
  return 0;
}

void main().then((code) => {
  process.exitCode = code;
});
