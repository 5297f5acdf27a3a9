import * as fs from 'fs';
import * as path from 'path';
import { platformSchema } from './platform-schema';
import { InputError, InputProblem } from './problems';
import {
  checkGatewayRecords, checkMlflowStores, checkModelNames, checkPlatformResources, checkQuota, checkRuns, checkVolumeSharing, checkWorkspaceNames,
  checkWorkspaceResources, LoadedWorkspace,
} from './rules';
import { checkAgainstSchema } from './schema-check';
import { PlatformConfig, PlatformInputs, WorkspaceConfig } from './types';
import { workspaceSchema } from './workspace-schema';
import { YamlSource } from './yaml-source';
import { trainingConfigSchema } from '../training/config-schema';

/** Where synth reads its inputs. */
export interface InputLocation {
  /** Path of platform.yaml. */
  readonly platformFile: string;
  /** Folder holding one `<name>.yaml` per workspace. */
  readonly workspacesDir: string;
}

/**
 * Reads and validates every input: platform.yaml, then each workspace file, then the
 * rules that span fields and files. Throws an {@link InputError} carrying every problem
 * found, so one run tells the user everything to fix. Rules across files run on the
 * files that passed their schema.
 */
export function loadInputs(location: InputLocation): PlatformInputs {
  const problems: InputProblem[] = [];
  const platform = readFile(location.platformFile, platformSchema, problems);
  const platformConfig = platform?.data as PlatformConfig | undefined;

  const workspaces: LoadedWorkspace[] = [];
  const files = listWorkspaceFiles(location.workspacesDir, problems);
  for (const file of files) {
    const found = readFile(file, workspaceSchema, problems);
    if (found) workspaces.push({ config: found.data as WorkspaceConfig, source: found.source });
  }

  const names = checkWorkspaceNames(workspaces);
  problems.push(...names.problems);
  const trainingConfigs: Record<string, Record<string, string>> = {};
  for (const w of workspaces) {
    trainingConfigs[w.config.name] = readTrainingConfigs(location.workspacesDir, w.config.name, problems);
    problems.push(...checkModelNames(w), ...checkWorkspaceResources(w), ...checkQuota(w), ...checkRuns(w, Object.keys(trainingConfigs[w.config.name])));
  }
  // A folder beside a workspace file is that workspace's, even while the file has problems.
  problems.push(...checkStrayTrainingFolders(location.workspacesDir, files.map((f) => path.basename(f).replace(/\.ya?ml$/, ''))));
  if (platform && platformConfig) {
    problems.push(
      ...checkPlatformResources(platformConfig, platform.source),
      ...checkMlflowStores(platformConfig, names.named),
      ...checkGatewayRecords(platformConfig, names.named),
    );
  }
  if (problems.length > 0 || !platformConfig) throw new InputError(problems);

  return {
    platform: platformConfig,
    workspaces: workspaces.map((w) => w.config).sort((a, b) => (a.name < b.name ? -1 : 1)),
    platformFile: display(location.platformFile),
    workspaceFiles: Object.fromEntries(workspaces.map((w) => [w.config.name, w.source.file])),
    trainingConfigs,
    warnings: workspaces.flatMap(checkVolumeSharing),
  };
}

/**
 * The workspace files: `*.yaml` and `*.yml` directly in the folder. A file that looks
 * meant to be one but is not (`team.YAML`, `team.yaml.bak`) is a problem rather than
 * silently skipped: its workspace would vanish from dist/, and Argo CD would prune it.
 */
function listWorkspaceFiles(dir: string, problems: InputProblem[]): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    problems.push({ file: display(dir), line: 1, column: 1, message: 'workspaces folder not found: create it, with one <name>.yaml per team' });
    return [];
  }
  const files: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isFile()) continue;
    if (/\.ya?ml$/.test(e.name)) files.push(path.join(dir, e.name));
    else if (/\.ya?ml/i.test(e.name)) {
      problems.push({ file: display(path.join(dir, e.name)), line: 1, column: 1, message: `not read: workspace files are named <name>.yaml (or .yml), got '${e.name}'; rename or remove it` });
    }
  }
  return files.sort();
}

/** Folder of a workspace's training configs. */
function trainingFolder(workspacesDir: string, workspace: string): string {
  return path.join(workspacesDir, workspace, 'training');
}

/**
 * The training configs of a workspace (`<workspaces>/<name>/training/*.yaml`), each
 * validated against LLaMA-Factory's keys; by file name, with their text as written.
 */
function readTrainingConfigs(workspacesDir: string, workspace: string, problems: InputProblem[]): Record<string, string> {
  const dir = trainingFolder(workspacesDir, workspace);
  if (!fs.existsSync(dir)) return {};
  const configs: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile()) continue;
    if (!/\.ya?ml$/.test(name)) {
      problems.push({ file: display(file), line: 1, column: 1, message: `not read: training configs are .yaml files, got '${name}'; rename or remove it` });
      continue;
    }
    if (readFile(file, trainingConfigSchema, problems)) configs[name] = fs.readFileSync(file, 'utf8');
  }
  return configs;
}

/** A folder in workspaces/ with no workspace file would hold configs nothing uses. */
function checkStrayTrainingFolders(workspacesDir: string, names: readonly string[]): InputProblem[] {
  if (!fs.existsSync(workspacesDir)) return [];
  return fs.readdirSync(workspacesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !names.includes(e.name))
    .map((e) => ({ file: `${display(path.join(workspacesDir, e.name))}/`, line: 1, column: 1, message: `folder of no workspace: there is no ${e.name}.yaml beside it; add the workspace file or remove the folder` }));
}

function readFile(file: string, schema: object, problems: InputProblem[]): { data: unknown; source: YamlSource } | undefined {
  const shown = display(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read file (${(e as Error).message})`;
    problems.push({ file: shown, line: 1, column: 1, message: reason });
    return undefined;
  }
  const { source, problems: syntax } = YamlSource.parse(shown, text);
  if (syntax.length > 0) {
    problems.push(...syntax);
    return undefined;
  }
  const data = source.data;
  const invalid = checkAgainstSchema(source, schema, data);
  if (invalid.length > 0) {
    problems.push(...invalid);
    return undefined;
  }
  return { data, source };
}

function display(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel.split(path.sep).join('/') : file;
}
