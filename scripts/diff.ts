/**
 * `npm run diff`: what the current inputs would change in dist/, against dist/ where
 * this branch left the target branch (the merge base with origin/<revision>, or HEAD
 * when there is none), per folder (Argo CD application), object by object, with the
 * changes that delete or replace stateful data flagged (in red on a terminal).
 * Paste the output into the pull request. `--no-color` for plain text, `--base REV` to
 * compare with another commit, `--fail-on-danger` to exit 2 when anything is flagged.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { loadInputs } from '../lib/config/load';
import { formatProblem, InputError } from '../lib/config/problems';
import { contentOf, Manifest } from '../lib/output/render';
import { diffObjects, FolderChanges, formatChanges } from '../lib/review/manifest-diff';
import { synthesize } from '../lib/synth';

function parse(text: string): Manifest[] {
  return parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
}

function git(...args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 30 });
  } catch {
    return undefined;
  }
}

class DiffError extends Error {}

/** The commit to compare with: the one asked for, or where this branch left the target branch. */
function baseRevision(asked: string | undefined, targetBranch: string): string {
  if (asked) {
    if (git('rev-parse', '--verify', '--quiet', `${asked}^{commit}`) === undefined) throw new DiffError(`no commit '${asked}' here (fetch it first?)`);
    return asked;
  }
  return git('merge-base', 'HEAD', `origin/${targetBranch}`)?.trim() ?? 'HEAD';
}

/** Folder -> text of its manifests file, as committed at `rev`; or as on disk outside a git work tree. */
function committed(rev: string | undefined, targetBranch: string): { files: Map<string, string>; from: string } {
  if (git('rev-parse', '--is-inside-work-tree')?.trim() === 'true') {
    const base = baseRevision(rev, targetBranch);
    const names = (git('ls-tree', '-r', '--name-only', base, '--', 'dist') ?? '').split('\n').filter((f) => f.endsWith('.yaml'));
    const files = new Map(names.map((f) => [path.dirname(f).replace(/^dist\//, ''), git('show', `${base}:${f}`) ?? '']));
    return { files, from: `dist/ at ${base === 'HEAD' ? 'HEAD' : base.slice(0, 12)}` };
  }
  {
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
  const base = args.includes('--base') ? args[args.indexOf('--base') + 1] : undefined;
  let output;
  let before;
  try {
    const inputs = loadInputs({ platformFile: 'platform.yaml', workspacesDir: 'workspaces' });
    output = await synthesize(inputs);
    before = committed(base, inputs.platform.repository.revision);
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`${e.problems.map(formatProblem).join('\n')}\ndiff: the inputs are invalid; nothing to compare\n`);
      return 1;
    }
    if (e instanceof DiffError) {
      process.stderr.write(`diff: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const after = new Map(output.dist.map((f) => [path.dirname(f.path), contentOf(f)]));
  const folders: FolderChanges[] = [...new Set([...before.files.keys(), ...after.keys()])].sort().map((folder) => ({
    folder: `dist/${folder}`,
    changes: diffObjects(parse(before.files.get(folder) ?? ''), parse(after.get(folder) ?? '')),
  }));
  process.stdout.write(`Changes to ${before.from}:\n${formatChanges(folders, color)}`);
  return args.includes('--fail-on-danger') && folders.some((f) => f.changes.some((c) => c.danger)) ? 2 : 0;
}

void main().then((code) => {
  process.exitCode = code;
});
