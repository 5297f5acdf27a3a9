import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { isStateful } from '../lib/lifecycle';
import { Manifest } from '../lib/output/render';
import { renderWorkspace, synthWorkspace } from '../lib/synth';
import { all, find, fixture, sandbox } from './helpers';

const { dir, dist, inputs } = fixture();
const argocd = dist.filter((o) => o.file === 'dist/argocd/manifests.yaml').map((o) => o.object as any);
const repo = inputs.platform.repository.url;
const names = inputs.workspaces.map((w) => w.name);

describe('Argo CD objects in dist/argocd', () => {
  test('are AppProjects (one per workspace too), Applications and two ApplicationSets in the argocd namespace', () => {
    expect(argocd.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'AppProject/llm-platform', 'AppProject/llm-platform-bootstrap', 'AppProject/llm-platform-operators',
      ...names.map((n) => `AppProject/workspace-${n}`),
      'Application/ai-gateway', 'Application/ai-gateway-crds', 'Application/airflow', 'Application/envoy-gateway', 'Application/external-secrets', 'Application/keda', 'Application/keda-add-ons-http', 'Application/jobset', 'Application/kueue', 'Application/llm-platform-bootstrap', 'Application/llm-shared',
      'ApplicationSet/llm-workspace-boundaries', 'ApplicationSet/llm-workspaces',
    ].sort());
    expect(argocd.filter((o) => o.metadata.namespace !== 'argocd')).toEqual([]);
  });

  test('the platform project allows only this repository, the platform namespaces and the cluster kinds the manifests hold', () => {
    const project = find(argocd, 'AppProject', 'llm-platform').spec;
    expect(project.sourceRepos).toEqual([repo]);
    expect(project.destinations.map((d: any) => d.namespace)).toEqual(['llm-shared', 'llm-probes', 'llm-gcp', 'envoy-gateway-system', 'keda', 'llm-workspace-*']);
    const allowed = project.clusterResourceWhitelist.map((k: any) => k.kind);
    const clusterScoped = dist.filter((o) => !o.file.startsWith('dist/argocd/') && !o.object.metadata.namespace).map((o) => o.object.kind);
    expect(clusterScoped.filter((k) => !allowed.includes(k))).toEqual([]);
    expect(allowed).toEqual(['Namespace', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'PriorityClass', 'ResourceFlavor', 'WorkloadPriorityClass', 'ClusterQueue', 'GatewayClass']);
  });

  test('the shared layer has an Application that syncs dist/shared automatically with self-heal', () => {
    const app = find(argocd, 'Application', 'llm-shared').spec;
    expect(app.source).toEqual({ repoURL: repo, targetRevision: 'main', path: 'dist/shared' });
    expect(app.destination.namespace).toBe('llm-shared');
    expect(app.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(app.project).toBe('llm-platform');
    // Server-side: its route table grows with the workspaces, past client-side apply's 256 KiB annotation.
    expect(app.syncPolicy.syncOptions).toContain('ServerSideApply=true');
  });

  test('third-party services come from their official charts, pinned, with values from platform.yaml', () => {
    const eso = find(argocd, 'Application', 'external-secrets').spec;
    expect(eso.source).toMatchObject({ repoURL: 'https://charts.external-secrets.io', chart: 'external-secrets', targetRevision: '2.10.0' });
    // The controller has no GCP identity; namespace editors get no rights on its kinds; only namespaced kinds are processed.
    expect(eso.source.helm.valuesObject.serviceAccount).toEqual({ annotations: {} });
    expect(eso.source.helm.valuesObject.rbac).toEqual({ aggregateToView: false, aggregateToEdit: false, aggregateToAdmin: false });
    expect(eso.source.helm.valuesObject).toMatchObject({ processClusterStore: false, processClusterExternalSecret: false, processPushSecret: false, processClusterPushSecret: false });
    const airflow = find(argocd, 'Application', 'airflow').spec;
    expect(airflow.source).toMatchObject({ repoURL: 'https://airflow.apache.org', chart: 'airflow', targetRevision: '1.15.0' });
    expect(airflow.destination.namespace).toBe('llm-shared');
    const values = airflow.source.helm.valuesObject;
    const secrets = all(dist.map((o) => o.object), 'ExternalSecret').map((e) => e.metadata.name);
    expect([values.data.metadataSecretName, values.webserverSecretKeySecretName, values.fernetKeySecretName].filter((n) => !secrets.includes(n))).toEqual([]);
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
      expect(app.ignoreDifferences.map((d: any) => d.kind)).toEqual(['Deployment', 'ExternalSecret', 'Job', 'JobSet']);
      expect(app.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    }
    const eso = find(argocd, 'Application', 'external-secrets').spec;
    expect(eso.ignoreDifferences.map((d: any) => d.kind)).toEqual(['ValidatingWebhookConfiguration', 'CustomResourceDefinition']);
  });

  test('Applications come up in order: the operators, then the shared layer (Airflow\'s namespace and secrets, the queues\' flavors), then Airflow', () => {
    const wave = (n: string) => Number(find(argocd, 'Application', n).metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave('external-secrets')).toBeLessThan(wave('llm-shared'));
    expect(wave('kueue')).toBeLessThan(wave('llm-shared'));
    expect(wave('jobset')).toBeLessThan(wave('llm-shared'));
    expect(wave('llm-shared')).toBeLessThan(wave('airflow'));
  });

  test('the operators project may create the operator\'s namespace', () => {
    const kinds = find(argocd, 'AppProject', 'llm-platform-operators').spec.clusterResourceWhitelist.map((k: any) => k.kind);
    expect(find(argocd, 'Application', 'external-secrets').spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
    expect(kinds).toContain('Namespace');
  });
});

/*
 * The ApplicationSet's generator, run as Argo CD runs it over a repository tree, under
 * both of its matching modes:
 * - greedy (the default of the git files generator: `git ls-files` pathspecs, where `*`
 *   and `?` also match `/`);
 * - new (`applicationsetcontroller.enable.new.git.file.globbing`: POSIX `*` within one
 *   segment, `**` across segments).
 * The git directories generator matches with Go's path.Match (like "new", without `**`)
 * whatever the mode; we check its patterns under both semantics anyway, so the layout
 * holds even if that changed. Hidden folders are skipped, as Argo CD's repo server does.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-Git-File-Globbing/
 */
type Globbing = 'greedy' | 'new';

/** A glob as a regular expression, under one of the two semantics. */
function globRegex(glob: string, mode: Globbing): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += mode === 'greedy' ? '.*' : '[^/]*';
    else if (c === '?') out += mode === 'greedy' ? '.' : '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

interface GitGenerator {
  readonly files?: readonly { path: string; exclude?: boolean }[];
  readonly directories?: readonly { path: string; exclude?: boolean }[];
}

/** The parameter sets a git generator makes of a repository's files. */
function generate(generator: GitGenerator, files: readonly string[], mode: Globbing): Record<string, unknown>[] {
  const matches = (entries: readonly { path: string; exclude?: boolean }[], p: string) =>
    entries.some((e) => !e.exclude && globRegex(e.path, mode).test(p)) && !entries.some((e) => e.exclude && globRegex(e.path, mode).test(p));
  if (generator.directories) {
    const folders = new Set(files.flatMap((f) => f.split('/').slice(0, -1).map((_, i, segs) => segs.slice(0, i + 1).join('/'))));
    return [...folders].filter((d) => !d.split('/').some((s) => s.startsWith('.')) && matches(generator.directories!, d)).sort()
      .map((d) => ({ path: { path: d, basename: path.posix.basename(d) } }));
  }
  // The files generator reads each matched file's YAML fields as the parameters; a file without `name` has none.
  return files.filter((f) => matches(generator.files!, f)).sort().map((f) => ({ path: { path: path.posix.dirname(f) }, ...fields(f) }));
}

/** The top-level fields of a YAML file of the tree (none for the files added beside the fixtures). */
function fields(file: string): Record<string, unknown> {
  const full = path.join(dir, file);
  const data = fs.existsSync(full) ? parse(fs.readFileSync(full, 'utf8')) : undefined;
  return data && typeof data === 'object' && !Array.isArray(data) ? data : {};
}

/** Renders a Go template of the ApplicationSet with one parameter set; a missing key fails, as with missingkey=error. */
function render(template: string, params: Record<string, any>): string {
  return template.replace(/\{\{ *\.([a-zA-Z.]+) *\}\}/g, (_, ref: string) => {
    const value = ref.split('.').reduce((o: any, k) => (o === undefined ? undefined : o[k]), params);
    if (value === undefined) throw new Error(`map has no entry for key "${ref}"`);
    return String(value);
  });
}

/** Every file of the fixtures' repository as synth left it, plus the files a real repository holds beside them. */
function repositoryTree(): string[] {
  const walk = (d: string): string[] => fs.readdirSync(path.join(dir, d), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.posix.join(d, e.name)) : [path.posix.join(d, e.name)]));
  return [
    ...['dist', 'charts', 'schemas', 'workspaces'].flatMap(walk),
    'platform.yaml',
    'README.md',
    '.github/workflows/pull-request.yaml',
    // Nested YAML and non-workspace YAML under workspaces/ and dist/.
    `workspaces/${names[0]}/training/nested/deeper.yaml`,
    `workspaces/${names[0]}/notes.yaml`,
    'workspaces/.templates/example.yaml',
    'docs/examples/workspace.yaml',
  ];
}

