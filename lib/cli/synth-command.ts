import * as path from 'path';
import { performance } from 'perf_hooks';
import { RenderPool } from '../output/parallel';
import { countWorkspaceFiles, renderThreads, RenderWorkers } from '../output/workers';
import { CACHE_DIR, Options, parseArgs, USAGE, UsageError } from './synth-args';
import { loadInputs } from '../config/load';
import { formatProblem, InputError } from '../config/problems';
import { listFolders, OutputError, replaceTrees } from '../output/write-tree';
import { PolicyError } from '../policy/check';
import { layerKey, synthesize } from '../synth';
import { SynthCache } from '../output/synth-cache';
import { LoadedJob } from '../config/load';
import { PlatformConfig } from '../config/types';

/** Where a command runs and writes: the process's own, or a test's. */
export interface CommandIO {
  /** Folder relative paths start from. */
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** The process's working directory and streams. */
export function processIO(): CommandIO {
  return { cwd: process.cwd(), stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
}

/** Whether `inner` is `outer` or inside it. */
function within(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Synth replaces its output folders whole, so none may hold the working directory, an
 * input, or another output: `--out .` must never swap the project away.
 */
function checkOutputs(args: Options, cwd: string): void {
  const at = (p: string) => path.resolve(cwd, p);
  const outputs = (['out', 'charts', 'schemas'] as const).map((k) => [k, at(args[k])] as const);
  const keep = [['the working directory', cwd], ['--platform', at(args.platform)], ['--workspaces', at(args.workspaces)], ['the cache', at(CACHE_DIR)]] as const;
  for (const [key, dir] of outputs) {
    for (const [what, p] of keep) {
      if (within(p, dir)) throw new UsageError(`--${key} ${args[key]} would replace ${what}, as synth replaces its output folders whole; choose a folder of its own`);
      if ((what === '--workspaces' || what === 'the cache') && within(dir, p)) throw new UsageError(`--${key} ${args[key]} is inside ${what === 'the cache' ? `the cache ${CACHE_DIR}` : `--workspaces ${args.workspaces}`}; choose a folder of its own`);
    }
    for (const [other, otherDir] of outputs) {
      if (other !== key && within(otherDir, dir)) throw new UsageError(`--${key} ${args[key]} holds --${other} ${args[other]}; outputs need folders of their own`);
    }
  }
}

/**
 * `npm run synth`: reads platform.yaml and workspaces/*.yaml, and writes dist/, charts/
 * and schemas/. Any invalid input prints one line per problem and writes nothing.
 * Returns the exit status: 0 written, 1 bad input or output, 2 bad usage, 70 a bug.
 */
export async function synthCommand(argv: readonly string[], io: CommandIO, early?: RenderWorkers): Promise<number> {
  let pool: RenderPool | undefined;
  try {
    const args = parseArgs(argv);
    checkOutputs(args, io.cwd);
    // Workers (started early by main.ts, or now) render each workspace as soon as it is
    // read, but those the cache holds, which are not rendered at all; as many threads as
    // the workspaces the cache does not hold call for. Each workspace's files are compared
    // with the folders they go to as soon as rendered.
    const workspacesDir = path.resolve(io.cwd, args.workspaces);
    const cache = args.cache ? SynthCache.open(path.join(io.cwd, CACHE_DIR)) : undefined;
    trace('cache read');
    const compareWith = { dist: path.resolve(io.cwd, args.out), charts: path.resolve(io.cwd, args.charts) };
    pool = RenderPool.start(renderThreads(Math.max(0, countWorkspaceFiles(workspacesDir) - (cache?.count('layer:') ?? 0))), { digests: cache !== undefined, compareWith }, early);
    const onWorkspace = (platform: PlatformConfig, job: LoadedJob) => {
      if (!cache?.has(layerKey(job.key))) pool?.submit(platform, job);
    };
    const inputs = loadInputs({ platformFile: args.platform, workspacesDir: args.workspaces, cwd: io.cwd }, { onWorkspace, cache });
    trace('inputs read');
    for (const w of inputs.warnings) io.stderr(`${formatProblem(w)}\n`);
    const listed = listFolders([compareWith.dist, compareWith.charts]);
    const output = await synthesize(inputs, pool, cache, compareWith);
    trace('rendered');
    const stamps = await replaceTrees([
      { dir: compareWith.dist, files: output.dist },
      { dir: compareWith.charts, files: output.charts },
      { dir: path.resolve(io.cwd, args.schemas), files: output.schemas },
    ], listed);
    trace('written');
    output.remember(stamps, compareWith);
    trace('remembered');
    cache?.save();
    trace('cache saved');
    io.stdout(`synth: ${inputs.workspaces.length} workspace(s), ${output.objects} objects written to ${path.normalize(args.out)}/\n`);
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`${e.message}\nsynth: ${e.problems.length} problem(s) in the inputs; nothing was written\n`);
      return 1;
    }
    if (e instanceof PolicyError) {
      io.stderr(`${e.message}\nsynth: ${e.problems.length} generated object(s) break the platform's policy or schema; nothing was written\n`);
      return 1;
    }
    if (e instanceof OutputError) {
      io.stderr(`synth: ${e.message}; nothing was written\n`);
      return 1;
    }
    if (e instanceof UsageError) {
      io.stderr(`synth: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    io.stderr(`synth: internal error: ${(e as Error).message}\n${process.env.DEBUG ? (e as Error).stack : 'set DEBUG=1 for the stack trace'}\n`);
    return 70;
  } finally {
    // Workers started early but never handed to a pool (bad usage) would keep the process alive.
    if (pool) await pool.terminate();
    else if (early) await Promise.all(early.workers.map((w) => w.terminate()));
  }
}

/** When the process started (trace times count from there, start-up and module loading included). */
const started = process.hrtime.bigint() - BigInt(Math.round(performance.now() * 1e6));

/** With LLM_SYNTH_TRACE set, the time each phase ends, on stderr (for `npm run bench` and profiling). */
function trace(phase: string): void {
  if (process.env.LLM_SYNTH_TRACE) process.stderr.write(`trace: ${phase} at ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms\n`);
}
