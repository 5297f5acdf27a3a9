import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { MAIN, sandbox, Sandbox } from './helpers';

/*
 * Every bad input makes synth exit non-zero, print one line per problem (file, line,
 * column, field, what was found, what is allowed), print no stack trace, and leave
 * dist/, charts/ and schemas/ exactly as they were.
 */

const VALID = 'name: team-a\nwebui:\n  enabled: false\ninference:\n  models:\n    - name: chat\n';

let template: Sandbox;
let box: Sandbox;
let distBefore: string;
let chartsBefore: string;
let schemasBefore: string;

beforeAll(() => {
  template = sandbox({ 'team-a.yaml': VALID });
  expect(template.synth().status).toBe(0);
  distBefore = template.digest('dist');
  chartsBefore = template.digest('charts');
  schemasBefore = template.digest('schemas');
});

// Each test starts from a copy of one synthesized sandbox, with dist/ and schemas/ present.
beforeEach(() => {
  box = sandbox();
  fs.cpSync(template.dir, box.dir, { recursive: true });
});

afterEach(() => fs.rmSync(box.dir, { recursive: true, force: true }));
afterAll(() => fs.rmSync(template.dir, { recursive: true, force: true }));

/** Runs synth on the broken sandbox and checks what every failure must do. */
function failingSynth(): string[] {
  const r = box.synth();
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(box.digest('dist')).toBe(distBefore);
  expect(box.digest('charts')).toBe(chartsBefore);
  expect(box.digest('schemas')).toBe(schemasBefore);
  expect(fs.readdirSync(box.dir).filter((f) => f.startsWith('.'))).toEqual([]);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[lines.length - 1]).toMatch(/^synth: \d+ problem\(s\) in the inputs; nothing was written$/);
  return lines.slice(0, -1);
}

