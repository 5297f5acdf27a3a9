/**
 * Worker thread of {@link inParallel}: renders its slice of workspaces and posts them back.
 */
import { parentPort, workerData } from 'worker_threads';
import { renderWorkspace } from '../synth';
import { WorkspaceJob } from './parallel';

const { platform, jobs } = workerData as { platform: Parameters<typeof renderWorkspace>[0]; jobs: WorkspaceJob[] };
parentPort!.postMessage(jobs.map((j) => renderWorkspace(platform, j.config, j.source, j.trainingConfigs)));
