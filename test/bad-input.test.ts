import * as fs from 'fs';
import * as path from 'path';
import { FIXTURES, sandbox, Sandbox } from './helpers';

/*
 * Every bad input makes synth exit non-zero, print one line per problem (file, line,
 * column, field, what was found, what is allowed), print no stack trace, and leave
 * dist/, charts/ and schemas/ exactly as they were. Synth runs in-process here; one test
 * runs the real program to check what only a process shows.
 */

const VALID = 'name: team-a\nwebui:\n  enabled: false\ninference:\n  models:\n    - name: chat\n';
const PLATFORM = fs.readFileSync(path.join(FIXTURES, 'platform.yaml'), 'utf8');

let template: Sandbox;
let box: Sandbox;
let distBefore: string;
let chartsBefore: string;
let schemasBefore: string;

beforeAll(async () => {
  template = sandbox({ 'team-a.yaml': VALID });
  expect((await template.synth()).status).toBe(0);
  distBefore = template.digest('dist');
  chartsBefore = template.digest('charts');
  schemasBefore = template.digest('schemas');
});

// Each test starts from a copy of one synthesized sandbox, with dist/ and schemas/ present.
beforeEach(() => {
  box = sandbox();
  fs.cpSync(template.dir, box.dir, { recursive: true });
});

afterEach(() => box.remove());
afterAll(() => template.remove());

/** Checks what every failure must do, and returns the problem lines. */
function checkFailure(r: { status: number | null; stdout: string; stderr: string }): string[] {
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(box.digest('dist')).toBe(distBefore);
  expect(box.digest('charts')).toBe(chartsBefore);
  expect(box.digest('schemas')).toBe(schemasBefore);
  expect(fs.readdirSync(box.dir).filter((f) => f.startsWith('.') && f !== '.cache')).toEqual([]);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[lines.length - 1]).toMatch(/^synth: \d+ problem\(s\) in the inputs; nothing was written$/);
  return lines.slice(0, -1);
}

/** Runs synth in-process on the broken sandbox and checks what every failure must do. */
async function failingSynth(): Promise<string[]> {
  return checkFailure(await box.synth());
}

