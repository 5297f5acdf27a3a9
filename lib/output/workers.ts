/**
 * Render worker threads, started as early as the process can: before synth loads its
 * own modules (cdk8s, the schemas, ...), which each worker loads again, so that both
 * load at once. This module loads nothing of synth's for that reason.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';

/**
 * Below this many workspaces, a worker thread costs more to start (it loads cdk8s
 * again) than it saves.
 */
export const PARALLEL_FROM = 200;

/** Old-generation heap of a render worker, in MB: it holds the workspaces' configs and one workspace's objects at a time. */
const WORKER_HEAP_MB = 192;

/**
 * Young generation of a render worker, in MB. Rendering makes many short-lived objects;
 * V8's default young generation (16 MB on 64-bit) fills every few milliseconds, and
 * each collection copies what is alive then. A larger one collects less often, when
 * less of what it holds is alive (measured with `npm run bench`: about 0.1 s less at
 * 1000 workspaces, for about 30 MB more).
 */
const WORKER_YOUNG_MB = 96;

/** How many threads render, this one included: the machine's cores, or `LLM_SYNTH_THREADS` (1: none). */
export function renderThreads(workspaces: number): number {
  const set = process.env.LLM_SYNTH_THREADS;
  return Math.max(1, Number(set ?? (workspaces < PARALLEL_FROM ? 1 : os.cpus().length)));
}

/** How many workspace files there may be (a quick count, to size the pool; the loader checks them). */
export function countWorkspaceFiles(dir: string): number {
  try {
    return fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).length;
  } catch {
    return 0;
  }
}

/** Started workers, and the counter in shared memory through which they claim jobs. */
export interface RenderWorkers {
  readonly workers: Worker[];
  readonly next: Int32Array;
}

/** What a worker is started with: the counter jobs are claimed through. */
export interface WorkerData {
  readonly next: SharedArrayBuffer;
}

/** Starts `count` render workers (`render-worker.js`), claiming jobs through `next` (a new counter by default); they wait for jobs. */
export function startRenderWorkers(count: number, next: Int32Array = new Int32Array(new SharedArrayBuffer(4))): RenderWorkers {
  const workers = Array.from({ length: count }, () => new Worker(path.join(__dirname, 'render-worker.js'), {
    workerData: { next: next.buffer as SharedArrayBuffer } satisfies WorkerData,
    // A worker keeps nothing it renders: a small old generation makes it collect early, which keeps the process's memory low.
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
  }));
  return { workers, next };
}

/**
 * The workers `npm run synth` with these arguments will want, started now (none for a
 * small platform, or when the arguments do not parse: synth then says why). Synth
 * stops those it turns out not to need (when the cache holds the workspaces).
 */
export function startWorkersFor(workspacesDir: string | undefined): RenderWorkers | undefined {
  if (workspacesDir === undefined) return undefined;
  const threads = renderThreads(countWorkspaceFiles(workspacesDir));
  return threads > 1 ? startRenderWorkers(threads - 1) : undefined;
}
