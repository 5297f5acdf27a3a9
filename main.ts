#!/usr/bin/env node
/**
 * `npm run synth`: reads platform.yaml and workspaces/*.yaml, and writes dist/, charts/
 * and schemas/ (see `lib/cli/synth-command.ts`).
 */
import { processIO, synthCommand } from './lib/cli/synth-command';

// Writing thousands of files is bound by file-system latency, not CPU: more threads in
// libuv's pool (4 by default) let more writes wait at once. Read at the pool's first use.
process.env.UV_THREADPOOL_SIZE ??= '16';

void synthCommand(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
});
