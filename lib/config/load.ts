import * as fs from 'fs';
import * as path from 'path';
import { artifactBucketName } from '../names';
import { platformSchema } from './platform-schema';
import { InputError, InputProblem } from './problems';
import { checkAgainstSchema } from './schema-check';
import { PlatformConfig, PlatformInputs, WorkspaceConfig } from './types';
import { workspaceSchema } from './workspace-schema';
import { YamlSource } from './yaml-source';

/** Where synth reads its inputs. */
export interface InputLocation {
  /** Path of platform.yaml. */
  readonly platformFile: string;
  /** Folder holding one `<name>.yaml` per workspace. */
  readonly workspacesDir: string;
}

/** Longest GCS bucket name without dots. */
const MAX_BUCKET_NAME = 63;

/**
 * Reads and validates every input: platform.yaml, then each workspace file, then the
 * rules that span files. Throws an {@link InputError} carrying every problem found,
 * so one run tells the user everything to fix.
 */
export function loadInputs(location: InputLocation): PlatformInputs {
  const problems: InputProblem[] = [];
  const platform = readFile(location.platformFile, platformSchema, problems) as PlatformConfig | undefined;

  const workspaces: { config: WorkspaceConfig; source: YamlSource }[] = [];
  for (const file of listWorkspaceFiles(location.workspacesDir, problems)) {
    const found = readFileWithSource(file, workspaceSchema, problems);
    if (found) workspaces.push({ config: found.data as WorkspaceConfig, source: found.source });
  }

  const byName = new Map<string, string>();
  for (const { config, source } of workspaces) {
    const stem = path.basename(source.file).replace(/\.ya?ml$/, '');
    if (config.name !== stem) {
      problems.push(source.problemAt(['name'], `'name' must match the file name '${stem}', got '${config.name}'; rename the file to ${config.name}.yaml or fix the name`));
    }
    const first = byName.get(config.name);
    if (first) {
      problems.push(source.problemAt(['name'], `'name' '${config.name}' is already used by ${first}; each workspace must have its own name`));
    } else {
      byName.set(config.name, source.file);
    }
    problems.push(...checkModelNames(config, source));
    if (platform) problems.push(...checkBucketName(platform, config, source));
  }

  if (problems.length > 0 || !platform) throw new InputError(problems);
  return {
    platform,
    workspaces: workspaces.map((w) => w.config).sort((a, b) => (a.name < b.name ? -1 : 1)),
    platformFile: display(location.platformFile),
    workspaceFiles: Object.fromEntries(workspaces.map((w) => [w.config.name, w.source.file])),
  };
}

function checkModelNames(config: WorkspaceConfig, source: YamlSource): InputProblem[] {
  const problems: InputProblem[] = [];
  const seen = new Map<string, number>();
  config.inference.models.forEach((model, i) => {
    const first = seen.get(model.name);
    if (first !== undefined) {
      problems.push(source.problemAt(['inference', 'models', i, 'name'],
        `'inference.models[${i}].name' '${model.name}' is already served by inference.models[${first}]; model names must be unique in a workspace`));
    } else {
      seen.set(model.name, i);
    }
  });
  return problems;
}

function checkBucketName(platform: PlatformConfig, config: WorkspaceConfig, source: YamlSource): InputProblem[] {
  if (config.mlflow.artifactBucket) return [];
  const bucket = artifactBucketName(platform.project, config.name);
  if (bucket.length <= MAX_BUCKET_NAME) return [];
  return [source.problemAt(['name'],
    `'name' makes the default MLflow bucket '${bucket}' ${bucket.length} characters long, GCS allows ${MAX_BUCKET_NAME}; use a shorter name or set 'mlflow.artifactBucket'`)];
}

function listWorkspaceFiles(dir: string, problems: InputProblem[]): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    problems.push({ file: display(dir), line: 1, column: 1, message: 'workspaces folder not found: create it, with one <name>.yaml per team' });
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(dir, e.name))
    .sort();
}

function readFile(file: string, schema: object, problems: InputProblem[]): unknown {
  return readFileWithSource(file, schema, problems)?.data;
}

function readFileWithSource(file: string, schema: object, problems: InputProblem[]): { data: unknown; source: YamlSource } | undefined {
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
  const data = source.toData();
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
