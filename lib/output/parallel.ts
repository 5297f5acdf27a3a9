import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { PlatformConfig, WorkspaceConfig } from '../config/types';
import { RenderedLayer } from '../helm/chart-files';

/** One workspace to render, with the file it came from. */
export interface WorkspaceJob {
  readonly config: WorkspaceConfig;
  readonly source: string;
  readonly trainingConfigs: Readonly<Record<string, string>>;
}

/**
 * Below this many workspaces, a worker thread costs more to start (it loads cdk8s
 * again) than it saves.
 */
export const PARALLEL_FROM = 200;

/**
 * Renders workspaces, in order. Rendering is CPU-bound and each workspace is
 * independent, so a large platform is split in contiguous slices over the machine's
 * cores: this thread renders the first slice, worker threads the others. The output is
 * the same whatever the split. `LLM_SYNTH_THREADS` sets the number of threads (1: none).
 * The workers run `render-worker.js`, which renders with the same `renderWorkspace`.
 */
export async function inParallel(
  platform: PlatformConfig,
  jobs: readonly WorkspaceJob[],
  render: (platform: PlatformConfig, config: WorkspaceConfig, source: string, trainingConfigs: Readonly<Record<string, string>>) => RenderedLayer,
): Promise<RenderedLayer[]> {
  const threads = Math.max(1, Number(process.env.LLM_SYNTH_THREADS ?? (jobs.length < PARALLEL_FROM ? 1 : os.cpus().length)));
  const size = Math.ceil(jobs.length / threads);
  const slices = Array.from({ length: threads }, (_, i) => jobs.slice(i * size, (i + 1) * size)).filter((s) => s.length > 0);
  const workers = slices.slice(1).map((slice) => runWorker(platform, slice));
  const first = (slices[0] ?? []).map((j) => render(platform, j.config, j.source, j.trainingConfigs));
  return [...first, ...(await Promise.all(workers)).flat()];
}

function runWorker(platform: PlatformConfig, jobs: readonly WorkspaceJob[]): Promise<RenderedLayer[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'render-worker.js'), { workerData: { platform, jobs } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`render worker stopped with code ${code}`));
    });
  });
}