describe('the ApplicationSets make two Applications per workspace, and nothing else, in either globbing mode', () => {
  const tree = repositoryTree();
  const sets = [
    { set: 'llm-workspaces', app: (n: string) => `workspace-${n}`, folder: 'workspaces', project: (n: string) => `workspace-${n}` },
    { set: 'llm-workspace-boundaries', app: (n: string) => `workspace-${n}-boundary`, folder: 'workspace-boundaries', project: () => 'llm-platform' },
  ];

  test.each((['greedy', 'new'] as const).flatMap((mode) => sets.map((s) => [mode, s.set, s] as const)))('%s globbing, %s', (mode, _name, expected) => {
    const set = find(argocd, 'ApplicationSet', expected.set).spec;
    const apps = generate(set.generators[0].git, tree, mode).map((p) => ({
      name: render(set.template.metadata.name, p),
      path: render(set.template.spec.source.path, p),
      namespace: render(set.template.spec.destination.namespace, p),
      project: render(set.template.spec.project, p),
    }));
    expect(apps).toEqual(names.map((n) => ({ name: expected.app(n), path: `dist/${expected.folder}/${n}`, namespace: `llm-workspace-${n}`, project: expected.project(n) })));
    expect(apps.filter((a) => !tree.includes(`${a.path}/manifests.yaml`))).toEqual([]);
    expect(apps.filter((a) => !argocd.some((o) => o.kind === 'AppProject' && o.metadata.name === a.project)).map((a) => a.project)).toEqual([]);
  });

  test('the tree holds what would trip a files generator: training configs and nested YAML under workspaces/', () => {
    const set = find(argocd, 'ApplicationSet', 'llm-workspaces').spec;
    const naive = { files: [{ path: 'workspaces/*.yaml' }] };
    expect(generate(naive, tree, 'new').map((p) => p.name)).toEqual(names);
    // Greedy globbing matches the training configs too; they have no `name`, so the whole set fails to render.
    const greedy = generate(naive, tree, 'greedy');
    expect(greedy.length).toBeGreaterThan(names.length);
    expect(() => greedy.map((p) => render(set.template.metadata.name.replace('.path.basename', '.name'), p))).toThrow('map has no entry for key "name"');
  });

  test('the glob model follows both semantics', () => {
    expect(globRegex('workspaces/*.yaml', 'greedy').test('workspaces/a/training/b.yaml')).toBe(true);
    expect(globRegex('workspaces/*.yaml', 'new').test('workspaces/a/training/b.yaml')).toBe(false);
    expect(globRegex('workspaces/**/*.yaml', 'new').test('workspaces/a/training/b.yaml')).toBe(true);
    expect(globRegex('dist/workspaces/*', 'new').test('dist/workspaces/a')).toBe(true);
  });

  test('each generated Application syncs its folder automatically, and keeps its objects when it goes', () => {
    for (const { set } of sets) {
      const spec = find(argocd, 'ApplicationSet', set).spec;
      expect(spec.goTemplateOptions).toEqual(['missingkey=error']);
      expect(spec.template.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: true });
    }
  });
});

