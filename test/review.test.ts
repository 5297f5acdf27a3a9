import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Manifest } from '../lib/output/render';
import { diffObjects, formatChanges } from '../lib/review/manifest-diff';
import { fixture, ROOT } from './helpers';

const pvc = (spec: object): Manifest => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'model-storage-pvc', namespace: 'ns' }, spec } as Manifest);
const deployment = (replicas: number, selector = { app: 'x' }): Manifest =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns' }, spec: { replicas, selector: { matchLabels: selector } } } as Manifest);
const base = { accessModes: ['ReadWriteOnce'], storageClassName: 'premium-rwo', resources: { requests: { storage: '200Gi' } } };

describe('diff of objects', () => {
  test('lists added, changed (with the fields) and removed objects', () => {
    const changes = diffObjects([deployment(1), pvc(base)], [deployment(0), { ...pvc(base), metadata: { name: 'other', namespace: 'ns' } }]);
    expect(changes.map((c) => [c.action, c.kind, c.name])).toEqual([
      ['removed', 'PersistentVolumeClaim', 'model-storage-pvc'],
      ['changed', 'Deployment', 'web'],
      ['added', 'PersistentVolumeClaim', 'other'],
    ]);
    expect(changes[1].fields).toEqual(['spec.replicas: 1 -> 0']);
  });

  test('flags removing a stateful object', () => {
    expect(diffObjects([pvc(base)], [])[0].danger).toMatch(/removes a stateful object/);
    expect(diffObjects([deployment(1)], [])[0].danger).toBeUndefined();
  });

  test('flags a volume change that means a new, empty volume', () => {
    expect(diffObjects([pvc(base)], [pvc({ ...base, storageClassName: 'standard-rwx' })])[0].danger).toMatch(/spec.storageClassName, which a volume cannot change/);
    expect(diffObjects([pvc(base)], [pvc({ ...base, accessModes: ['ReadWriteMany'] })])[0].danger).toMatch(/spec.accessModes/);
    expect(diffObjects([pvc(base)], [pvc({ ...base, resources: { requests: { storage: '100Gi' } } })])[0].danger).toMatch(/shrinks the volume/);
  });

  test('does not flag growing a volume or scaling a server', () => {
    expect(diffObjects([pvc(base)], [pvc({ ...base, resources: { requests: { storage: '1Ti' } } })])[0].danger).toBeUndefined();
    expect(diffObjects([deployment(1)], [deployment(3)])[0].danger).toBeUndefined();
  });

  test('flags losing the annotations that protect a stateful object', () => {
    const kept = { ...pvc(base), metadata: { name: 'model-storage-pvc', namespace: 'ns', annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' } } } as Manifest;
    expect(diffObjects([kept], [pvc(base)])[0].danger).toMatch(/argocd.argoproj.io\/sync-options, which keeps its data/);
  });

  test('flags pointing MLflow at another database or bucket', () => {
    const mlflow = (db: string): Manifest => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'mlflow', namespace: 'ns' },
      spec: { template: { spec: { containers: [{ name: 'mlflow', args: ['--host=0.0.0.0', `--backend-store-uri=postgresql://u@h:5432/${db}`] }] } } } } as Manifest);
    expect(diffObjects([mlflow('mlflow_a')], [mlflow('mlflow_b')])[0].danger).toMatch(/another database or bucket/);
  });

  test('flags a selector change, which replaces the Deployment', () => {
    expect(diffObjects([deployment(1)], [deployment(1, { app: 'y' })])[0].danger).toMatch(/changes the selector/);
  });

  test('tells when a change starts a training run, or trains a declared run again', () => {
    const job = (name: string, run: string) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'ns', labels: { 'llm-platform/run': run } }, spec: {} }) as any;
    const changes = diffObjects([job('llama-fine-tune-v1-aaaaaa', 'v1')], [job('llama-fine-tune-v1-bbbbbb', 'v1'), job('llama-fine-tune-v2-cccccc', 'v2')]);
    expect(changes.map((c) => [c.action, c.name, c.note])).toEqual([
      ['removed', 'llama-fine-tune-v1-aaaaaa', undefined],
      ['added', 'llama-fine-tune-v1-bbbbbb', "run 'v1' trains again: its config, base model or size changed"],
      ['added', 'llama-fine-tune-v2-cccccc', "a new run 'v2': it trains once its queue admits it"],
    ]);
    const text = formatChanges([{ folder: 'workspaces/t', changes }], false);
    expect(text).toContain("  + Job llama-fine-tune-v1-bbbbbb  (run 'v1' trains again: its config, base model or size changed)");
    expect(text).toContain('2 added, 0 changed, 1 removed; 2 training run(s) will start');
    expect(diffObjects([], [deployment(1)])[0].note).toBeUndefined();
  });

  test('formats compactly, in red only where it is dangerous and only when asked', () => {
    const folders = [{ folder: 'dist/workspaces/a', changes: diffObjects([pvc(base), deployment(1)], [deployment(0)]) }];
    const plain = formatChanges(folders, false);
    expect(plain).toBe([
      'dist/workspaces/a/',
      '  - PersistentVolumeClaim model-storage-pvc  !! removes a stateful object from git: its data goes if anything deletes it',
      '  ~ Deployment web',
      '      spec.replicas: 1 -> 0',
      '',
      '0 added, 1 changed, 1 removed; 1 would delete or replace stateful data',
      '',
    ].join('\n'));
    const colored = formatChanges(folders, true);
    expect(colored).toContain('\u001b[31m  - PersistentVolumeClaim model-storage-pvc');
    expect(colored).not.toContain('\u001b[31m  ~ Deployment web');
    expect(formatChanges([{ folder: 'x', changes: [] }], false)).toBe('no changes to dist/\n');
  });
});

