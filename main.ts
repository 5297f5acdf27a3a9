#!/usr/bin/env node
/**
 * `npm run synth`: reads platform.yaml and workspaces/*.yaml, and writes dist/, charts/
 * and schemas/. Any invalid input prints one line per problem and writes nothing.
 */
import * as path from 'path';
import { loadInputs } from './lib/config/load';
import { InputError } from './lib/config/problems';
import { replaceTree } from './lib/output/write-tree';
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

async function main(): Promise<number> {
  try {
    const args = parseArgs(process.argv.slice(2));
    const inputs = loadInputs({ platformFile: args.platform, workspacesDir: args.workspaces });
    const output = synthesize(inputs);
    await replaceTree(args.out, output.dist);
    await replaceTree(args.charts, output.charts);
    await replaceTree(args.schemas, output.schemas);
    process.stdout.write(`synth: ${inputs.workspaces.length} workspace(s), ${output.objects} objects written to ${path.normalize(args.out)}/\n`);
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`${e.message}\nsynth: ${e.problems.length} problem(s) in the inputs; nothing was written\n`);
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
