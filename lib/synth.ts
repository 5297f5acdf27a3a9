import { ARGOCD_FOLDER, ArgoCdChart } from './argocd/argocd-chart';
import { platformSchema } from './config/platform-schema';
import { PlatformConfig, PlatformInputs, WorkspaceConfig } from './config/types';
import { workspaceSchema } from './config/workspace-schema';
import { trainingConfigSchema } from './training/config-schema';
import { helmChartFiles, RenderedLayer } from './helm/chart-files';
import { checkObjects, PolicyError } from './policy/check';
import { SharedTestsChart, WorkspaceTestsChart } from './helm/test-charts';
import { RenderPool } from './output/parallel';
import { Manifest, OutputFile, synthChart, toFile } from './output/render';
import { SharedChart } from './shared/shared-chart';
import { workspaceNamespace } from './names';
import { BOUNDARIES_FOLDER, splitWorkspace } from './workspace/boundary';
import { WorkspaceChart } from './workspace/workspace-chart';
import { version } from '../package.json';

/** Everything one synth run produces, before it is written. */
export interface SynthOutput {
  /** Files of `dist/`: the Argo CD objects, and one folder per Argo CD application. */
  readonly dist: readonly OutputFile[];
  /** Files of `charts/`: the Helm chart built from the same objects. */
  readonly charts: readonly OutputFile[];
  /** The JSON Schemas, for `schemas/`. */
  readonly schemas: readonly OutputFile[];
  /** How many objects `dist` holds. */
  readonly objects: number;
}

/** Objects of the shared layer (the gateway's records come from the workspaces). */
export function synthShared(platform: PlatformConfig, workspaces: readonly WorkspaceConfig[] = []): Manifest[] {
  return synthChart((app) => new SharedChart(app, 'shared', { platform, workspaces }));
}

/** Objects of one workspace. */
export function synthWorkspace(platform: PlatformConfig, workspace: WorkspaceConfig, trainingConfigs: Readonly<Record<string, string>> = {}): Manifest[] {
  return synthChart((app) => new WorkspaceChart(app, workspace.name, { platform, workspace, trainingConfigs }));
}

/**
 * One workspace, synthesized once and rendered for dist/ and for the chart: its
 * boundary (`dist/workspace-boundaries/<name>/`) and its own objects
 * (`dist/workspaces/<name>/`), which Argo CD syncs through different projects.
 */
export function renderWorkspace(platform: PlatformConfig, workspace: WorkspaceConfig, source: string, trainingConfigs: Readonly<Record<string, string>> = {}): RenderedLayer {
  const manifests = synthWorkspace(platform, workspace, trainingConfigs);
  const parts = splitWorkspace(manifests, workspaceNamespace(workspace.name));
  const tests = synthChart((app) => new WorkspaceTestsChart(app, `${workspace.name}-tests`, { platform, workspace }));
  return {
    source,
    rendered: [toFile(`${BOUNDARIES_FOLDER}/${workspace.name}`, source, parts.boundary), toFile(`workspaces/${workspace.name}`, source, parts.tenant)],
    tests: toFile('', source, tests).content,
    objects: manifests.length,
    problems: checkObjects([...manifests, ...tests]),
  };
}

/** The JSON Schemas of the inputs, as written to `schemas/` for editors. */
export function schemaFiles(): OutputFile[] {
  return [
    { path: 'platform.schema.json', content: `${JSON.stringify(platformSchema, null, 2)}\n` },
    { path: 'workspace.schema.json', content: `${JSON.stringify(workspaceSchema, null, 2)}\n` },
    { path: 'training-config.schema.json', content: `${JSON.stringify(trainingConfigSchema, null, 2)}\n` },
  ];
}

/**
 * Synthesizes the whole platform from validated inputs: each chart once, for dist/ and
 * for the Helm chart, every object checked against the platform's policy and its
 * schema (a {@link PolicyError} when any fails). With a pool (a large platform), the
 * workspaces were sent to it while the inputs were read; this thread renders the shared
 * layer and Argo CD's objects, then helps render what is left.
 */
export async function synthesize(inputs: PlatformInputs, pool?: RenderPool): Promise<SynthOutput> {
  const platform = inputs.platform;
  const manifests = synthShared(platform, inputs.workspaces);
  const testPods = synthChart((app) => new SharedTestsChart(app, 'shared-tests', { platform }));
  const shared = {
    source: inputs.platformFile,
    rendered: [toFile('shared', inputs.platformFile, manifests)],
    tests: toFile('', inputs.platformFile, testPods).content,
    objects: manifests.length,
    problems: checkObjects([...manifests, ...testPods]),
    manifests,
    testPods,
  };
  const argocd = synthChart((app) => new ArgoCdChart(app, 'argocd', { platform, workspaces: inputs.workspaces.map((w) => w.name) }));
  const pooled = pool ? await pool.finish(renderWorkspace) : new Map<string, RenderedLayer>();
  const layers = inputs.workspaces.map((config) => pooled.get(config.name)
    ?? renderWorkspace(platform, config, inputs.workspaceFiles[config.name], inputs.trainingConfigs[config.name] ?? {}));
  const workspaces = inputs.workspaces.map((config, i) => ({ config, layer: layers[i] }));
  const problems = [...checkObjects(argocd), ...shared.problems, ...layers.flatMap((l) => l.problems)];
  if (problems.length > 0) throw new PolicyError(problems);
  return {
    dist: [toFile(ARGOCD_FOLDER, inputs.platformFile, argocd), ...shared.rendered, ...layers.flatMap((l) => l.rendered)],
    charts: helmChartFiles({ version, platform, shared, workspaces }),
    schemas: schemaFiles(),
    objects: argocd.length + shared.objects + layers.reduce((n, l) => n + l.objects, 0),
  };
}