/** A throwaway repository of the fixtures (inputs and their synthesized output, the build, dependencies linked) with its own git history. */
function repoCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-repo-'));
  const { dir: synthesized } = fixture();
  for (const f of ['platform.yaml', 'workspaces', 'dist', 'charts', 'schemas']) fs.cpSync(path.join(synthesized, f), path.join(dir, f), { recursive: true });
  for (const f of ['package.json', 'assets', 'build', 'vendor']) fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '-qm', 'base');
  return dir;
}

describe('npm run check and npm run diff', () => {
  let dir: string;
  beforeAll(() => {
    dir = repoCopy();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (script: string, ...args: string[]) => spawnSync(process.execPath, [path.join(dir, 'build', 'scripts', script), ...args], { cwd: dir, encoding: 'utf8' });

  test('check passes on a fresh dist/', () => {
    const r = run('check.js');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('diff reports nothing when the inputs are unchanged', () => {
    expect(run('diff.js', '--no-color').stdout).toBe('Changes to dist/ at HEAD:\nno changes to dist/\n');
  });

  test('after a workspace change: check names the stale file, diff shows the change', () => {
    const file = path.join(dir, 'workspaces', 'team-alpha.yaml');
    const original = fs.readFileSync(file, 'utf8');
    try {
      fs.writeFileSync(file, `${original}state: suspended\nstorage:\n  size: 100Gi\n`);
      const check = run('check.js');
      expect(check.status).toBe(1);
      expect(check.stderr).toContain('stale:   dist/workspaces/team-alpha/manifests.yaml');
      expect(check.stderr).toContain("run 'npm run synth' and commit the result");
      const diff = run('diff.js', '--no-color').stdout;
      expect(diff).toContain('dist/workspaces/team-alpha/\n');
      expect(diff).toContain('  ~ Deployment mlflow\n      spec.replicas: 1 -> 0\n');
      expect(diff).toContain('  ~ PersistentVolumeClaim model-storage-pvc  !! shrinks the volume');
      expect(diff).not.toContain('dist/workspaces/team-beta/');
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  test('diff refuses a base commit that does not exist', () => {
    const r = run('diff.js', '--base', 'no-such-rev');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("diff: no commit 'no-such-rev' here (fetch it first?)\n");
  });

  test('diff shows a removed workspace, flags its volume and namespace, and --fail-on-danger fails', () => {
    const file = path.join(dir, 'workspaces', 'team-beta.yaml');
    const original = fs.readFileSync(file, 'utf8');
    try {
      fs.rmSync(file);
      const r = run('diff.js', '--no-color', '--fail-on-danger');
      expect(r.status).toBe(2);
      expect(r.stdout).toMatch(/dist\/workspace-boundaries\/team-beta\/\n  - the whole folder: \d+ objects\n(  - .*  !! .*\n)*  - Namespace llm-workspace-team-beta  !! removes a stateful object/);
      expect(r.stdout).toMatch(/dist\/workspaces\/team-beta\/\n  - the whole folder: \d+ objects\n  - PersistentVolumeClaim model-storage-pvc  !! removes a stateful object/);
      expect(r.stdout).toContain('dist/argocd/\n  - AppProject workspace-team-beta\n');
      expect(r.stdout).not.toContain('  - Deployment mlflow\n');
      // Its GCP side too: the bucket, database, user, secret and generated password, kept in GCP but flagged (team-beta names its own account).
      for (const o of ['StorageBucket ws-team-beta-mlflow-artifacts', 'SQLDatabase ws-team-beta-mlflow-db-database',
        'SQLUser ws-team-beta-mlflow-db-user', 'SecretManagerSecret ws-team-beta-mlflow-db', 'SecretManagerSecretVersion ws-team-beta-mlflow-db-v1',
        'ExternalSecret ws-team-beta-mlflow-db-password']) {
        expect(r.stdout).toContain(`  - ${o}  !! removes a stateful object from git`);
      }
      // Its bindings go without a flag (counted in the folder): removing them revokes access and loses nothing.
      expect(r.stdout).not.toContain('IAMPolicyMember');
      expect(r.stdout).toMatch(/0 added, \d+ changed, \d+ removed; 10 would delete or replace stateful data/);
      // The gateway's routing table loses the workspace's models, field by field.
      expect(r.stdout).toContain('  ~ ConfigMap llm-gateway-routes\n      data.routes.json.models[model_id=code-review]: {');
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  test('diff flags a platform change that would replace GCP data: a bucket in another region, a database on another instance', () => {
    const file = path.join(dir, 'platform.yaml');
    const original = fs.readFileSync(file, 'utf8');
    try {
      fs.writeFileSync(file, original.replace(/^region: .*$/m, 'region: us-central1').replace(/^(\s+)host: 10\.0\.0\.5.*$/m, '$1host: 10.0.0.5\n$1instance: mlflow-instance-2'));
      const r = run('diff.js', '--no-color');
      expect(r.stdout).toContain('  ~ StorageBucket ws-team-alpha-mlflow-artifacts  !! changes spec.location, which Config Connector cannot change: forcing it means a new, empty GCP resource\n');
      expect(r.stdout).toContain('  ~ SQLDatabase ws-team-alpha-mlflow-db-database  !! changes spec.instanceRef, which Config Connector cannot change');
      expect(r.stdout).toContain('  ~ SQLUser shared-apps-strapi-db-user  !! changes spec.instanceRef');
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  test('check names a file that synth does not make', () => {
    const extra = path.join(dir, 'dist', 'workspaces', 'team-alpha', 'hand-written.yaml');
    fs.writeFileSync(extra, 'kind: ConfigMap\n');
    try {
      const r = run('check.js');
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('extra:   dist/workspaces/team-alpha/hand-written.yaml');
    } finally {
      fs.rmSync(extra);
    }
  });
});