/*
 * What Argo CD lets an Application of a project write: a destination the project lists
 * (namespace globs), a cluster-scoped kind it whitelists, a namespaced kind it
 * whitelists (all, when it lists none) and does not blacklist.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
 */
function permits(project: any, object: Manifest, destination: string): boolean {
  const spec = project.spec;
  const glob = (pattern: string, value: string) => globRegex(pattern, 'new').test(value);
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  const listed = (list: any[] | undefined) => (list ?? []).some((k) => (k.group === '*' || k.group === group) && (k.kind === '*' || k.kind === object.kind));
  // Argo CD checks each object's own namespace against the destinations (the Application's for one without).
  if (!object.metadata.namespace) return spec.destinations.some((d: any) => glob(d.namespace, destination)) && listed(spec.clusterResourceWhitelist);
  if (!spec.destinations.some((d: any) => glob(d.namespace, object.metadata.namespace!))) return false;
  return (spec.namespaceResourceWhitelist ? listed(spec.namespaceResourceWhitelist) : true) && !listed(spec.namespaceResourceBlacklist);
}

describe('Argo CD confines each workspace to its namespace and its own kinds', () => {
  const objectsIn = (folder: string) => dist.filter((o) => o.file.startsWith(folder)).map((o) => o.object);
  const forged = (kind: string, apiVersion: string, namespace: string | undefined) => ({ apiVersion, kind, metadata: { name: 'forged', ...(namespace ? { namespace } : {}) } } as Manifest);

  test.each(names)('%s: its project admits all of its own objects and none of its boundary', (n) => {
    const project = find(argocd, 'AppProject', `workspace-${n}`);
    const ns = `llm-workspace-${n}`;
    expect(project.spec.destinations).toEqual([{ server: 'https://kubernetes.default.svc', namespace: ns }]);
    expect(objectsIn(`dist/workspaces/${n}/`).filter((o) => !permits(project, o, ns)).map((o) => o.kind)).toEqual([]);
    const boundary = objectsIn(`dist/workspace-boundaries/${n}/`);
    expect(boundary.filter((o) => permits(project, o, ns)).map((o) => o.kind)).toEqual([]);
    expect(new Set(boundary.map((o) => o.kind)).size).toBeGreaterThanOrEqual(8);
  });

  test('a workspace\'s project refuses a Secret, a secret store, a PushSecret, RBAC, a Namespace, and anything in another namespace', () => {
    const [n, other] = names;
    const project = find(argocd, 'AppProject', `workspace-${n}`);
    const ns = `llm-workspace-${n}`;
    const refused = [
      forged('Secret', 'v1', ns), forged('SecretStore', 'external-secrets.io/v1', ns), forged('ClusterSecretStore', 'external-secrets.io/v1', undefined),
      forged('PushSecret', 'external-secrets.io/v1alpha1', ns), forged('RoleBinding', 'rbac.authorization.k8s.io/v1', ns), forged('Role', 'rbac.authorization.k8s.io/v1', ns),
      forged('Namespace', 'v1', undefined), forged('NetworkPolicy', 'networking.k8s.io/v1', ns), forged('ServiceAccount', 'v1', ns),
    ];
    expect(refused.filter((o) => permits(project, o, ns)).map((o) => o.kind)).toEqual([]);
    expect(permits(project, forged('ConfigMap', 'v1', `llm-workspace-${other}`), `llm-workspace-${other}`)).toBe(false);
    expect(permits(project, forged('ConfigMap', 'v1', 'llm-shared'), 'llm-shared')).toBe(false);
    expect(permits(project, forged('ConfigMap', 'v1', ns), ns)).toBe(true);
  });

  test('the platform\'s project admits every boundary, but never a Secret or a PushSecret', () => {
    const platform = find(argocd, 'AppProject', 'llm-platform');
    for (const n of names) {
      expect(objectsIn(`dist/workspace-boundaries/${n}/`).filter((o) => !permits(platform, o, `llm-workspace-${n}`)).map((o) => o.kind)).toEqual([]);
    }
    expect(permits(platform, forged('Secret', 'v1', 'llm-shared'), 'llm-shared')).toBe(false);
    expect(permits(platform, forged('PushSecret', 'external-secrets.io/v1alpha1', 'llm-shared'), 'llm-shared')).toBe(false);
  });
});

