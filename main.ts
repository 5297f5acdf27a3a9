#!/usr/bin/env node
/**
 * `npm run synth`: reads platform.yaml and workspaces/*.yaml, and writes dist/, charts/
 * and schemas/ (see `lib/cli/synth-command.ts`).
 */
import { processIO, synthCommand } from './lib/cli/synth-command';

void synthCommand(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
});
