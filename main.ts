#!/usr/bin/env node
/**
 * `npm run synth`: reads platform.yaml and workspaces/*.yaml, and writes dist/, charts/
 * and schemas/ (see `lib/cli/synth-command.ts`).
 *
 * The render workers a large platform wants start first, and load their modules while
 * this thread loads its own: synth is required only after they are started.
 */
import { workspacesDirOf } from './lib/cli/synth-args';
import { startWorkersFor } from './lib/output/workers';

const argv = process.argv.slice(2);
const early = startWorkersFor(workspacesDirOf(argv, process.cwd()));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { processIO, synthCommand } = require('./lib/cli/synth-command') as typeof import('./lib/cli/synth-command');

void synthCommand(argv, processIO(), early).then((code) => {
  process.exitCode = code;
});
