import * as path from 'path';
import { ARGOCD_FOLDER, ArgoCdChart } from './argocd/argocd-chart';
import { platformSchema } from './config/platform-schema';
import { PlatformConfig, PlatformInputs, WorkspaceConfig } from './config/types';
import { workspaceSchema } from './config/workspace-schema';
import { trainingConfigSchema } from './training/config-schema';
import { deepspeedSchema } from './training/deepspeed';
import { CHART_NAME, platformChartFiles, RenderedLayer, RenderedWorkspace, workspaceChartFiles, workspaceChartName } from './helm/chart-files';
import { checkObjects, PolicyError } from './policy/check';
import { SharedTestsChart, WorkspaceTestsChart } from './helm/test-charts';
import { RenderPool } from './output/parallel';
import { digestOf, isDigest, Manifest, MANIFESTS_FILE, OutputDirs, OutputFile, synthChart, toFile, TreeFile } from './output/render';
import { examineFiles, remaker, settle, SettledWorkspace } from './output/on-disk';
import { describeRuns, RunInfo } from './training/run-name';
import { hashOf, SynthCache } from './output/synth-cache';
import { Stamps } from './output/write-tree';
import { SharedChart } from './shared/shared-chart';
import { workspaceNamespace } from './names';
import { BOUNDARIES_FOLDER, splitWorkspace } from './workspace/boundary';
import { WorkspaceChart } from './workspace/workspace-chart';
import { version } from '../package.json';

/** Everything one synth run produces, before it is written. */
export interface SynthOutput {
  /** Files of `dist/`: the Argo CD objects, and one folder per Argo CD application. */
  readonly dist: readonly TreeFile[];
  /** Files of `charts/`: the Helm chart built from the same objects. */
  readonly charts: readonly TreeFile[];
  /** The JSON Schemas, for `schemas/`. */
  readonly schemas: readonly OutputFile[];
  /** How many objects `dist` holds. */
  readonly objects: number;
  /**
   * Puts each workspace's entry into the cache (when there is one), with the stamp of each
   * of its files as the run left them in `dirs` (`replaceTrees`): a later run keeps a file
   * that still has its stamp without reading it.
   */
  readonly remember: (stamps: Stamps, dirs: OutputDirs) => void;
}

/** Objects of the shared layer (the gateway's records come from the workspaces). */
export function synthShared(platform: PlatformConfig, workspaces: readonly WorkspaceConfig[] = []): Manifest[] {
  return synthChart((app) => new SharedChart(app, 'shared', { platform, workspaces }));
}

/** Objects of one workspace. */
export function synthWorkspace(platform: PlatformConfig, workspace: WorkspaceConfig, trainingConfigs: Readonly<Record<string, string>> = {}, runs?: readonly RunInfo[]): Manifest[] {
  return synthChart((app) => new WorkspaceChart(app, workspace.name, { platform, workspace, trainingConfigs, runs }));
}

/** How `renderWorkspace` finishes its files. */
export interface RenderOptions {
  /** The digest of each file, for the cache (none when there is no cache). */
  readonly digests?: boolean;
  /** The output folders, to compare each file with the one it replaces (`kept`). */
  readonly compareWith?: OutputDirs;
}

/**
 * One workspace, synthesized once and rendered for dist/ and for the chart: its
 * boundary (`dist/workspace-boundaries/<name>/`) and its own objects
 * (`dist/workspaces/<name>/`), which Argo CD syncs through different projects, and its
 * chart; with the digest of each file, and whether the output folders hold it already.
 * `named`: its runs as the loader named them (named here when not given).
 */
export function renderWorkspace(
  platform: PlatformConfig, workspace: WorkspaceConfig, source: string, trainingConfigs: Readonly<Record<string, string>> = {}, options: RenderOptions = { digests: true },
  named?: readonly RunInfo[],
): RenderedWorkspace {
  const runs = named ?? describeRuns(workspace.training.runs, trainingConfigs);
  const manifests = synthWorkspace(platform, workspace, trainingConfigs, runs);
  const parts = splitWorkspace(manifests, workspaceNamespace(workspace.name));
  const tests = synthChart((app) => new WorkspaceTestsChart(app, `${workspace.name}-tests`, { platform, workspace }));
  const layer: RenderedLayer = {
    source,
    rendered: [toFile(`${BOUNDARIES_FOLDER}/${workspace.name}`, source, parts.boundary), toFile(`workspaces/${workspace.name}`, source, parts.tenant)],
    tests: toFile('', source, tests).content,
    objects: manifests.length,
    problems: checkObjects([...manifests, ...tests]),
  };
  const chart = workspaceChartFiles(version, workspace, layer, runs);
  const facts = examineFiles([
    { dir: options.compareWith?.dist, files: layer.rendered },
    { dir: options.compareWith?.charts, files: chart },
  ], options.digests === true);
  return { source, rendered: layer.rendered, chart, objects: layer.objects, problems: layer.problems, ...facts };
}

