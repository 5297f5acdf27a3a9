/**
 * A platform of many realistic workspaces, for `npm run bench` and the tests at scale:
 * each one what the guide's workspace has (test/fixtures' team-alpha): the web UI, a
 * served model with its gateway record, and a training run with its config, under its
 * own names.
 */
import * as fs from 'fs';
import * as path from 'path';

const FIXTURES = path.resolve(__dirname, '..', '..', 'test', 'fixtures');

/** Name of the i-th workspace of a scale platform. */
export function scaleWorkspaceName(i: number): string {
  return `team-${String(i).padStart(4, '0')}`;
}

/** The i-th workspace file: team-alpha's, under its own name and model name. */
export function scaleWorkspace(i: number): string {
  const name = scaleWorkspaceName(i);
  return fs.readFileSync(path.join(FIXTURES, 'workspaces', 'team-alpha.yaml'), 'utf8')
    .replace(/^name: team-alpha$/m, `name: ${name}`)
    .replace(/ft-llama3-8b-v1/g, `${name}-chat`)
    .replace('../../../schemas', '../schemas');
}

/** Writes platform.yaml and `size` workspaces (with their training configs) into `dir`. */
export function writeScalePlatform(dir: string, size: number): void {
  fs.copyFileSync(path.join(FIXTURES, 'platform.yaml'), path.join(dir, 'platform.yaml'));
  const config = fs.readFileSync(path.join(FIXTURES, 'workspaces', 'team-alpha', 'training', 'train_config_v1.yaml'));
  fs.mkdirSync(path.join(dir, 'workspaces'), { recursive: true });
  for (let i = 0; i < size; i++) {
    const name = scaleWorkspaceName(i);
    fs.writeFileSync(path.join(dir, 'workspaces', `${name}.yaml`), scaleWorkspace(i));
    fs.mkdirSync(path.join(dir, 'workspaces', name, 'training'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'workspaces', name, 'training', 'train_config_v1.yaml'), config);
  }
}
