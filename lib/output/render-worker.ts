/**
 * Worker thread of a `RenderPool` (parallel.ts): keeps the workspaces it is sent, and renders
 * each one it claims (through the shared counter) with the same `renderWorkspace` as the
 * main thread, posting each layer back as soon as it is made.
 */
import { parentPort, workerData } from 'worker_threads';
import type { LoadedJob } from '../config/load';
import { PlatformConfig } from '../config/types';
import { renderWorkspace } from '../synth';
import { packWorkspace } from './parallel';
import type { WorkerMessage, WorkerReply } from './parallel';
import type { RenderOptions } from '../synth';
import type { WorkerData } from './workers';

const { next: counter } = workerData as WorkerData;
const next = new Int32Array(counter);
const jobs: LoadedJob[] = [];
let platform: PlatformConfig | undefined;
let options: RenderOptions = {};

/** Claims and renders the jobs that have arrived, until none is left to claim. */
function work(): void {
  for (;;) {
    const index = Atomics.load(next, 0);
    if (index >= jobs.length) return;
    if (Atomics.compareExchange(next, 0, index, index + 1) !== index) continue;
    const job = jobs[index];
    let reply: WorkerReply;
    try {
      reply = { index, layer: packWorkspace(renderWorkspace(platform!, job.config, job.source, job.trainingConfigs, options, job.runs)) };
    } catch (e) {
      reply = { index, error: `rendering ${job.source}: ${(e as Error).stack ?? e}` };
    }
    parentPort!.postMessage(reply);
  }
}

parentPort!.on('message', (message: WorkerMessage) => {
  if (message.type === 'job') {
    if (message.platform) platform = message.platform;
    if (message.options) options = message.options;
    jobs[message.index] = message.job;
  }
  work();
});
