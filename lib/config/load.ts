import * as fs from 'fs';
import * as path from 'path';
import { displayPath, fileProblem, InputContext, readInputFile, resolveLink } from './input-file';
import { platformSchema } from './platform-schema';
import { InputError, InputProblem } from './problems';
import {
  checkGatewayRecords, checkGcpIdentities, checkGcpNames, checkMlflowStores, checkRemoteCode, checkRunSizes, checkModelNames, checkPlatformResources, checkQuota, checkAutoscaling, checkRuns, checkWorkspaceNames, checkDeepspeedReference, checkDatasets,
  checkWorkspaceResources, LoadedWorkspace, TrainingConfigFile,
} from './rules';
import { checkAgainstSchema } from './schema-check';
import { PlatformConfig, PlatformInputs, WorkspaceConfig } from './types';
import { workspaceSchema } from './workspace-schema';
import { YamlSource } from './yaml-source';
import { quickFromJson, QuickYamlJson, quickToJson } from './quick-yaml';
import { hashOf, workspaceKey } from '../output/synth-cache';
import { trainingConfigSchema } from '../training/config-schema';
import { deepspeedSchema, jsonSyntaxProblem } from '../training/deepspeed';
import { readAsPyyaml } from '../training/pyyaml';
import { describeRuns, RunInfo } from '../training/run-name';

/** A workspace that passed the checks of its own files, ready to render. */
export interface LoadedJob {
  readonly config: WorkspaceConfig;
  /** Its file, as shown to the user. */
  readonly source: string;
  /** Its training configs' text, by file name. */
  readonly trainingConfigs: Readonly<Record<string, string>>;
  /** A hash of everything its output depends on (`workspaceKey`). */
  readonly key: string;
  /** Its training runs, named (`describeRuns`, of the configs as parsed here: rendering need not parse them again). */
  readonly runs: readonly RunInfo[];
}

/** Where loaded workspaces are remembered between runs (`SynthCache`). */
export interface InputCache {
  get<T>(key: string): T | undefined;
  put(key: string, value: unknown): void;
}

/** What the cache keeps of a workspace that passed the checks of its own files. */
interface CachedInput {
  readonly config: WorkspaceConfig;
  readonly quick: QuickYamlJson;
  readonly runs: readonly RunInfo[];
}

/** Options of {@link loadInputs}. */
export interface LoadOptions {
  /**
   * Called for each workspace as soon as its own files pass their checks, before the
   * checks across files: it may be rendered meanwhile, and thrown away if those fail.
   */
  readonly onWorkspace?: (platform: PlatformConfig, job: LoadedJob) => void;
  /**
   * Workspaces remembered from earlier runs: one whose files (and platform.yaml) are what
   * they were is taken as it was, without parsing or checking its own files again; the
   * checks across files still run on all.
   */
  readonly cache?: InputCache;
}

/** Where synth reads its inputs. */
export interface InputLocation {
  /** Path of platform.yaml. */
  readonly platformFile: string;
  /** Folder holding one `<name>.yaml` per workspace. */
  readonly workspacesDir: string;
  /**
   * Folder that relative paths start from, and that problems show paths relative to.
   * @default the process's working directory
   */
  readonly cwd?: string;
}

/**
 * Reads and validates every input: platform.yaml, then each workspace file, then the
 * rules that span fields and files. Throws an {@link InputError} carrying every problem
 * found, so one run tells the user everything to fix. Rules across files run on the
 * files that passed their schema.
 *
 * Every file is read under one rule (`input-file.ts`): links only inside the repository
 * (the folder that holds the workspaces folder), at most 1 MiB, text normalized.
 */
