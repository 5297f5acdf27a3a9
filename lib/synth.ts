import { platformSchema } from './config/platform-schema';
import { PlatformConfig, PlatformInputs, WorkspaceConfig } from './config/types';
import { workspaceSchema } from './config/workspace-schema';
import { Manifest, OutputFile, synthChart, toFiles } from './output/render';
import { SharedChart } from './shared/shared-chart';
import { WorkspaceChart } from './workspace/workspace-chart';

/** Everything one synth run produces, before it is written. */
export interface SynthOutput {
  /** Files of `dist/`, one folder per future Argo CD application. */
  readonly dist: readonly OutputFile[];
  /** The JSON Schemas, for `schemas/`. */
  readonly schemas: readonly OutputFile[];
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

/** Synthesizes the whole platform from validated inputs. */
export function synthesize(inputs: PlatformInputs): SynthOutput {
  const dist: OutputFile[] = [...toFiles('shared', inputs.platformFile, synthShared(inputs.platform))];
  for (const workspace of inputs.workspaces) {
    dist.push(...toFiles(`workspaces/${workspace.name}`, inputs.workspaceFiles[workspace.name], synthWorkspace(inputs.platform, workspace)));
  }
  return { dist, schemas: schemaFiles() };
}