const cases: [string, Record<string, string>, string[]][] = [
  ['an unknown field (a typo)', { 'workspaces/team-a.yaml': 'name: team-a\nstorage:\n  sise: 1Ti\n' }, [
    "workspaces/team-a.yaml:3:3 'storage.sise' is not a known field (did you mean 'size'?); allowed here: size, storageClassName, accessMode, podVolumeClass",
  ]],
  ['an unknown top-level field', { 'workspaces/team-a.yaml': 'name: team-a\nwebiu: {}\n' }, [
    "workspaces/team-a.yaml:2:1 'webiu' is not a known field (did you mean 'webui'?); allowed here: name, members, admins, state, gcpServiceAccount, storage, mlflow, webui, training, quota, inference",
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
    'workspaces/team-a.yaml:1:1 the file must be a mapping with the fields name, members, admins, state, gcpServiceAccount, storage, mlflow, webui, training, quota, inference, got a list of 1 item',
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
  ['an unknown image key', { 'platform.yaml': PLATFORM.replace('  mlflow:', '  trainer: { name: x, tag: v1 }\n  mlflow:') }, [
    "platform.yaml:13:3 'images.trainer' is not a known field (did you mean 'train'?); allowed here: train, api, console, strapi, mlflow, registrar, gcloud, proxy, jobMetrics, redis, test",
  ]],
  ['an image tagged latest', { 'platform.yaml': PLATFORM.replace('name: prompt-console, tag: v1.0.0', 'name: prompt-console, tag: latest') }, [
    "platform.yaml:11:41 'images.console.tag' must be a pinned tag like 'v1.0.0' (not 'latest'): at most 63 letters, digits, '.', '_' or '-', starting and ending with a letter or digit, got 'latest'",
  ]],
  ['several documents in one file', { 'workspaces/team-a.yaml': 'name: team-a\n---\nname: team-b\n' }, [
    "workspaces/team-a.yaml:2:1 yaml syntax error: the file holds more than one YAML document ('---'); put one workspace in each file",
  ]],
  ['a file that is a single word', { 'workspaces/team-a.yaml': 'team-a\n' }, [
    "workspaces/team-a.yaml:1:1 the file must be a mapping with the fields name, members, admins, state, gcpServiceAccount, storage, mlflow, webui, training, quota, inference, got 'team-a'",
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
  ['a GCP account outside the platform\'s project', { 'workspaces/team-b.yaml': 'name: team-b\ngcpServiceAccount: team-b@other-project.iam.gserviceaccount.com\n' }, [
    "workspaces/team-b.yaml:2:20 'gcpServiceAccount' must be a service account of the platform's project (<id>@your-gcp-project.iam.gserviceaccount.com), got 'team-b@other-project.iam.gserviceaccount.com'",
  ]],
  ['a GCP account another workspace acts as', { 'workspaces/team-b.yaml': 'name: team-b\ngcpServiceAccount: llm-ws-team-a@your-gcp-project.iam.gserviceaccount.com\n' }, [
    "workspaces/team-b.yaml:2:20 'gcpServiceAccount' 'llm-ws-team-a@your-gcp-project.iam.gserviceaccount.com' is already the identity of workspaces/team-a.yaml; each workspace acts as an identity of its own",
  ]],
  ['a GCP account of the shared layer, or the one every workspace shared before', {
    'workspaces/team-b.yaml': 'name: team-b\ngcpServiceAccount: llm-shared-secrets@your-gcp-project.iam.gserviceaccount.com\n',
    'workspaces/team-c.yaml': 'name: team-c\ngcpServiceAccount: llm-workload@your-gcp-project.iam.gserviceaccount.com\n',
  }, [
    "workspaces/team-b.yaml:2:20 'gcpServiceAccount' 'llm-shared-secrets@your-gcp-project.iam.gserviceaccount.com' is already an identity of the shared layer; each workspace acts as an identity of its own",
    "workspaces/team-c.yaml:2:20 'gcpServiceAccount' 'llm-workload@your-gcp-project.iam.gserviceaccount.com' is already the identity every workspace shared before each had its own; each workspace acts as an identity of its own",
  ]],
  ['a GCP account that reads a workspace\'s secrets (its own or another\'s): its pods would read the password', {
    'workspaces/team-b.yaml': 'name: team-b\ngcpServiceAccount: llm-wss-team-a@your-gcp-project.iam.gserviceaccount.com\n',
    'workspaces/team-c.yaml': 'name: team-c\ngcpServiceAccount: llm-wss-team-c@your-gcp-project.iam.gserviceaccount.com\n',
  }, [
    "workspaces/team-b.yaml:2:20 'gcpServiceAccount' 'llm-wss-team-a@your-gcp-project.iam.gserviceaccount.com' is already the secret store's identity of workspaces/team-a.yaml; each workspace acts as an identity of its own",
    "workspaces/team-c.yaml:2:20 'gcpServiceAccount' 'llm-wss-team-c@your-gcp-project.iam.gserviceaccount.com' is already the secret store's identity of workspaces/team-c.yaml; each workspace acts as an identity of its own",
  ]],
  ['a workspace whose derived GCP account another names', { 'workspaces/team-b.yaml': 'name: team-b\ngcpServiceAccount: llm-ws-team-c@your-gcp-project.iam.gserviceaccount.com\n', 'workspaces/team-c.yaml': 'name: team-c\n' }, [
    "workspaces/team-c.yaml:1:7 'name' gives the service account 'llm-ws-team-c@your-gcp-project.iam.gserviceaccount.com', which is already the identity of workspaces/team-b.yaml; each workspace acts as an identity of its own",
  ]],
  ['an MLflow database or bucket chosen by hand', { 'workspaces/team-b.yaml': 'name: team-b\nmlflow:\n  database: mlflow_team-a\n' }, [
    "workspaces/team-b.yaml:3:3 'mlflow.database' is not a known field; allowed here: resources",
  ]],
  ['a workspace file with the wrong extension', { 'workspaces/team-c.YAML': 'name: team-c\n', 'workspaces/team-d.yaml.bak': 'name: team-d\n' }, [
    "workspaces/team-c.YAML:1:1 not read: workspace files are named <name>.yaml (or .yml), got 'team-c.YAML'; rename or remove it",
    "workspaces/team-d.yaml.bak:1:1 not read: workspace files are named <name>.yaml (or .yml), got 'team-d.yaml.bak'; rename or remove it",
  ]],
  ['an image tag that cannot be a label value', { 'platform.yaml': PLATFORM.replace('name: prompt-console, tag: v1.0.0', 'name: prompt-console, tag: v1.0.0_') }, [
    "platform.yaml:11:41 'images.console.tag' must be a pinned tag like 'v1.0.0' (not 'latest'): at most 63 letters, digits, '.', '_' or '-', starting and ending with a letter or digit, got 'v1.0.0_'",
  ]],
  ['a token limit of zero', { 'workspaces/team-t.yaml': 'name: team-t\ninference:\n  models:\n    - name: tok\n      gateway: { tokensPerMinute: 0 }\n' }, [
    "workspaces/team-t.yaml:5:35 'inference.models[0].gateway.tokensPerMinute' must be a whole number from 1 to 1000000000, got 0",
  ]],
  ['the image of the old home-made gateway', { 'platform.yaml': PLATFORM.replace('  strapi: {', '  gateway: { name: llm-gateway, tag: v1.0.0 }\n  strapi: {') }, [
    "platform.yaml:12:3 'images.gateway' is no longer used: the gateway is Envoy AI Gateway, installed from its official charts (operators.envoyGateway and operators.aiGateway): remove this line",
  ]],
  ['Envoy chart versions without their v', { 'platform.yaml': `${PLATFORM}operators:\n  envoyGateway: { chartVersion: 1.9.0 }\n` }, [
    "platform.yaml:34:33 'operators.envoyGateway.chartVersion' must be a chart version like 'v1.9.0', got '1.9.0'",
  ]],
  ['a workspace name GCS refuses in a bucket name', { 'workspaces/my-google-team.yaml': 'name: my-google-team\n' }, [
    "workspaces/my-google-team.yaml:1:7 'name' gives the GCS bucket 'your-gcp-project-data-my-google-team', which must not contain 'google' or a close misspelling of it; choose another",
    "workspaces/my-google-team.yaml:1:7 'name' gives the GCS bucket 'your-gcp-project-mlflow-my-google-team', which must not contain 'google' or a close misspelling of it; choose another",
  ]],
  ['a backup bucket GCS refuses', { 'platform.yaml': `${PLATFORM}backups:\n  bucket: goog-exports\n` }, [
    "platform.yaml:34:11 'backups.bucket' gives the GCS bucket of the backups 'goog-exports', which must not start with 'goog'; choose another",
  ]],
  ['a platform without the Cloud SQL instance\'s account or the API server\'s address', {
    'platform.yaml': PLATFORM.replace(/^  serviceAccount: .*\n/m, '').replace(/^  kubernetesApiCidrs: .*\n/m, ''),
  }, [
    "platform.yaml:15:3 'cloudSql.serviceAccount' is required but missing in 'cloudSql'",
    "platform.yaml:17:9 'network' must be a mapping with the fields kubernetesApiCidrs, googleApiCidrs, got nothing",
  ]],
  ['an empty platform.yaml', { 'platform.yaml': '' }, [
    'platform.yaml:1:1 file is empty: expected a mapping of fields',
  ]],
];

test.each(cases)('fails on %s', async (_what, files, expected) => {
  for (const [file, content] of Object.entries(files)) box.write(file, content);
  expect(await failingSynth()).toEqual(expected);
});

test('fails with every problem of every file at once, in file order', async () => {
  box.write('workspaces/team-a.yaml', 'name: team-a\nstorage:\n  size: 200GB\ninference:\n  models:\n    - name: chat\n      gpus: -2\n');
  box.write('workspaces/team-b.yaml', 'name: team-c\n');
  box.write('platform.yaml', PLATFORM.replace('host: 10.0.0.5', 'host: 10.0.0.5\n  prot: 5432'));
  const lines = await failingSynth();
  expect(lines).toEqual([
    "platform.yaml:16:3 'cloudSql.prot' is not a known field (did you mean 'port'?); allowed here: host, port, instance, serviceAccount",
    "workspaces/team-a.yaml:3:9 'storage.size' must be a size with a binary suffix, like '512Mi', '16Gi' or '1Ti', got '200GB'",
    "workspaces/team-a.yaml:7:13 'inference.models[0].gpus' must be a whole number of GPUs from 1 to 16, got -2",
    "workspaces/team-b.yaml:1:7 'name' must match the file name 'team-b', got 'team-c'; rename the file to team-c.yaml or fix the name",
  ]);
});

test('fails when the workspaces folder is missing', async () => {
  fs.rmSync(path.join(box.dir, 'workspaces'), { recursive: true });
  expect(await failingSynth()).toEqual(['workspaces:1:1 workspaces folder not found: create it, with one <name>.yaml per team']);
});

test('fails when platform.yaml does not exist', async () => {
  fs.rmSync(path.join(box.dir, 'platform.yaml'));
  expect(await failingSynth()).toEqual(['platform.yaml:1:1 file not found']);
});

test('fails when an output folder cannot be written, and swaps in none of them', async () => {
  const r = await box.synth('--charts', 'no-such-folder/charts');
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(`synth: cannot write ${path.join(box.dir, 'no-such-folder', 'charts')}: its parent folder ${path.join(box.dir, 'no-such-folder')} does not exist; nothing was written\n`);
  expect(box.digest('dist')).toBe(distBefore);
  expect(box.digest('schemas')).toBe(schemasBefore);
  expect(fs.readdirSync(box.dir).filter((f) => f.startsWith('.') && f !== '.cache')).toEqual([]);
});

test.each([['.'], ['..'], ['workspaces']])('fails on --out %s, which would replace an input', async (out) => {
  const r = await box.synth('--out', out);
  expect(r.status).toBe(2);
  expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^synth: --out ${out.replace(/\./g, '\\.')} (would replace|is inside) `));
  expect(fs.readdirSync(box.dir).filter((f) => f !== '.cache').sort()).toEqual(['charts', 'dist', 'platform.yaml', 'schemas', 'workspaces']);
  expect(box.digest('dist')).toBe(distBefore);
});

test('a ReadWriteOnce workspace volume is never shared: inference and runs get volumes of their own, and synth says nothing', async () => {
  box.write('workspaces/team-a.yaml', 'name: team-a\ninference:\n  models:\n    - name: chat\n      replicas: 2\n');
  const r = await box.synth();
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test('a valid change after a failure is written', async () => {
  box.write('workspaces/team-a.yaml', 'name: team-a\nstorage:\n  size: 200GB\n');
  await failingSynth();
  box.write('workspaces/team-a.yaml', 'name: team-a\nstorage:\n  size: 300Gi\n');
  expect((await box.synth()).status).toBe(0);
  expect(fs.readFileSync(path.join(box.dir, 'dist/workspaces/team-a/manifests.yaml'), 'utf8')).toContain('storage: 300Gi');
});

describe('what a new user meets', () => {
  test('fails on an indentation mistake with one line at the line that is off, and a hint', async () => {
    box.write('workspaces/team-a.yaml', 'name: team-a\ninference:\n  models:\n    - name: chat\n       gpus: 2\n    - name: other\n');
    expect(await failingSynth()).toEqual([
      "workspaces/team-a.yaml:5:8 yaml syntax error: line 5 is not indented like the lines around it; check its indentation (fields of one mapping start in the same column, a field inside another is indented further, list items start with '- ')",
    ]);
  });

  test('fails on a line indented less than its mapping, at that line', async () => {
    box.write('workspaces/team-a.yaml', 'name: team-a\ntraining:\n  runs:\n    - id: v1\n      config: a.yaml\n     registeredModel: m\n');
    expect(await failingSynth()).toEqual([expect.stringMatching(/^workspaces\/team-a\.yaml:6:6 yaml syntax error: line 6 is not indented like the lines around it; check its indentation/)]);
  });

  test('fails on a tab used as indentation, saying so', async () => {
    box.write('workspaces/team-a.yaml', 'name: team-a\nstorage:\n\tsize: 1Ti\n');
    expect(await failingSynth()).toEqual(['workspaces/team-a.yaml:3:2 yaml syntax error: line 3 is indented with a tab; YAML indents with spaces only']);
  });

  test('fails on a number in quotes, saying it is a string and to drop the quotes', async () => {
    box.write('workspaces/team-a.yaml', 'name: team-a\ninference:\n  models:\n    - name: chat\n      gpus: "2"\nwebui:\n  enabled: "false"\n');
    expect(await failingSynth()).toEqual([
      "workspaces/team-a.yaml:5:13 'inference.models[0].gpus' must be a whole number of GPUs from 1 to 16, got '2', a string: write it without quotes",
      "workspaces/team-a.yaml:7:12 'webui.enabled' must be true or false, got 'false', a string: write it without quotes",
    ]);
  });

  test('fails on a workspace file that links out of the repository, or to nothing', async () => {
    const outside = fs.mkdtempSync(path.join(path.dirname(box.dir), 'outside-'));
    try {
      fs.writeFileSync(path.join(outside, 'team-b.yaml'), 'name: team-b\n');
      fs.symlinkSync(path.join(outside, 'team-b.yaml'), path.join(box.dir, 'workspaces', 'team-b.yaml'));
      fs.symlinkSync('../gone.yaml', path.join(box.dir, 'workspaces', 'team-c.yaml'));
      expect(await failingSynth()).toEqual([
        `workspaces/team-b.yaml:1:1 is a symbolic link to '${path.join(outside, 'team-b.yaml')}', outside the repository; other clones (and Argo CD) would not see that file: copy it into the repository instead`,
        "workspaces/team-c.yaml:1:1 is a symbolic link to '../gone.yaml', which does not exist; fix the link or remove it",
      ]);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  test('fails on a training config that links out of the repository, or to nothing, as for workspace files', async () => {
    box.write('workspaces/team-a/training/real.yaml', 'model_name_or_path: /m\nstage: sft\ndataset: qa\ntemplate: qwen\noutput_dir: /o\n');
    fs.symlinkSync('/etc/hostname', path.join(box.dir, 'workspaces/team-a/training/outside.yaml'));
    fs.symlinkSync('missing.yaml', path.join(box.dir, 'workspaces/team-a/training/dangling.yaml'));
    expect(await failingSynth()).toEqual([
      "workspaces/team-a/training/dangling.yaml:1:1 is a symbolic link to 'missing.yaml', which does not exist; fix the link or remove it",
      "workspaces/team-a/training/outside.yaml:1:1 is a symbolic link to '/etc/hostname', outside the repository; other clones (and Argo CD) would not see that file: copy it into the repository instead",
    ]);
  });

  test('fails on a training folder that is a file, or a link to nothing; a workspace with no training folder has no configs', async () => {
    box.write('workspaces/team-a/training', 'model_name_or_path: /m\n');
    box.write('workspaces/team-b.yaml', 'name: team-b\n');
    fs.mkdirSync(path.join(box.dir, 'workspaces/team-b'));
    fs.symlinkSync('gone', path.join(box.dir, 'workspaces/team-b/training'));
    expect(await failingSynth()).toEqual([
      'workspaces/team-a/training:1:1 must be a folder of training configs (<name>.yaml files)',
      "workspaces/team-b/training/:1:1 is a symbolic link to 'gone', which does not exist; fix the link or remove it",
    ]);
  });

  test('reads a link that stays inside the repository like the file it leads to', async () => {
    box.write('shared-configs/sft.yaml', 'model_name_or_path: /m\nstage: sft\ndataset: qa\ntemplate: qwen\noutput_dir: /o\n');
    fs.mkdirSync(path.join(box.dir, 'workspaces/team-a/training'), { recursive: true });
    fs.symlinkSync('../../../shared-configs/sft.yaml', path.join(box.dir, 'workspaces/team-a/training/sft.yaml'));
    box.write('teams/team-b.yaml', 'name: team-b\n');
    fs.symlinkSync('../teams/team-b.yaml', path.join(box.dir, 'workspaces/team-b.yaml'));
    const r = await box.synth();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(box.dir, 'dist/workspaces/team-a/manifests.yaml'), 'utf8')).toContain('sft.yaml: |');
    expect(fs.existsSync(path.join(box.dir, 'dist/workspaces/team-b/manifests.yaml'))).toBe(true);
  });

  test('reads files with Windows line ends and a byte-order mark exactly as their plain twins', async () => {
    const workspace = 'name: team-a\nwebui:\n  enabled: false\ntraining:\n  runs:\n    - { id: v1, config: sft.yaml, registeredModel: m }\n';
    const config = '# a config\nmodel_name_or_path: /m\nstage: sft\ndataset: qa\ntemplate: qwen\noutput_dir: /o\n';
    box.write('workspaces/team-a.yaml', workspace);
    box.write('workspaces/team-a/training/sft.yaml', config);
    expect((await box.synth()).status).toBe(0);
    const plain = box.digest('dist');
    const windows = (text: string) => `\uFEFF${text.replace(/\n/g, '\r\n')}`;
    box.write('workspaces/team-a.yaml', windows(workspace));
    box.write('workspaces/team-a/training/sft.yaml', windows(config));
    expect((await box.synth()).status).toBe(0);
    expect(box.digest('dist')).toBe(plain);
  });

  test('warns, and still writes, when the workspaces folder is empty: every workspace\'s output goes', async () => {
    fs.rmSync(path.join(box.dir, 'workspaces', 'team-a.yaml'));
    const r = await box.synth();
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("workspaces/:1:1 warning: no workspace files: every workspace's output goes from dist/ and charts/, and Argo CD deletes their Applications (namespaces and volumes are kept); add a <name>.yaml if that is not meant\n");
    expect(fs.existsSync(path.join(box.dir, 'dist/workspaces'))).toBe(false);
  });

  test('fails on an input over 1 MiB without reading it', async () => {
    // Not YAML at all: a parse would report a syntax error, not the size.
    box.write('workspaces/team-a.yaml', `name: team-a\n${'{['.repeat(600 * 1024)}\n`);
    box.write('workspaces/team-a/training/big.yaml', `${'x: ['.repeat(300 * 1024)}\n`);
    expect(await failingSynth()).toEqual([
      'workspaces/team-a.yaml:1:1 is 1.2 MiB; an input file may be at most 1 MiB (is it the right file?)',
      'workspaces/team-a/training/big.yaml:1:1 is 1.2 MiB; an input file may be at most 1 MiB (is it the right file?)',
    ]);
  });

  test('fails on a missing platform.yaml beside a platform.yml, saying to rename it', async () => {
    fs.renameSync(path.join(box.dir, 'platform.yaml'), path.join(box.dir, 'platform.yml'));
    expect(await failingSynth()).toEqual(['platform.yaml:1:1 file not found, but platform.yml is there: rename it to platform.yaml']);
  });

  test('fails on a workspace file whose name differs from another\'s only in case', async () => {
    box.write('workspaces/Team-A.yaml', 'name: team-a\n');
    expect(await failingSynth()).toEqual([
      "workspaces/Team-A.yaml:1:1 not read: 'Team-A.yaml' differs from 'team-a.yaml' only in case, and on macOS and Windows the two are one file; merge it into team-a.yaml and remove it",
    ]);
  });

  test('fails on a capitalised workspace file name, saying which name to give it', async () => {
    fs.rmSync(path.join(box.dir, 'workspaces', 'team-a.yaml'));
    box.write('workspaces/Team-B.yaml', 'name: team-b\n');
    expect(await failingSynth()).toEqual([
      "workspaces/Team-B.yaml:1:7 'name' must match the file name 'Team-B', got 'team-b'; rename the file to team-b.yaml or fix the name",
    ]);
  });
});

test('the synth program itself exits 1 on bad input, with no stack trace and nothing written', () => {
  box.write('workspaces/team-a.yaml', 'name: team-a\nstorage:\n  sise: 1Ti\n');
  const r = box.synthProcess();
  expect(checkFailure(r)).toEqual([
    "workspaces/team-a.yaml:3:3 'storage.sise' is not a known field (did you mean 'size'?); allowed here: size, storageClassName, accessMode, podVolumeClass",
  ]);
});

test('fails on a member that is neither a group nor a user', async () => {
  box.write('workspaces/team-a.yaml', 'name: team-a\nmembers: [ml-team@example.com]\nadmins: ["group:ops"]\n');
  expect(await failingSynth()).toEqual([
    "workspaces/team-a.yaml:2:11 'members[0]' must be 'group:<email>' or 'user:<email>', like 'group:ml-team-alpha@example.com', got 'ml-team@example.com'",
    "workspaces/team-a.yaml:3:10 'admins[0]' must be 'group:<email>' or 'user:<email>', like 'group:ml-team-alpha@example.com', got 'group:ops'",
  ]);
});
