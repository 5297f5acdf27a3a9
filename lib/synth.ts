import { platformSchema } from './config/platform-schema';
import { PlatformConfig, PlatformInputs, WorkspaceConfig } from './config/types';
import { workspaceSchema } from './config/workspace-schema';
import { ChartLayer, helmChartFiles } from './helm/chart-files';
import { SharedTestsChart, WorkspaceTestsChart } from './helm/test-charts';
import { Manifest, OutputFile, synthChart, toFile } from './output/render';
import { SharedChart } from './shared/shared-chart';
import { WorkspaceChart } from './workspace/workspace-chart';
import { version } from '../package.json';

/** Everything one synth run produces, before it is written. */
export interface SynthOutput {
  /** Files of `dist/`, one folder per future Argo CD application. */
  readonly dist: readonly OutputFile[];
  /** Files of `charts/`: the Helm chart built from the same objects. */
  readonly charts: readonly OutputFile[];
  /** The JSON Schemas, for `schemas/`. */
  readonly schemas: readonly OutputFile[];
  /** How many objects `dist` holds. */
  readonly objects: number;
}

/** Objects of the shared layer. */
export function synthShared(platform: PlatformConfig): Manifest[] {
  return synthChart((app) => new SharedChart(app, 'shared', { platform }));
}

/** Objects of one workspace. */
export function synthWorkspace(platform: PlatformConfig, workspace: WorkspaceConfig): Manifest[] {
  return synthChart((app) => new WorkspaceChart(app, workspace.name, { platform, workspace }));
}

/** The JSON Schemas of the inputs, as written to `schemas/` for editors. */
export function schemaFiles(): OutputFile[] {
  return [
    { path: 'platform.schema.json', content: `${JSON.stringify(platformSchema, null, 2)}\n` },
    { path: 'workspace.schema.json', content: `${JSON.stringify(workspaceSchema, null, 2)}\n` },
  ];
}

/** Synthesizes the whole platform from validated inputs: each chart once, for dist/ and for the Helm chart. */
export function synthesize(inputs: PlatformInputs): SynthOutput {
  const platform = inputs.platform;
  const layer = (folder: string, source: string, manifests: Manifest[], tests: Manifest[]): ChartLayer =>
    ({ source, manifests, tests, rendered: toFile(folder, source, manifests) });
  const shared = layer('shared', inputs.platformFile, synthShared(platform),
    synthChart((app) => new SharedTestsChart(app, 'shared-tests', { platform })));
  const workspaces = inputs.workspaces.map((config) => ({
    config,
    layer: layer(`workspaces/${config.name}`, inputs.workspaceFiles[config.name], synthWorkspace(platform, config),
      synthChart((app) => new WorkspaceTestsChart(app, `${config.name}-tests`, { platform, workspace: config }))),
  }));
  return {
    dist: [shared.rendered, ...workspaces.map((w) => w.layer.rendered)],
    charts: helmChartFiles({ version, platform, shared, workspaces }),
    schemas: schemaFiles(),
    objects: shared.manifests.length + workspaces.reduce((n, w) => n + w.layer.manifests.length, 0),
  };
}