export function loadInputs(location: InputLocation, options: LoadOptions = {}): PlatformInputs {
  const cwd = location.cwd ?? process.cwd();
  const workspacesDir = path.resolve(cwd, location.workspacesDir);
  const platformFile = path.resolve(cwd, location.platformFile);
  const ctx: InputContext = { cwd, root: path.dirname(workspacesDir) };
  const problems: InputProblem[] = [];
  const platform = readYaml(ctx, platformFile, platformSchema, problems);
  const platformConfig = platform?.data as PlatformConfig | undefined;

  // One workspace at a time, with its training configs and the rules of its own files, so
  // that a workspace that passes them can be rendered while the next ones are read. A
  // folder beside a workspace file is that workspace's, even while the file has problems:
  // its configs are checked too, so that one run reports everything.
  const workspaces: LoadedWorkspace[] = [];
  const files = listWorkspaceFiles(ctx, workspacesDir, problems);
  const stems = files.map((f) => path.basename(f).replace(/\.ya?ml$/, ''));
  const trainingConfigs: Record<string, Record<string, string>> = {};
  const workspaceKeys: Record<string, string> = {};
  const runs: Record<string, readonly RunInfo[]> = {};
  files.forEach((file, i) => {
    const before = problems.length;
    const read = readInputFile(ctx, file);
    const configFiles = readTrainingConfigTexts(ctx, workspacesDir, stems[i], problems);
    if ('problem' in read) {
      problems.push(read.problem);
      parseTrainingConfigs(configFiles, problems);
      return;
    }
    const texts = Object.fromEntries(configFiles.map((c) => [c.name, c.text]));
    const key = platform ? workspaceKey(platform.text, read.shown, read.text, texts) : '';
    const cached = platformConfig && problems.length === before ? options.cache?.get<CachedInput>(`input:${key}`) : undefined;
    if (cached) {
      const w: LoadedWorkspace = { config: cached.config, source: YamlSource.fromQuick(read.shown, read.text, quickFromJson(cached.quick, cached.config)) };
      workspaces.push(w);
      trainingConfigs[w.config.name] = texts;
      workspaceKeys[w.config.name] = key;
      runs[w.config.name] = cached.runs;
      options.onWorkspace?.(platformConfig!, { config: w.config, source: read.shown, trainingConfigs: texts, key, runs: cached.runs });
      return;
    }
    const found = parseYaml(read, workspaceSchema, problems);
    const configs = parseTrainingConfigs(configFiles, problems);
    if (!found) return;
    const w: LoadedWorkspace = { config: found.data as WorkspaceConfig, source: found.source };
    workspaces.push(w);
    trainingConfigs[w.config.name] = texts;
    workspaceKeys[w.config.name] = key;
    problems.push(...checkModelNames(w), ...checkWorkspaceResources(w), ...checkQuota(w), ...checkAutoscaling(w), ...checkRuns(w, Object.keys(configs)));
    if (platformConfig) problems.push(...checkRemoteCode(platformConfig, w, configs), ...checkRunSizes(platformConfig, w));
    problems.push(...checkDatasets(w, configs));
    if (platformConfig && problems.length === before) {
      const named = describeRuns(w.config.training.runs, texts, new Map(Object.entries(configs).map(([file, c]) => [file, c.parsed])));
      runs[w.config.name] = named;
      const quick = found.source.quickIndex();
      if (quick) options.cache?.put(`input:${key}`, { config: w.config, quick: quickToJson(quick), runs: named } satisfies CachedInput);
      options.onWorkspace?.(platformConfig, { config: w.config, source: w.source.file, trainingConfigs: texts, key, runs: named });
    }
  });

  const names = checkWorkspaceNames(workspaces);
  problems.push(...names.problems);
  problems.push(...checkStrayTrainingFolders(ctx, workspacesDir, stems));
  if (platform && platformConfig) {
    problems.push(
      ...checkPlatformResources(platformConfig, platform.source),
      ...checkMlflowStores(platformConfig, names.named),
      ...checkGcpIdentities(platformConfig, names.named),
      ...checkGcpNames(platformConfig, platform.source, names.named),
      ...checkGatewayRecords(platformConfig, names.named),
    );
  }
  if (problems.length > 0 || !platformConfig) throw new InputError(problems);

  return {
    platform: platformConfig,
    workspaces: workspaces.map((w) => w.config).sort((a, b) => (a.name < b.name ? -1 : 1)),
    platformFile: displayPath(ctx, platformFile),
    workspaceFiles: Object.fromEntries(workspaces.map((w) => [w.config.name, w.source.file])),
    trainingConfigs,
    runs,
    platformKey: hashOf(platform!.text),
    workspaceKeys,
    warnings: [
      ...(files.length === 0 ? [fileProblem(ctx, `${workspacesDir}/`,
        "warning: no workspace files: every workspace's output goes from dist/ and charts/, and Argo CD deletes their Applications (namespaces and volumes are kept); add a <name>.yaml if that is not meant")] : []),
    ],
  };
}

