/**
 * A throwaway copy of this repository, as a fresh clone of the working tree would be:
 * every file git tracks (with its changes in the working tree, new files added to git
 * included), the compiled build and installed dependencies shared rather than rebuilt.
 * Used to try the README's steps end to end (`npm run test:onboarding`) and to time the
 * test suite (`npm run bench`) without touching the repository itself.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository root (scripts run compiled, from build/scripts/). */
export const ROOT = path.resolve(__dirname, '..', '..');

/** Copies the tracked files of the repository, its build and a link to its node_modules into a new temporary folder. */
export function copyRepository(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of tracked) {
    const from = path.join(ROOT, file);
    if (!fs.existsSync(from)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, file));
  }
  fs.cpSync(path.join(ROOT, 'build'), path.join(dir, 'build'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** What a command printed, its status and how long it took. */
export interface CommandRun {
  readonly command: string;
  readonly status: number | null;
  readonly output: string;
  readonly seconds: number;
}

/** Runs a shell command in `cwd`, timed, its output captured. */
export function run(command: string, cwd: string, env: NodeJS.ProcessEnv = {}): CommandRun {
  const start = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', command], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  return { command, status: r.status, output: `${r.stdout}${r.stderr}`, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}