describe('nothing is lost', () => {
  const objects = dist.filter((o) => !o.file.startsWith('dist/argocd/')).map((o) => o.object as any);
  const stateful = objects.filter((o) => isStateful(o.kind, o.metadata.namespace));
  const options = (o: any) => (o.metadata.annotations['argocd.argoproj.io/sync-options'] ?? '').split(',');

  test('an Argo CD prune never deletes a PVC, a namespace or GCP data (Prune=false), nor does deleting an Application (Delete=false)', () => {
    // Every namespace (the workspaces', llm-shared, llm-probes, llm-gcp) and volume.
    expect(stateful.filter((o) => ['Namespace', 'PersistentVolumeClaim'].includes(o.kind)).length).toBe(2 * names.length + 3);
    expect([...new Set(stateful.map((o) => o.kind))].sort()).toEqual([
      'ExternalSecret', 'IAMServiceAccount', 'Namespace', 'PersistentVolumeClaim', 'SQLDatabase', 'SQLUser', 'SecretManagerSecret', 'SecretManagerSecretVersion', 'StorageBucket',
    ]);
    expect(stateful.filter((o) => !options(o).includes('Prune=false')).map((o) => o.metadata.name)).toEqual([]);
    expect(stateful.filter((o) => !options(o).includes('Delete=false')).map((o) => o.metadata.name)).toEqual([]);
  });

  test('removing a workspace deletes its Applications but none of its objects', () => {
    for (const name of ['llm-workspaces', 'llm-workspace-boundaries']) {
      const set = find(argocd, 'ApplicationSet', name).spec;
      expect(set.syncPolicy).toEqual({ preserveResourcesOnDeletion: true });
      // No resources finalizer on the generated Applications: their deletion cascades into nothing.
      expect(set.template.metadata.finalizers).toBeUndefined();
    }
  });

  test('the External Secrets CRDs are kept: deleting them would delete every ExternalSecret and its Secret', () => {
    const crds = find(argocd, 'Application', 'external-secrets').spec.source.helm.valuesObject.crds.annotations;
    expect(crds).toEqual({ 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false', 'helm.sh/resource-policy': 'keep' });
  });

  test('the bootstrap Application never prunes Argo CD objects', () => {
    expect(find(argocd, 'Application', 'llm-platform-bootstrap').spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true });
  });

  test('sync waves bring namespaces, then generated passwords, then the GCP side, then secrets and config, then policies, then servers with their volumes', () => {
    const wave = (o: any) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    const byKind = (kind: string) => objects.filter((o) => o.kind === kind).map(wave);
    const max = (k: string) => Math.max(...byKind(k));
    const min = (k: string) => Math.min(...byKind(k));
    expect(max('Namespace')).toBeLessThan(min('Password'));
    // The generated passwords come with their generator, before the GCP users that read them.
    const generated = objects.filter((o) => o.kind === 'ExternalSecret' && o.metadata.namespace === 'llm-gcp').map(wave);
    expect(Math.max(...generated)).toBe(min('Password'));
    // Identities, bindings and GCP data exist (Config Connector reports them ready) before pods that use them.
    const gcp = ['IAMServiceAccount', 'IAMPolicyMember', 'StorageBucket', 'SQLDatabase', 'SQLUser', 'SecretManagerSecret', 'SecretManagerSecretVersion'];
    expect(Math.max(...generated)).toBeLessThan(Math.min(...gcp.map(min)));
    expect(Math.max(...gcp.map(max))).toBeLessThan(Math.min(...objects.filter((o) => o.kind === 'ExternalSecret' && o.metadata.namespace !== 'llm-gcp').map(wave)));
    expect(Math.max(...gcp.map(max))).toBeLessThan(min('ServiceAccount'));
    expect(max('ExternalSecret')).toBeLessThan(min('NetworkPolicy'));
    expect(max('ConfigMap')).toBeLessThan(min('NetworkPolicy'));
    expect(max('NetworkPolicy')).toBeLessThan(min('Deployment'));
    // GKE binds a volume only for a pod that uses it: a volume in an earlier wave would never get healthy.
    expect([...byKind('PersistentVolumeClaim'), ...byKind('Deployment')].filter((w) => w !== 0)).toEqual([]);
  });

  test('a suspended workspace runs nothing and keeps its volume', () => {
    const box = sandbox({ 'team-s.yaml': 'name: team-s\nstate: suspended\nquota: { gpus: 3 }\ninference:\n  models:\n    - name: a\n      replicas: 2\n    - name: b\n' });
    try {
      const loaded = box.load();
      const manifests = synthWorkspace(loaded.platform, loaded.workspaces[0]);
      const deployments = all(manifests, 'Deployment');
      expect(deployments.map((d) => [d.metadata.name, d.spec.replicas]).sort()).toEqual([['llama-factory-inference-a', 0], ['llama-factory-inference-b', 0], ['llama-factory-webui', 0], ['mlflow', 0]]);
      expect(find(manifests, 'PersistentVolumeClaim', 'model-storage-pvc').metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
      expect(find(manifests, 'Namespace', 'llm-workspace-team-s').metadata.labels['llm-platform/state']).toBe('suspended');
      const tests = renderWorkspace(loaded.platform, loaded.workspaces[0], 'workspaces/team-s.yaml').chart.find((f) => f.path.endsWith('/templates/tests.yaml'))!;
      expect(tests.content).not.toContain('kind: Pod');
      // Activating it again restores the replicas.
      const active = synthWorkspace(loaded.platform, { ...loaded.workspaces[0], state: 'active' });
      expect(find(active, 'Deployment', 'llama-factory-inference-a').spec.replicas).toBe(2);
    } finally {
      box.remove();
    }
  });
});