/** Whether a folder entry is, or links to, something that could be a file (links are checked when read). */
function fileOrLink(e: fs.Dirent): boolean {
  return e.isFile() || e.isSymbolicLink();
}

/**
 * The workspace files: `*.yaml` and `*.yml` directly in the folder (links too, under the
 * repository's rule). A file that looks meant to be one but is not (`team.YAML`,
 * `team.yaml.bak`) is a problem rather than silently skipped: its workspace would vanish
 * from dist/, and Argo CD would prune it. So is a file whose name differs from another's
 * only in case: on macOS and Windows the two are one file.
 */
function listWorkspaceFiles(ctx: InputContext, dir: string, problems: InputProblem[]): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    problems.push(fileProblem(ctx, dir, 'workspaces folder not found: create it, with one <name>.yaml per team'));
    return [];
  }
  const names: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!fileOrLink(e)) continue;
    if (/\.ya?ml$/.test(e.name)) names.push(e.name);
    else if (/\.ya?ml/i.test(e.name)) {
      problems.push(fileProblem(ctx, path.join(dir, e.name), `not read: workspace files are named <name>.yaml (or .yml), got '${e.name}'; rename or remove it`));
    }
  }
  // Lowercase names first: of two names that differ in case only, the lowercase one is kept.
  const byFolded = new Map<string, string>();
  for (const name of [...names].sort((a, b) => Number(a !== a.toLowerCase()) - Number(b !== b.toLowerCase()) || (a < b ? -1 : 1))) {
    const folded = name.toLowerCase();
    const kept = byFolded.get(folded);
    if (kept) {
      problems.push(fileProblem(ctx, path.join(dir, name),
        `not read: '${name}' differs from '${kept}' only in case, and on macOS and Windows the two are one file; merge it into ${kept} and remove it`));
    } else {
      byFolded.set(folded, name);
    }
  }
  return [...byFolded.values()].sort().map((n) => path.join(dir, n));
}

/** A training config file as read, before it is parsed. */
export interface TrainingConfigText {
  readonly name: string;
  readonly text: string;
  readonly shown: string;
}

/**
 * The training configs of a workspace (`<workspaces>/<name>/training/*.yaml`) as read, by
 * file name, with their text normalized (the same on every OS).
 */
function readTrainingConfigTexts(ctx: InputContext, workspacesDir: string, workspace: string, problems: InputProblem[]): TrainingConfigText[] {
  const dir = path.join(workspacesDir, workspace, 'training');
  const folder = resolveLink(ctx, dir);
  if ('problem' in folder) {
    // No folder (a link to nothing is a problem, not an absent folder).
    if (folder.problem !== 'not found') problems.push(fileProblem(ctx, `${dir}/`, folder.problem));
    return [];
  }
  if (!(folder.stat ?? fs.statSync(folder.real)).isDirectory()) {
    problems.push(fileProblem(ctx, dir, 'must be a folder of training configs (<name>.yaml files)'));
    return [];
  }
  const texts: TrainingConfigText[] = [];
  for (const e of fs.readdirSync(folder.real, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!fileOrLink(e)) continue;
    const file = path.join(dir, e.name);
    if (!/\.(ya?ml|json)$/.test(e.name)) {
      problems.push(fileProblem(ctx, file, `not read: training configs are .yaml files (and the DeepSpeed configs they name, .json), got '${e.name}'; rename or remove it`));
      continue;
    }
    const read = readInputFile(ctx, file);
    if ('problem' in read) problems.push(read.problem);
    else texts.push({ name: e.name, text: read.text, shown: read.shown });
  }
  return texts;
}