/**
 * A file in the cache: its path, digest, and its stamp when the run that cached it left it
 * (none when it was not known). Any text that is not the file's stamp now only makes it read.
 */
type CachedFile = readonly [string, string] | readonly [string, string, string];

/** What the cache keeps of a rendered workspace: its object count and each file's digest and stamp (never its content). */
interface CachedWorkspace {
  readonly objects: number;
  readonly dist: readonly CachedFile[];
  readonly chart: readonly CachedFile[];
}

/** The files `renderWorkspace` makes for a workspace, dist/'s then the chart's: a cache entry that names others is not used. */
export function workspaceFilePaths(name: string): { dist: string[]; chart: string[] } {
  const chart = `${CHART_NAME}/charts/${workspaceChartName(name)}`;
  return {
    dist: [`${BOUNDARIES_FOLDER}/${name}/${MANIFESTS_FILE}`, `workspaces/${name}/${MANIFESTS_FILE}`],
    chart: [`${chart}/Chart.yaml`, `${chart}/templates/boundary.yaml`, `${chart}/templates/manifests.yaml`, `${chart}/templates/tests.yaml`, `${chart}/templates/NOTES.txt`],
  };
}

/** The cache key of a workspace's rendered files. */
export function layerKey(key: string): string {
  return `layer:${key}`;
}

/** The JSON Schemas of the inputs, as written to `schemas/` for editors. */
export function schemaFiles(): OutputFile[] {
  return [
    { path: 'platform.schema.json', content: `${JSON.stringify(platformSchema, null, 2)}\n` },
    { path: 'workspace.schema.json', content: `${JSON.stringify(workspaceSchema, null, 2)}\n` },
    { path: 'training-config.schema.json', content: `${JSON.stringify(trainingConfigSchema, null, 2)}\n` },
    { path: 'deepspeed-config.schema.json', content: `${JSON.stringify(deepspeedSchema, null, 2)}\n` },
  ];
}

/**
 * Synthesizes the whole platform from validated inputs: each chart once, for dist/ and
 * for the Helm chart, every object checked against the platform's policy and its
 * schema (a {@link PolicyError} when any fails). With a pool (a large platform), the
 * workspaces were sent to it while the inputs were read; this thread renders the shared
 * layer and Argo CD's objects, then helps render what is left. With a cache, a workspace
 * whose files are what they were is not rendered: its files are given by digest, and
 * made again only if the tree does not hold them (see `SynthCache`).
 */
