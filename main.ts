#!/usr/bin/env node
/**
 * `npm run synth`: reads platform.yaml and workspaces/*.yaml, and writes dist/, charts/
 * and schemas/. Any invalid input prints one line per problem and writes nothing.
 */
import * as path from 'path';
import { loadInputs } from './lib/config/load';
import { formatProblem, InputError } from './lib/config/problems';
import { OutputError, replaceTrees } from './lib/output/write-tree';
import { PolicyError } from './lib/policy/check';
import { synthesize } from './lib/synth';

const USAGE = `usage: node build/main.js [--platform FILE] [--workspaces DIR] [--out DIR] [--charts DIR] [--schemas DIR]
  --platform    platform file (default: platform.yaml)
  --workspaces  folder of workspace files (default: workspaces)
  --out         folder of the rendered manifests (default: dist)
  --charts      folder of the Helm chart (default: charts)
  --schemas     folder of the JSON Schemas for editors (default: schemas)`;

function parseArgs(argv: string[]): Record<'platform' | 'workspaces' | 'out' | 'charts' | 'schemas', string> {
  const options = { platform: 'platform.yaml', workspaces: 'workspaces', out: 'dist', charts: 'charts', schemas: 'schemas' };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (!(key in options) || !argv[i].startsWith('--') || value === undefined) {
      throw new UsageError(`unknown or incomplete option '${argv[i]}'`);
    }
    options[key as keyof typeof options] = value;
    i++;
  }
  return options;
}

class UsageError extends Error {}

/** Whether `inner` is `outer` or inside it. */
function within(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Synth replaces its output folders whole, so none may hold the working directory, an
 * input, or another output: `--out .` must never swap the project away.
 */
function checkOutputs(args: ReturnType<typeof parseArgs>): void {
  const outputs = (['out', 'charts', 'schemas'] as const).map((k) => [k, path.resolve(args[k])] as const);
  const keep = [['the working directory', process.cwd()], ['--platform', path.resolve(args.platform)], ['--workspaces', path.resolve(args.workspaces)]] as const;
  for (const [key, dir] of outputs) {
    for (const [what, p] of keep) {
      if (within(p, dir)) throw new UsageError(`--${key} ${args[key]} would replace ${what}, as synth replaces its output folders whole; choose a folder of its own`);
      if (what === '--workspaces' && within(dir, p)) throw new UsageError(`--${key} ${args[key]} is inside --workspaces ${args.workspaces}; choose a folder of its own`);
    }
    for (const [other, otherDir] of outputs) {
      if (other !== key && within(otherDir, dir)) throw new UsageError(`--${key} ${args[key]} holds --${other} ${args[other]}; outputs need folders of their own`);
    }
  }
}

async function main(): Promise<number> {
  // Writing thousands of files is bound by file-system latency, not CPU: more threads in
  // libuv's pool (4 by default) let more writes wait at once. Read at the pool's first use.
  process.env.UV_THREADPOOL_SIZE ??= '16';
  try {
    const args = parseArgs(process.argv.slice(2));
    checkOutputs(args);
    const inputs = loadInputs({ platformFile: args.platform, workspacesDir: args.workspaces });
    for (const w of inputs.warnings) process.stderr.write(`${formatProblem(w)}\n`);
    const output = await synthesize(inputs);
    await replaceTrees([
      { dir: args.out, files: output.dist },
      { dir: args.charts, files: output.charts },
      { dir: args.schemas, files: output.schemas },
    ]);
    process.stdout.write(`synth: ${inputs.workspaces.length} workspace(s), ${output.objects} objects written to ${path.normalize(args.out)}/\n`);
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`${e.message}\nsynth: ${e.problems.length} problem(s) in the inputs; nothing was written\n`);
      return 1;
    }
    if (e instanceof PolicyError) {
      process.stderr.write(`${e.message}\nsynth: ${e.problems.length} generated object(s) break the platform's policy or schema; nothing was written\n`);
      return 1;
    }
    if (e instanceof OutputError) {
      process.stderr.write(`synth: ${e.message}; nothing was written\n`);
      return 1;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`synth: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`synth: internal error: ${(e as Error).message}\n${process.env.DEBUG ? (e as Error).stack : 'set DEBUG=1 for the stack trace'}\n`);
    return 70;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
