import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { renderWorkspace, synthWorkspace } from '../lib/synth';
import { all, find, readDist, ROOT, sandbox } from './helpers';

const dist = readDist();
const argocd = dist.filter((o) => o.file === 'dist/argocd/manifests.yaml').map((o) => o.object as any);
const platform = parse(fs.readFileSync(path.join(ROOT, 'platform.yaml'), 'utf8'));
const repo = platform.repository.url;
const workspaceFiles = fs.readdirSync(path.join(ROOT, 'workspaces')).filter((f) => /\.ya?ml$/.test(f));

describe('Argo CD objects in dist/argocd', () => {
  test('are AppProjects, Applications and one ApplicationSet in the argocd namespace', () => {
    expect(argocd.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'AppProject/llm-platform', 'AppProject/llm-platform-bootstrap', 'AppProject/llm-platform-operators',
      'Application/airflow', 'Application/external-secrets', 'Application/llm-platform-bootstrap', 'Application/llm-shared',
      'ApplicationSet/llm-workspaces',
    ]);
    for (const o of argocd) expect(o.metadata.namespace).toBe('argocd');
  });

  test('the platform project allows only this repository, the platform namespaces and the cluster kinds the manifests hold', () => {
    const project = find(argocd, 'AppProject', 'llm-platform').spec;
    expect(project.sourceRepos).toEqual([repo]);
    expect(project.destinations.map((d: any) => d.namespace)).toEqual(['llm-shared', 'llm-workspace-*']);
    const clusterScoped = dist.filter((o) => !o.file.startsWith('dist/argocd/') && !o.object.metadata.namespace).map((o) => o.object);
    const allowed = project.clusterResourceWhitelist.map((k: any) => k.kind);
    for (const o of clusterScoped) expect(allowed).toContain(o.kind);
    expect(allowed).toEqual(['Namespace', 'ClusterSecretStore']);
  });

  test('every workspace namespace fits the platform project', () => {
    const pattern = /^llm-workspace-.+$/;
    for (const o of dist.filter((x) => x.file.startsWith('dist/workspaces/'))) {
      expect(pattern.test((o.object.metadata.namespace ?? o.object.metadata.name) as string)).toBe(true);
    }
  });

  test('the shared layer has an Application that syncs dist/shared automatically with self-heal', () => {
    const app = find(argocd, 'Application', 'llm-shared').spec;
    expect(app.source).toEqual({ repoURL: repo, targetRevision: 'main', path: 'dist/shared' });
    expect(app.destination.namespace).toBe('llm-shared');
    expect(app.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(app.project).toBe('llm-platform');
  });

  test('the ApplicationSet watches workspaces/*.yaml and points each at its dist/ folder', () => {
    const set = find(argocd, 'ApplicationSet', 'llm-workspaces').spec;
    expect(set.generators).toEqual([{ git: { repoURL: repo, revision: 'main', files: [{ path: 'workspaces/*.yaml' }, { path: 'workspaces/*.yml' }] } }]);
    expect(set.goTemplate).toBe(true);
    // What the git files generator makes of each committed file: its fields are the parameters.
    for (const file of workspaceFiles) {
      const params = parse(fs.readFileSync(path.join(ROOT, 'workspaces', file), 'utf8'));
      const render = (t: string) => t.replace(/\{\{ \.name \}\}/g, params.name);
      expect(fs.existsSync(path.join(ROOT, render(set.template.spec.source.path), 'manifests.yaml'))).toBe(true);
      expect(render(set.template.spec.destination.namespace)).toBe(`llm-workspace-${params.name}`);
      expect(render(set.template.metadata.name)).toBe(`workspace-${params.name}`);
    }
    expect(set.template.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
  });

  test('third-party services come from their official charts, pinned, with values from platform.yaml', () => {
    const eso = find(argocd, 'Application', 'external-secrets').spec;
    expect(eso.source).toMatchObject({ repoURL: 'https://charts.external-secrets.io', chart: 'external-secrets', targetRevision: '2.10.0' });
    expect(eso.source.helm.valuesObject.serviceAccount.annotations['iam.gke.io/gcp-service-account']).toBe('external-secrets@your-gcp-project.iam.gserviceaccount.com');
    const airflow = find(argocd, 'Application', 'airflow').spec;
    expect(airflow.source).toMatchObject({ repoURL: 'https://airflow.apache.org', chart: 'airflow', targetRevision: '1.15.0' });
    expect(airflow.destination.namespace).toBe('llm-shared');
    const values = airflow.source.helm.valuesObject;
    const secrets = all(dist.map((o) => o.object), 'ExternalSecret').map((e) => e.metadata.name);
    for (const name of [values.data.metadataSecretName, values.webserverSecretKeySecretName, values.fernetKeySecretName]) expect(secrets).toContain(name);
  });

  test('airflow.llm-shared:8080, which the guide calls, fronts the chart\'s webserver', () => {
    const svc = find(dist.map((o) => o.object), 'Service', 'airflow');
    expect(svc.metadata.namespace).toBe('llm-shared');
    expect(svc.spec.ports[0].port).toBe(8080);
    expect(svc.spec.selector).toEqual({ component: 'webserver', release: find(argocd, 'Application', 'airflow').spec.source.helm.releaseName, tier: 'airflow' });
  });

  test('every Application ignores the differences real clusters make', () => {
    const apps = [...['llm-shared', 'airflow'].map((n) => find(argocd, 'Application', n).spec), find(argocd, 'ApplicationSet', 'llm-workspaces').spec.template.spec];
    for (const app of apps) {
      expect(app.ignoreDifferences.map((d: any) => d.kind)).toEqual(['Deployment', 'ExternalSecret', 'Job']);
      expect(app.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    }
    const eso = find(argocd, 'Application', 'external-secrets').spec;
    expect(eso.ignoreDifferences.map((d: any) => d.kind)).toEqual(['ValidatingWebhookConfiguration', 'CustomResourceDefinition']);
  });

  test('Applications come up in order: the operator, then the shared layer (Airflow\'s namespace and secrets), then Airflow', () => {
    const wave = (n: string) => Number(find(argocd, 'Application', n).metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave('external-secrets')).toBeLessThan(wave('llm-shared'));
    expect(wave('llm-shared')).toBeLessThan(wave('airflow'));
  });

  test('the operators project may create the operator\'s namespace', () => {
    const kinds = find(argocd, 'AppProject', 'llm-platform-operators').spec.clusterResourceWhitelist.map((k: any) => k.kind);
    expect(find(argocd, 'Application', 'external-secrets').spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
    expect(kinds).toContain('Namespace');
  });
});

describe('nothing is lost', () => {
  const objects = dist.filter((o) => !o.file.startsWith('dist/argocd/')).map((o) => o.object as any);
  const stateful = objects.filter((o) => ['Namespace', 'PersistentVolumeClaim'].includes(o.kind));

  const options = (o: any) => (o.metadata.annotations['argocd.argoproj.io/sync-options'] ?? '').split(',');

  test('an Argo CD prune never deletes a PVC or a namespace (Prune=false)', () => {
    expect(stateful.length).toBe(2 * workspaceFiles.length + 1);
    for (const o of stateful) expect({ o: o.metadata.name, prune: options(o).includes('Prune=false') }).toEqual({ o: o.metadata.name, prune: true });
  });

  test('deleting an Application never deletes a PVC or a namespace (Delete=false)', () => {
    for (const o of stateful) expect({ o: o.metadata.name, del: options(o).includes('Delete=false') }).toEqual({ o: o.metadata.name, del: true });
  });

  test('removing a workspace file deletes its Application but none of its objects', () => {
    const set = find(argocd, 'ApplicationSet', 'llm-workspaces').spec;
    expect(set.syncPolicy).toEqual({ preserveResourcesOnDeletion: true });
    // No resources finalizer on the generated Applications: their deletion cascades into nothing.
    expect(set.template.metadata.finalizers).toBeUndefined();
  });

  test('the External Secrets CRDs are kept: deleting them would delete every ExternalSecret and its Secret', () => {
    const crds = find(argocd, 'Application', 'external-secrets').spec.source.helm.valuesObject.crds.annotations;
    expect(crds).toEqual({ 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false', 'helm.sh/resource-policy': 'keep' });
  });

  test('the bootstrap Application never prunes Argo CD objects', () => {
    expect(find(argocd, 'Application', 'llm-platform-bootstrap').spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true });
  });

  test('sync waves bring namespaces, then secrets and config, then policies, then servers with their volumes', () => {
    const wave = (o: any) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    const byKind = (kind: string) => objects.filter((o) => o.kind === kind).map(wave);
    const max = (k: string) => Math.max(...byKind(k));
    const min = (k: string) => Math.min(...byKind(k));
    expect(max('Namespace')).toBeLessThan(min('ExternalSecret'));
    expect(max('ExternalSecret')).toBeLessThan(min('NetworkPolicy'));
    expect(max('ConfigMap')).toBeLessThan(min('NetworkPolicy'));
    expect(max('NetworkPolicy')).toBeLessThan(min('Deployment'));
    // GKE binds a volume only for a pod that uses it: a volume in an earlier wave would never get healthy.
    expect([...byKind('PersistentVolumeClaim'), ...byKind('Deployment')].every((w) => w === 0)).toBe(true);
  });

  test('a suspended workspace runs nothing and keeps its volume', () => {
    const box = sandbox({ 'team-s.yaml': 'name: team-s\nstate: suspended\nquota: { gpus: 3 }\ninference:\n  models:\n    - name: a\n      replicas: 2\n    - name: b\n' });
    try {
      const inputs = box.load();
      const manifests = synthWorkspace(inputs.platform, inputs.workspaces[0]);
      const deployments = all(manifests, 'Deployment');
      expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['llama-factory-inference-a', 'llama-factory-inference-b', 'llama-factory-webui', 'mlflow']);
      for (const d of deployments) expect({ d: d.metadata.name, replicas: d.spec.replicas }).toEqual({ d: d.metadata.name, replicas: 0 });
      expect(find(manifests, 'PersistentVolumeClaim', 'model-storage-pvc').metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
      expect(find(manifests, 'Namespace', 'llm-workspace-team-s').metadata.labels['llm-platform/state']).toBe('suspended');
      expect(renderWorkspace(inputs.platform, inputs.workspaces[0], 'workspaces/team-s.yaml').tests).not.toContain('kind: Pod');
      // Activating it again restores the replicas.
      const active = synthWorkspace(inputs.platform, { ...inputs.workspaces[0], state: 'active' });
      expect(find(active, 'Deployment', 'llama-factory-inference-a').spec.replicas).toBe(2);
    } finally {
      fs.rmSync(box.dir, { recursive: true, force: true });
    }
  });
});