/** The training configs, each validated against LLaMA-Factory's keys; by file name. */
function parseTrainingConfigs(texts: readonly TrainingConfigText[], problems: InputProblem[]): Record<string, TrainingConfigFile> {
  const configs: Record<string, TrainingConfigFile> = {};
  for (const t of texts) {
    if (t.name.endsWith('.json')) {
      parseDeepspeed(t, problems);
      continue;
    }
    const found = parseTrainingConfig(t, problems);
    if (found) configs[t.name] = found;
  }
  const deepspeed = texts.filter((t) => t.name.endsWith('.json')).map((t) => t.name);
  for (const c of Object.values(configs)) problems.push(...checkDeepspeedReference(c, deepspeed));
  return configs;
}

/**
 * A training config, judged as LLaMA-Factory reads it (PyYAML's YAML 1.1, see
 * `readAsPyyaml`), then against its schema; `dataset` is required to train.
 */
export function parseTrainingConfig(t: TrainingConfigText, problems: InputProblem[]): TrainingConfigFile | undefined {
  const { source, problems: syntax } = YamlSource.parse(t.shown, t.text);
  if (syntax.length > 0) {
    problems.push(...syntax);
    return undefined;
  }
  const data = source.data as Record<string, unknown>;
  const parsed = structuredClone(data);
  const read = data !== null && typeof data === 'object' && !Array.isArray(data) ? readAsPyyaml(source, data) : [];
  const invalid = checkAgainstSchema(source, trainingConfigSchema, data);
  if (read.length + invalid.length > 0) {
    problems.push(...read, ...invalid);
    return undefined;
  }
  if (data.do_train === true && (data.dataset === undefined || data.dataset === null)) {
    problems.push(source.problemAt([], "'dataset' is required when 'do_train' is true: LLaMA-Factory asks for a data set to train on (a name of the workspace's dataset_info.json)"));
    return undefined;
  }
  return { text: t.text, source, data, parsed };
}

/** A DeepSpeed config: JSON as Python reads it, then its schema (positions from the same text read as YAML, which JSON is). */
function parseDeepspeed(t: TrainingConfigText, problems: InputProblem[]): void {
  const syntax = jsonSyntaxProblem(t.text);
  if (syntax) {
    problems.push({ file: t.shown, line: syntax.line, column: syntax.column, message: syntax.message });
    return;
  }
  parseYaml(t, deepspeedSchema, problems);
}

/** A folder in workspaces/ with no workspace file would hold configs nothing uses. */
function checkStrayTrainingFolders(ctx: InputContext, workspacesDir: string, names: readonly string[]): InputProblem[] {
  if (!fs.existsSync(workspacesDir)) return [];
  const known = new Set(names);
  return fs.readdirSync(workspacesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !known.has(e.name))
    .map((e) => fileProblem(ctx, `${path.join(workspacesDir, e.name)}/`, `folder of no workspace: there is no ${e.name}.yaml beside it; add the workspace file or remove the folder`));
}

/** Reads, parses and validates one YAML input; problems go to `problems`. */
function readYaml(ctx: InputContext, file: string, schema: object, problems: InputProblem[]): { data: unknown; source: YamlSource; text: string } | undefined {
  const read = readInputFile(ctx, file);
  if ('problem' in read) {
    problems.push(read.problem);
    return undefined;
  }
  return parseYaml(read, schema, problems);
}

/** Parses and validates one YAML input as read; problems go to `problems`. */
function parseYaml(read: { text: string; shown: string }, schema: object, problems: InputProblem[]): { data: unknown; source: YamlSource; text: string } | undefined {
  const { source, problems: syntax } = YamlSource.parse(read.shown, read.text);
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
  return { data, source, text: read.text };
}
