import * as path from 'path';

/**
 * The arguments of `npm run synth`, read without loading synth itself (so that `main.ts`
 * can start the render workers first).
 */

export const USAGE = `usage: npm run synth -- [--platform FILE] [--workspaces DIR] [--out DIR] [--charts DIR] [--schemas DIR] [--no-cache]
  --platform    platform file (default: platform.yaml)
  --workspaces  folder of workspace files (default: workspaces)
  --out         folder of the rendered manifests (default: dist)
  --charts      folder of the Helm chart (default: charts)
  --schemas     folder of the JSON Schemas for editors (default: schemas)
  --no-cache    render every workspace, neither reading nor writing .cache/synth/`;

export type Options = Record<'platform' | 'workspaces' | 'out' | 'charts' | 'schemas', string> & { cache: boolean };

/** Where synth keeps its cache, in the folder it runs in (ignored by git). */
export const CACHE_DIR = '.cache/synth';

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): Options {
  const options: Options = { platform: 'platform.yaml', workspaces: 'workspaces', out: 'dist', charts: 'charts', schemas: 'schemas', cache: process.env.LLM_SYNTH_CACHE !== 'off' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--no-cache') {
      options.cache = false;
      continue;
    }
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (!(key in options) || key === 'cache' || !argv[i].startsWith('--') || value === undefined) {
      throw new UsageError(`unknown or incomplete option '${argv[i]}'`);
    }
    options[key as Exclude<keyof Options, 'cache'>] = value;
    i++;
  }
  return options;
}

/** The workspaces folder the arguments name, or undefined when they do not parse (synth will say why). */
export function workspacesDirOf(argv: readonly string[], cwd: string): string | undefined {
  try {
    return path.resolve(cwd, parseArgs(argv).workspaces);
  } catch {
    return undefined;
  }
}