const cases: [string, Record<string, string>, string[]][] = [
  ['an unknown field (a typo)', { 'workspaces/team-a.yaml': 'name: team-a\nstorage:\n  sise: 1Ti\n' }, [
    "workspaces/team-a.yaml:3:3 'storage.sise' is not a known field (did you mean 'size'?); allowed here: size, storageClassName, accessMode",
  ]],
  ['an unknown top-level field', { 'workspaces/team-a.yaml': 'name: team-a\nwebiu: {}\n' }, [
    "workspaces/team-a.yaml:2:1 'webiu' is not a known field (did you mean 'webui'?); allowed here: name, state, gcpServiceAccount, storage, mlflow, webui, training, quota, inference",
  ]],
  ['a wrong type', { 'workspaces/team-a.yaml': 'name: team-a\nwebui:\n  enabled: "yes"\n' }, [
    "workspaces/team-a.yaml:3:12 'webui.enabled' must be true or false, got 'yes'",
  ]],
  ['a mapping where a list belongs', { 'workspaces/team-a.yaml': 'name: team-a\ninference:\n  models:\n    name: chat\n' }, [
    "workspaces/team-a.yaml:4:5 'inference.models' must be a list, got a mapping",
  ]],
  ['a name that is not DNS-1123', { 'workspaces/Team_A.yaml': 'name: Team_A\n', 'workspaces/team-a.yaml': VALID }, [
    "workspaces/Team_A.yaml:1:7 'name' must be a DNS-1123 label of at most 49 characters (namespace llm-workspace-<name> is limited to 63): lowercase letters, digits and '-', starting and ending with a letter or digit, got 'Team_A'",
  ]],
  ['a name too long for the llm-workspace- prefix', { [`workspaces/${'a'.repeat(50)}.yaml`]: `name: ${'a'.repeat(50)}\n` }, [
    `workspaces/${'a'.repeat(50)}.yaml:1:7 'name' must be a DNS-1123 label of at most 49 characters (namespace llm-workspace-<name> is limited to 63): lowercase letters, digits and '-', starting and ending with a letter or digit, got '${'a'.repeat(50)}' (50 characters)`,
  ]],
  ['a missing name', { 'workspaces/team-a.yaml': 'storage:\n  size: 1Ti\n' }, [
    "workspaces/team-a.yaml:1:1 'name' is required but missing in the file",
  ]],
  ['a file name different from name', { 'workspaces/team-b.yaml': 'name: team-c\n' }, [
    "workspaces/team-b.yaml:1:7 'name' must match the file name 'team-b', got 'team-c'; rename the file to team-c.yaml or fix the name",
  ]],
  ['the same workspace twice', { 'workspaces/team-a.yml': VALID }, [
    "workspaces/team-a.yml:1:7 'name' 'team-a' is already used by workspaces/team-a.yaml; each workspace must have its own name",
  ]],
  ['a YAML syntax error', { 'workspaces/team-a.yaml': 'name: team-a\nstorage:\n  size: [1Ti\n' }, [
    'workspaces/team-a.yaml:4:1 yaml syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ]],
  ['a duplicated key', { 'workspaces/team-a.yaml': 'name: team-a\nname: team-a\n' }, [
    "workspaces/team-a.yaml:2:1 yaml syntax error: the key 'name' is given twice in the same mapping",
  ]],
  ['an alias to no anchor', { 'workspaces/team-a.yaml': 'name: *team\n' }, [
    'workspaces/team-a.yaml:1:1 yaml error: Unresolved alias (the anchor must be set before the alias): team',
  ]],
  ['an empty file', { 'workspaces/team-a.yaml': '' }, [
    'workspaces/team-a.yaml:1:1 file is empty: expected a mapping of fields',
  ]],
  ['a file of comments only', { 'workspaces/team-a.yaml': '# yaml-language-server: $schema=../schemas/workspace.schema.json\n' }, [
    'workspaces/team-a.yaml:1:1 file is empty: expected a mapping of fields',
  ]],
  ['a file that is a list', { 'workspaces/team-a.yaml': '- name: team-a\n' }, [
    'workspaces/team-a.yaml:1:1 the file must be a mapping with the fields name, state, gcpServiceAccount, storage, mlflow, webui, training, quota, inference, got a list of 1 item',
  ]],
  ['a negative GPU count', { 'workspaces/team-a.yaml': 'name: team-a\ninference:\n  models:\n    - name: chat\n      gpus: -1\n' }, [
    "workspaces/team-a.yaml:5:13 'inference.models[0].gpus' must be a whole number of GPUs from 1 to 16, got -1",
  ]],
  ['a fractional GPU count', { 'workspaces/team-a.yaml': 'name: team-a\ninference:\n  models:\n    - name: chat\n      gpus: 0.5\n' }, [
    "workspaces/team-a.yaml:5:13 'inference.models[0].gpus' must be a whole number of GPUs from 1 to 16, got 0.5",
  ]],
  ['a malformed quantity', { 'workspaces/team-a.yaml': 'name: team-a\nstorage:\n  size: 200GB\n' }, [
    "workspaces/team-a.yaml:3:9 'storage.size' must be a size with a binary suffix, like '512Mi', '16Gi' or '1Ti', got '200GB'",
  ]],
  ['a malformed CPU amount', { 'workspaces/team-a.yaml': 'name: team-a\nwebui:\n  resources:\n    cpu: { limit: 4 cores }\n' }, [
    "workspaces/team-a.yaml:4:19 'webui.resources.cpu.limit' must be a CPU amount in cores or millicores, like '2', '0.5' or '500m', got '4 cores'",
  ]],
  ['a model served twice', { 'workspaces/team-a.yaml': 'name: team-a\ninference:\n  models:\n    - name: chat\n    - name: chat\n' }, [
    "workspaces/team-a.yaml:5:13 'inference.models[1].name' 'chat' is already served by inference.models[0]; model names must be unique in a workspace",
  ]],
  ['an unknown value of an enum', { 'workspaces/team-a.yaml': 'name: team-a\nstorage:\n  accessMode: ReadOnlyMany\n' }, [
    "workspaces/team-a.yaml:3:15 'storage.accessMode' must be one of 'ReadWriteOnce', 'ReadWriteMany', got 'ReadOnlyMany'",
  ]],
  ['an unknown image key', { 'platform.yaml': fs.readFileSync(path.join(__dirname, '..', 'platform.yaml'), 'utf8').replace('  mlflow:', '  trainer: { name: x, tag: v1 }\n  mlflow:') }, [
    "platform.yaml:14:3 'images.trainer' is not a known field (did you mean 'train'?); allowed here: train, api, console, gateway, strapi, mlflow, registrar, gcloud, test",
  ]],
  ['an image tagged latest', { 'platform.yaml': fs.readFileSync(path.join(__dirname, '..', 'platform.yaml'), 'utf8').replace('name: prompt-console, tag: v1.0.0', 'name: prompt-console, tag: latest') }, [
    "platform.yaml:11:41 'images.console.tag' must be a pinned tag like 'v1.0.0' (not 'latest'): at most 63 letters, digits, '.', '_' or '-', starting and ending with a letter or digit, got 'latest'",
  ]],
  ['a default bucket name longer than GCS allows', {
    'platform.yaml': fs.readFileSync(path.join(__dirname, '..', 'platform.yaml'), 'utf8').replace('project: your-gcp-project', 'project: a-very-long-gcp-project-id'),
    [`workspaces/${'b'.repeat(30)}.yaml`]: `name: ${'b'.repeat(30)}\n`,
  }, [
    `workspaces/${'b'.repeat(30)}.yaml:1:7 'name' makes the default MLflow bucket 'a-very-long-gcp-project-id-mlflow-${'b'.repeat(30)}' 64 characters long, GCS allows 63; use a shorter name or set 'mlflow.artifactBucket'`,
  ]],
  ['several documents in one file', { 'workspaces/team-a.yaml': 'name: team-a\n---\nname: team-b\n' }, [
    "workspaces/team-a.yaml:2:1 yaml syntax error: the file holds more than one YAML document ('---'); put one workspace in each file",
  ]],
  ['a file that is a single word', { 'workspaces/team-a.yaml': 'team-a\n' }, [
    "workspaces/team-a.yaml:1:1 the file must be a mapping with the fields name, state, gcpServiceAccount, storage, mlflow, webui, training, quota, inference, got 'team-a'",
  ]],
  ['a request above its limit', { 'workspaces/team-a.yaml': 'name: team-a\nwebui:\n  resources:\n    memory: { request: 32Gi }\n    cpu: { request: 500m, limit: 250m }\n' }, [
    "workspaces/team-a.yaml:4:24 'webui.resources.memory.request' must be at most the limit 16Gi, got 32Gi",
    "workspaces/team-a.yaml:5:21 'webui.resources.cpu.request' must be at most the limit 250m, got 500m",
  ]],
  ['a registered model name that could escape its folder', { 'workspaces/team-a.yaml': 'name: team-a\ninference:\n  models:\n    - name: chat\n      registeredModel: ".."\n' }, [
    "workspaces/team-a.yaml:5:24 'inference.models[0].registeredModel' must be an MLflow model name of letters, digits, '.', '_' and '-', starting with a letter or digit, got '..'",
  ]],
  ['a workspace named like the shared layer', { 'workspaces/common.yaml': 'name: common\n' }, [
    "workspaces/common.yaml:1:7 'name' 'common' is reserved for the shared layer (mlflow_common, <project>-mlflow-common); choose another name",
  ]],
  ['two workspaces sharing an MLflow database and bucket', { 'workspaces/team-b.yaml': 'name: team-b\nmlflow:\n  database: mlflow_team-a\n  artifactBucket: your-gcp-project-mlflow-common\n' }, [
    "workspaces/team-b.yaml:3:13 'mlflow.database' gives MLflow database 'mlflow_team-a', which workspaces/team-a.yaml already uses; each MLflow server needs its own database",
    "workspaces/team-b.yaml:4:19 'mlflow.artifactBucket' gives MLflow bucket 'your-gcp-project-mlflow-common', which mlflow-common already uses; each MLflow server needs its own bucket",
  ]],
  ['a workspace file with the wrong extension', { 'workspaces/team-c.YAML': 'name: team-c\n', 'workspaces/team-d.yaml.bak': 'name: team-d\n' }, [
    "workspaces/team-c.YAML:1:1 not read: workspace files are named <name>.yaml (or .yml), got 'team-c.YAML'; rename or remove it",
    "workspaces/team-d.yaml.bak:1:1 not read: workspace files are named <name>.yaml (or .yml), got 'team-d.yaml.bak'; rename or remove it",
  ]],
  ['an image tag that cannot be a label value', { 'platform.yaml': fs.readFileSync(path.join(__dirname, '..', 'platform.yaml'), 'utf8').replace('name: llm-gateway, tag: v1.0.0', 'name: llm-gateway, tag: v1.0.0_') }, [
    "platform.yaml:12:38 'images.gateway.tag' must be a pinned tag like 'v1.0.0' (not 'latest'): at most 63 letters, digits, '.', '_' or '-', starting and ending with a letter or digit, got 'v1.0.0_'",
  ]],
  ['an empty platform.yaml', { 'platform.yaml': '' }, [
    'platform.yaml:1:1 file is empty: expected a mapping of fields',
  ]],
];

test.each(cases)('fails on %s', (_what, files, expected) => {
  for (const [file, content] of Object.entries(files)) box.write(file, content);
  expect(failingSynth()).toEqual(expected);
});

test('fails with every problem of every file at once, in file order', () => {
  box.write('workspaces/team-a.yaml', 'name: team-a\nstorage:\n  size: 200GB\ninference:\n  models:\n    - name: chat\n      gpus: -2\n');
  box.write('workspaces/team-b.yaml', 'name: team-c\n');
  box.write('platform.yaml', fs.readFileSync(path.join(__dirname, '..', 'platform.yaml'), 'utf8').replace('host: 10.0.0.5', 'host: 10.0.0.5\n  prot: 5432'));
  const lines = failingSynth();
  expect(lines).toEqual([
    "platform.yaml:17:3 'cloudSql.prot' is not a known field (did you mean 'port'?); allowed here: host, port, instance",
    "workspaces/team-a.yaml:3:9 'storage.size' must be a size with a binary suffix, like '512Mi', '16Gi' or '1Ti', got '200GB'",
    "workspaces/team-a.yaml:7:13 'inference.models[0].gpus' must be a whole number of GPUs from 1 to 16, got -2",
    "workspaces/team-b.yaml:1:7 'name' must match the file name 'team-b', got 'team-c'; rename the file to team-c.yaml or fix the name",
  ]);
});

test('fails when the workspaces folder is missing', () => {
  fs.rmSync(path.join(box.dir, 'workspaces'), { recursive: true });
  expect(failingSynth()).toEqual(['workspaces:1:1 workspaces folder not found: create it, with one <name>.yaml per team']);
});

test('fails when platform.yaml does not exist', () => {
  fs.rmSync(path.join(box.dir, 'platform.yaml'));
  expect(failingSynth()).toEqual(['platform.yaml:1:1 file not found']);
});

test('fails when an output folder cannot be written, and swaps in none of them', () => {
  const r = spawnSync(process.execPath, [MAIN, '--charts', 'no-such-folder/charts'], { cwd: box.dir, encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(`synth: cannot write ${path.join(box.dir, 'no-such-folder', 'charts')}: its parent folder ${path.join(box.dir, 'no-such-folder')} does not exist; nothing was written\n`);
  expect(box.digest('dist')).toBe(distBefore);
  expect(box.digest('schemas')).toBe(schemasBefore);
  expect(fs.readdirSync(box.dir).filter((f) => f.startsWith('.'))).toEqual([]);
});

test.each([['.'], ['..'], ['workspaces']])('fails on --out %s, which would replace an input', (out) => {
  const r = spawnSync(process.execPath, [MAIN, '--out', out], { cwd: box.dir, encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^synth: --out ${out.replace(/\./g, '\\.')} (would replace|is inside) `));
  expect(fs.readdirSync(box.dir).sort()).toEqual(['charts', 'dist', 'platform.yaml', 'schemas', 'workspaces']);
  expect(box.digest('dist')).toBe(distBefore);
});

test('warns, and still writes, when a ReadWriteOnce volume is shared by pods that may sit on different nodes', () => {
  box.write('workspaces/team-a.yaml', 'name: team-a\ninference:\n  models:\n    - name: chat\n');
  const r = box.synth();
  expect(r.status).toBe(0);
  expect(r.stderr).toBe("workspaces/team-a.yaml:1:7 warning: 'storage.accessMode' is ReadWriteOnce, but 2 pods mount model-storage-pvc (the web UI, inference 'chat'); pods on different nodes cannot share it and stay in ContainerCreating (Multi-Attach); set 'storage.accessMode: ReadWriteMany' with a class like 'standard-rwx'\n");
  box.write('workspaces/team-a.yaml', 'name: team-a\nstorage:\n  accessMode: ReadWriteMany\ninference:\n  models:\n    - name: chat\n');
  expect(box.synth().stderr).toBe('');
});

test('a valid change after a failure is written', () => {
  box.write('workspaces/team-a.yaml', 'name: team-a\nstorage:\n  size: 200GB\n');
  failingSynth();
  box.write('workspaces/team-a.yaml', 'name: team-a\nstorage:\n  size: 300Gi\n');
  expect(box.synth().status).toBe(0);
  expect(fs.readFileSync(path.join(box.dir, 'dist/workspaces/team-a/manifests.yaml'), 'utf8')).toContain('storage: 300Gi');
});
