import { platformSchema } from './config/platform-schema';
import { PlatformConfig, PlatformInputs, WorkspaceConfig } from './config/types';
import { workspaceSchema } from './config/workspace-schema';
import { Manifest, OutputFile, synthChart, toFile } from './output/render';
import { SharedChart } from './shared/shared-chart';
import { WorkspaceChart } from './workspace/workspace-chart';

/** Everything one synth run produces, before it is written. */
export interface SynthOutput {
  /** Files of `dist/`, one folder per future Argo CD application. */
  readonly dist: readonly OutputFile[];
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

/** Synthesizes the whole platform from validated inputs. */
export function synthesize(inputs: PlatformInputs): SynthOutput {
  const shared = synthShared(inputs.platform);
  const dist: OutputFile[] = [toFile('shared', inputs.platformFile, shared)];
  let objects = shared.length;
  for (const workspace of inputs.workspaces) {
    const manifests = synthWorkspace(inputs.platform, workspace);
    dist.push(toFile(`workspaces/${workspace.name}`, inputs.workspaceFiles[workspace.name], manifests));
    objects += manifests.length;
  }
  return { dist, schemas: schemaFiles(), objects };
}
