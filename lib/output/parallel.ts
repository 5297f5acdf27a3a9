import type { LoadedJob } from '../config/load';
import { PlatformConfig } from '../config/types';
import type { Worker } from 'worker_threads';
import type { RenderedWorkspace } from '../helm/chart-files';
import type { RenderOptions } from '../synth';
import { remaker, settle, SettledWorkspace } from './on-disk';
import { TreeFile } from './render';
import { RenderWorkers, startRenderWorkers } from './workers';

/** How one workspace is rendered (`renderWorkspace`). */
export type RenderFunction = (platform: PlatformConfig, config: LoadedJob['config'], source: string, trainingConfigs: Readonly<Record<string, string>>, options: RenderOptions, runs: LoadedJob['runs']) => RenderedWorkspace;

/** A file as a worker posts it: its text; or that it is a dist/ file's very text; or, when the output folder held it already, its length only. */
type PackedFile = { readonly path: string; readonly content: string } | { readonly path: string; readonly sameAs: number } | { readonly path: string; readonly keptBytes: number };

/**
 * A rendered workspace as a worker posts it. A file the output folder holds already is
 * posted without its text; a chart template with the same text as a dist/ file (most:
 * only `{{` is escaped) names that file instead of carrying the text again. Either way
 * less crosses between threads and waits in this thread's memory.
 */
export interface PackedWorkspace extends Omit<RenderedWorkspace, 'rendered' | 'chart' | 'keptBytes'> {
  readonly dist: readonly PackedFile[];
  readonly chart: readonly PackedFile[];
}

export function packWorkspace(w: RenderedWorkspace): PackedWorkspace {
  const n = w.rendered.length;
  const kept = (i: number) => w.keptBytes[i] ?? -1;
  const dist = w.rendered.map((f, i): PackedFile => (kept(i) >= 0 ? { path: f.path, keptBytes: kept(i) } : f));
  return {
    source: w.source,
    objects: w.objects,
    problems: w.problems,
    digests: w.digests,
    dist,
    chart: w.chart.map((f, i): PackedFile => {
      if (kept(n + i) >= 0) return { path: f.path, keptBytes: kept(n + i) };
      const same = w.rendered.findIndex((r, j) => kept(j) < 0 && r.content === f.content);
      return same >= 0 ? { path: f.path, sameAs: same } : f;
    }),
  };
}

/** A posted workspace as synth writes it; `make` makes a file whose text was not posted. */
function unpackWorkspace(p: PackedWorkspace, make: (path: string) => string): SettledWorkspace {
  const file = (f: PackedFile): TreeFile => {
    if ('keptBytes' in f) return { path: f.path, keptBytes: f.keptBytes, make: () => make(f.path) };
    if ('sameAs' in f) return { path: f.path, content: (p.dist[f.sameAs] as { content: string }).content };
    return f;
  };
  return { source: p.source, objects: p.objects, problems: p.problems, digests: p.digests, dist: p.dist.map(file), chart: p.chart.map(file) };
}

/** What a worker posts back. */
export type WorkerReply = { readonly index: number; readonly layer: PackedWorkspace } | { readonly index: number; readonly error: string };

/** What this thread posts to a worker. */
export type WorkerMessage =
  | { readonly type: 'job'; readonly index: number; readonly platform?: PlatformConfig; readonly options?: RenderOptions; readonly job: LoadedJob }
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
  /**
   * A pool of `threads - 1` workers (this thread is the other one), or none for one
   * thread; `options` for every workspace it renders. Workers started early (`early`)
   * are used first; those not needed are stopped.
   */
  public static start(threads: number, options: RenderOptions, early?: RenderWorkers): RenderPool | undefined {
    const count = Math.max(0, threads - 1);
    const started = early ?? startRenderWorkers(count);
    for (const extra of started.workers.slice(count)) void extra.terminate();
    if (count === 0) return undefined;
    const more = started.workers.length < count ? startRenderWorkers(count - started.workers.length, started.next).workers : [];
    return new RenderPool([...started.workers.slice(0, count), ...more], started.next, options);
  }

  private readonly jobs: { platform: PlatformConfig; job: LoadedJob }[] = [];
  private readonly layers = new Map<number, SettledWorkspace>();
  private readonly errors: string[] = [];
  private waiting?: () => void;
  private failed?: Error;

  /** How a workspace rendered by a worker is rendered again here, should one of its files not posted be needed after all. */
  private remake?: RenderFunction;

  private constructor(private readonly workers: readonly Worker[], private readonly next: Int32Array, private readonly options: RenderOptions) {
    for (const worker of workers) {
      worker.on('message', (reply: WorkerReply) => {
        if ('error' in reply) this.errors.push(reply.error);
        else this.layers.set(reply.index, unpackWorkspace(reply.layer, this.again(reply.index)));
        this.check();
      });
      worker.on('error', (e) => {
        this.failed = e;
        this.check();
      });
    }
  }

  /** Queues a workspace: the first worker free claims it. */
  public submit(platform: PlatformConfig, job: LoadedJob): void {
    const index = this.jobs.length;
    this.jobs.push({ platform, job });
    // The platform and the options go with the first job only: they are the same for all.
    for (const w of this.workers) w.postMessage({ type: 'job', index, job, ...(index === 0 ? { platform, options: this.options } : {}) } satisfies WorkerMessage);
  }

  /**
   * Renders here what no worker has claimed yet, waits for the workers, and returns
   * every layer by workspace name.
   */
  public async finish(render: RenderFunction): Promise<Map<string, SettledWorkspace>> {
    this.remake = render;
    for (const w of this.workers) w.postMessage({ type: 'end' } satisfies WorkerMessage);
    for (;;) {
      const index = Atomics.load(this.next, 0);
      if (index >= this.jobs.length) break;
      if (Atomics.compareExchange(this.next, 0, index, index + 1) !== index) continue;
      const { platform, job } = this.jobs[index];
      this.layers.set(index, settle(render(platform, job.config, job.source, job.trainingConfigs, this.options, job.runs), this.again(index)));
    }
    if (!this.done()) await new Promise<void>((resolve) => { this.waiting = resolve; });
    // The workers have posted every layer: they stop while this thread goes on (synth
    // waits for them before it returns).
    void this.terminate();
    if (this.failed) throw this.failed;
    if (this.errors.length > 0) throw new Error(this.errors[0]);
    return new Map(this.jobs.map(({ job }, i) => [job.config.name, this.layers.get(i)!]));
  }

  /** Stops the workers (when the inputs turn out invalid, their work is not needed). */
  public async terminate(): Promise<void> {
    this.stopping ??= Promise.all(this.workers.map((w) => w.terminate())).then(() => undefined);
    await this.stopping;
  }

  /** The workers being stopped, once they are. */
  private stopping?: Promise<void>;

  /** A file's text of the job `index`, rendered again (here, once for all its files). */
  private again(index: number): (path: string) => string {
    return remaker(() => {
      const { platform, job } = this.jobs[index];
      if (!this.remake) throw new Error('a workspace was asked for again before the pool finished');
      return this.remake(platform, job.config, job.source, job.trainingConfigs, {}, job.runs);
    });
  }

  private done(): boolean {
    return this.failed !== undefined || this.layers.size + this.errors.length >= this.jobs.length;
  }

  private check(): void {
    if (this.waiting && this.done()) this.waiting();
  }
}
