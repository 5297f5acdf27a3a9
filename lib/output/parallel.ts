import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { LoadedJob } from '../config/load';
import { PlatformConfig } from '../config/types';
import { RenderedWorkspace } from '../helm/chart-files';

/**
 * Below this many workspaces, a worker thread costs more to start (it loads cdk8s
 * again) than it saves.
 */
export const PARALLEL_FROM = 200;

/** Old-generation heap of a render worker, in MB: it holds the workspaces' configs and one workspace's objects at a time. */
const WORKER_HEAP_MB = 192;

/** How many threads render, this one included: the machine's cores, or `LLM_SYNTH_THREADS` (1: none). */
export function renderThreads(workspaces: number): number {
  const set = process.env.LLM_SYNTH_THREADS;
  return Math.max(1, Number(set ?? (workspaces < PARALLEL_FROM ? 1 : os.cpus().length)));
}

/** How one workspace is rendered (`renderWorkspace`). */
export type RenderFunction = (platform: PlatformConfig, config: LoadedJob['config'], source: string, trainingConfigs: Readonly<Record<string, string>>, withDigests: boolean) => RenderedWorkspace;

/**
 * A rendered workspace as a worker posts it: a chart template with the same text as a
 * dist/ file (most: only `{{` is escaped) names that file instead of carrying the text
 * again, which would double what crosses between threads and what this thread holds.
 */
export interface PackedWorkspace extends Omit<RenderedWorkspace, 'chart'> {
  readonly chart: readonly ({ readonly path: string; readonly content: string } | { readonly path: string; readonly sameAs: number })[];
}

export function packWorkspace(w: RenderedWorkspace): PackedWorkspace {
  return {
    ...w,
    chart: w.chart.map((f) => {
      const same = w.rendered.findIndex((r) => r.content === f.content);
      return same >= 0 ? { path: f.path, sameAs: same } : f;
    }),
  };
}

function unpackWorkspace(p: PackedWorkspace): RenderedWorkspace {
  return { ...p, chart: p.chart.map((f) => ('sameAs' in f ? { path: f.path, content: p.rendered[f.sameAs].content } : f)) };
}

/** What a worker posts back. */
export type WorkerReply = { readonly index: number; readonly layer: PackedWorkspace } | { readonly index: number; readonly error: string };

/** What this thread posts to a worker. */
export type WorkerMessage =
  | { readonly type: 'job'; readonly index: number; readonly platform?: PlatformConfig; readonly job: LoadedJob }
  | { readonly type: 'end' };

/**
 * Renders workspaces on every core while the inputs are still being read. Worker threads
 * start first, loading cdk8s while this thread reads platform.yaml; each workspace is
 * sent to them as soon as its own files pass their checks. Jobs are claimed one at a time
 * through a counter in shared memory, by the workers as they arrive and by this thread
 * once it has read everything, so no thread waits while another has work left. The
 * result does not depend on who rendered what: layers are returned by workspace name.
 */
export class RenderPool {
  /** A pool of `threads - 1` workers (this thread is the other one), or none for one thread; `withDigests` when a cache will keep the files' digests. */
  public static start(threads: number, withDigests: boolean): RenderPool | undefined {
    return threads > 1 ? new RenderPool(threads - 1, withDigests) : undefined;
  }

  private readonly next = new Int32Array(new SharedArrayBuffer(4));
  private readonly workers: Worker[];
  private readonly jobs: { platform: PlatformConfig; job: LoadedJob }[] = [];
  private readonly layers = new Map<number, RenderedWorkspace>();
  private readonly errors: string[] = [];
  private waiting?: () => void;
  private failed?: Error;

  private constructor(count: number, private readonly withDigests: boolean) {
    this.workers = Array.from({ length: count }, () => {
      // A worker keeps nothing it renders: a small heap makes it collect early, which keeps the process's memory low.
      const worker = new Worker(path.join(__dirname, 'render-worker.js'), { workerData: { next: this.next.buffer, withDigests }, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
      worker.on('message', (reply: WorkerReply) => {
        if ('error' in reply) this.errors.push(reply.error);
        else this.layers.set(reply.index, unpackWorkspace(reply.layer));
        this.check();
      });
      worker.on('error', (e) => {
        this.failed = e;
        this.check();
      });
      return worker;
    });
  }

  /** Queues a workspace: the first worker free claims it. */
  public submit(platform: PlatformConfig, job: LoadedJob): void {
    const index = this.jobs.length;
    this.jobs.push({ platform, job });
    // The platform goes with the first job only: it is the same for all.
    for (const w of this.workers) w.postMessage({ type: 'job', index, job, ...(index === 0 ? { platform } : {}) } satisfies WorkerMessage);
  }

  /**
   * Renders here what no worker has claimed yet, waits for the workers, and returns
   * every layer by workspace name.
   */
  public async finish(render: RenderFunction): Promise<Map<string, RenderedWorkspace>> {
    for (const w of this.workers) w.postMessage({ type: 'end' } satisfies WorkerMessage);
    for (;;) {
      const index = Atomics.load(this.next, 0);
      if (index >= this.jobs.length) break;
      if (Atomics.compareExchange(this.next, 0, index, index + 1) !== index) continue;
      const { platform, job } = this.jobs[index];
      this.layers.set(index, render(platform, job.config, job.source, job.trainingConfigs, this.withDigests));
    }
    if (!this.done()) await new Promise<void>((resolve) => { this.waiting = resolve; });
    await this.terminate();
    if (this.failed) throw this.failed;
    if (this.errors.length > 0) throw new Error(this.errors[0]);
    return new Map(this.jobs.map(({ job }, i) => [job.config.name, this.layers.get(i)!]));
  }

  /** Stops the workers (when the inputs turn out invalid, their work is not needed). */
  public async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private done(): boolean {
    return this.failed !== undefined || this.layers.size + this.errors.length >= this.jobs.length;
  }

  private check(): void {
    if (this.waiting && this.done()) this.waiting();
  }
}