export async function synthesize(inputs: PlatformInputs, pool?: RenderPool, cache?: SynthCache, compareWith?: OutputDirs): Promise<SynthOutput> {
  const platform = inputs.platform;
  const manifests = synthShared(platform, inputs.workspaces);
  const testPods = synthChart((app) => new SharedTestsChart(app, 'shared-tests', { platform, workspaces: inputs.workspaces }));
  const shared = {
    source: inputs.platformFile,
    rendered: [toFile('shared', inputs.platformFile, manifests)],
    tests: toFile('', inputs.platformFile, testPods).content,
    objects: manifests.length,
    problems: checkObjects([...manifests, ...testPods]),
    manifests,
    testPods,
  };
  const argocd = argocdFile(inputs, cache);
  // The chart's files but the workspaces' own, made while the workspaces still render.
  const configsOf = (config: WorkspaceConfig) => inputs.trainingConfigs[config.name] ?? {};
  const platformCharts = platformChartFiles({ version, platform, shared, workspaces: inputs.workspaces.map((config) => ({ config, trainingConfigs: configsOf(config) })) });
  const pooled = pool ? await pool.finish(renderWorkspace) : new Map<string, SettledWorkspace>();
  const render = (config: WorkspaceConfig, options?: RenderOptions) => renderWorkspace(platform, config, inputs.workspaceFiles[config.name], configsOf(config), options, inputs.runs?.[config.name]);
  const again = (config: WorkspaceConfig) => remaker(() => render(config, {}));
  // What each workspace's cache entry will hold, but the stamps its files get when written.
  const toCache: { key: string; entry: CachedWorkspace; reused: boolean }[] = [];
  const workspaces = inputs.workspaces.map((config) => {
    const key = inputs.workspaceKeys?.[config.name];
    const cached = key !== undefined && !pooled.has(config.name) ? cache?.get<CachedWorkspace>(layerKey(key)) : undefined;
    if (cached && namesItsOwnFiles(cached, config.name)) {
      toCache.push({ key: key!, entry: cached, reused: true });
      return { config, trainingConfigs: configsOf(config), ...reused(cached, again(config)) };
    }
    const layer = pooled.get(config.name) ?? settle(render(config, { digests: cache !== undefined, compareWith }), again(config));
    if (key !== undefined && layer.problems.length === 0 && layer.digests.length === layer.dist.length + layer.chart.length) {
      const entries = [...layer.dist, ...layer.chart].map((f, i): CachedFile => [f.path, layer.digests[i]]);
      toCache.push({ key, entry: { objects: layer.objects, dist: entries.slice(0, layer.dist.length), chart: entries.slice(layer.dist.length) }, reused: false });
    }
    return { config, trainingConfigs: configsOf(config), dist: layer.dist, chart: layer.chart, objects: layer.objects, problems: layer.problems };
  });
  const problems = [...argocd.problems, ...shared.problems, ...workspaces.flatMap((w) => w.problems)];
  if (problems.length > 0) throw new PolicyError(problems);
  return {
    dist: [argocd.file, ...shared.rendered, ...workspaces.flatMap((w) => w.dist)],
    charts: [...platformCharts.before, ...workspaces.flatMap((w) => w.chart), ...platformCharts.after],
    schemas: schemaFiles(),
    objects: argocd.objects + shared.objects + workspaces.reduce((n, w) => n + w.objects, 0),
    remember: (stamps, dirs) => {
      const stamped = (dir: string) => ([file, digest]: CachedFile): CachedFile => {
        const stamp = stamps.get(path.join(dir, file));
        return stamp !== undefined ? [file, digest, stamp] : [file, digest];
      };
      for (const { key, entry, reused } of toCache) {
        const now: CachedWorkspace = { objects: entry.objects, dist: entry.dist.map(stamped(dirs.dist)), chart: entry.chart.map(stamped(dirs.charts)) };
        // A reused entry whose files kept their stamps stays as it was.
        if (reused && JSON.stringify(now) === JSON.stringify(entry)) continue;
        cache?.put(layerKey(key), now);
      }
    },
  };
}

/**
 * The Argo CD objects' file (`dist/argocd/`), which depends on platform.yaml and the
 * workspaces' names only: reused by digest from the cache while those are what they were.
 */
function argocdFile(inputs: PlatformInputs, cache?: SynthCache): { file: TreeFile; objects: number; problems: readonly string[] } {
  const names = inputs.workspaces.map((w) => w.name);
  const make = () => {
    const objects = synthChart((app) => new ArgoCdChart(app, 'argocd', { platform: inputs.platform, workspaces: names }));
    return { objects, file: toFile(ARGOCD_FOLDER, inputs.platformFile, objects) };
  };
  const key = inputs.platformKey !== undefined ? `argocd:${hashOf(inputs.platformKey, inputs.platformFile, ...names)}` : undefined;
  const cached = key !== undefined ? cache?.get<{ objects: number; digest: string }>(key) : undefined;
  if (cached && typeof cached.objects === 'number' && isDigest(cached.digest)) {
    return { file: { path: `${ARGOCD_FOLDER}/${MANIFESTS_FILE}`, digest: cached.digest, make: () => make().file.content }, objects: cached.objects, problems: [] };
  }
  const { objects, file } = make();
  const problems = checkObjects(objects);
  if (key !== undefined && problems.length === 0) cache?.put(key, { objects: objects.length, digest: digestOf(file.content) });
  return { file, objects: objects.length, problems };
}

/** Whether a cache entry names exactly the files of that workspace (an entry of another would drop its files). */
function namesItsOwnFiles(cached: CachedWorkspace, name: string): boolean {
  const paths = workspaceFilePaths(name);
  const same = (entries: unknown, expected: string[]) => Array.isArray(entries) && entries.length === expected.length
    && entries.every((e, i) => Array.isArray(e) && e[0] === expected[i] && isDigest(e[1]) && (e.length === 2 || (e.length === 3 && typeof e[2] === 'string')));
  return typeof cached.objects === 'number' && same(cached.dist, paths.dist) && same(cached.chart, paths.chart);
}

/** A workspace's files from the cache: each by its digest, made (once, for all its files) only if needed. */
function reused(cached: CachedWorkspace, make: (path: string) => string): { dist: TreeFile[]; chart: TreeFile[]; objects: number; problems: string[] } {
  const files = (entries: CachedWorkspace['dist']) => entries.map(([file, digest, stamp]) => ({ path: file, digest, stamp, make: () => make(file) }));
  return { dist: files(cached.dist), chart: files(cached.chart), objects: cached.objects, problems: [] };
}
