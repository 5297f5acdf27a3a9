import * as fs from 'fs';
import { bucketNameProblem, secretIdProblem, serviceAccountIdProblem, sqlNameProblem } from '../lib/gcp/gcp-names';
import { GCP_STATEFUL_KINDS, isStateful } from '../lib/lifecycle';
import { Manifest } from '../lib/output/render';
import { crdProblems } from '../lib/policy/crd-schema';
import { synthShared, synthWorkspace } from '../lib/synth';
import { all, find, fixture, sandbox } from './helpers';

/*
 * The GCP side as Config Connector objects (lib/gcp/): what each workspace and the shared
 * layer get, scoped to their owner; that it validates against the real CRDs; that no
 * deletion of a manifest takes GCP data with it.
 */

const { platform } = fixture().inputs;
const SFT = 'model_name_or_path: /models/base-model\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: qa\ntemplate: qwen\noutput_dir: /output/sft\n';

/** The objects of freshly loaded workspace files, by name. */
function workspaces(files: Record<string, string>): Record<string, Manifest[]> {
  const box = sandbox(Object.fromEntries(Object.entries(files).flatMap(([name, text]) => [[`${name}.yaml`, text], [`${name}/training/sft.yaml`, SFT]])));
  try {
    const inputs = box.load();
    return Object.fromEntries(inputs.workspaces.map((w) => [w.name, synthWorkspace(inputs.platform, w, inputs.trainingConfigs[w.name])]));
  } finally {
    fs.rmSync(box.dir, { recursive: true, force: true });
  }
}

const { 'team-a': teamA, 'team-b': teamB, 'team-own': teamOwn } = workspaces({
  'team-a': 'name: team-a\n',
  'team-b': 'name: team-b\n',
  'team-own': 'name: team-own\ngcpServiceAccount: ml-team-own@your-gcp-project.iam.gserviceaccount.com\n',
});
const shared = synthShared(platform);
const gcp = (objects: readonly Manifest[]) => objects.filter((o) => o.apiVersion.includes('.cnrm.cloud.google.com/')) as any[];
/** Every IAM binding, as `<role> on <kind>/<resource> for <member>`. */
const bindings = (objects: readonly Manifest[]) => all(objects, 'IAMPolicyMember').map((m) => {
  const on = m.spec.resourceRef.name ?? m.spec.resourceRef.external;
  const who = m.spec.member ?? `ref:${m.spec.memberFrom.serviceAccountRef.name}`;
  return `${m.spec.role} on ${m.spec.resourceRef.kind}/${on} for ${who}${m.spec.condition ? ' if the condition' : ''}`;
}).sort();

describe('a workspace gets its GCP side from its file alone', () => {
  test('two service accounts: its pods\' (model weights and data, no secret) and its secret store\'s (its database password, nothing else)', () => {
    expect(find(teamA, 'IAMServiceAccount', 'ws-team-a-identity').spec).toEqual({ resourceID: 'llm-ws-team-a', displayName: 'LLM platform workspace team-a' });
    expect(find(teamA, 'IAMServiceAccount', 'wss-team-a-identity').spec).toEqual({ resourceID: 'llm-wss-team-a', displayName: 'LLM platform workspace team-a: secrets' });
    expect(bindings(teamA)).toEqual([
      'roles/iam.workloadIdentityUser on IAMServiceAccount/ws-team-a-identity for serviceAccount:your-gcp-project.svc.id.goog[llm-workspace-team-a/llm-workload-sa]',
      'roles/iam.workloadIdentityUser on IAMServiceAccount/wss-team-a-identity for serviceAccount:your-gcp-project.svc.id.goog[llm-workspace-team-a/secret-store]',
      // Only the secret store reads the password: a pod that reaches GCP (training, inference) cannot.
      'roles/secretmanager.secretAccessor on SecretManagerSecret/ws-team-a-mlflow-db for ref:wss-team-a-identity',
      // Base models are read from mlflow-common's bucket directly, never written.
      'roles/storage.objectViewer on StorageBucket/your-gcp-project-mlflow-common for ref:ws-team-a-identity',
      // Its models, written and read directly by its pods.
      'roles/storage.objectAdmin on StorageBucket/ws-team-a-mlflow-artifacts for ref:ws-team-a-identity',
      // Its pods read its training data; they never write it.
      'roles/storage.objectViewer on StorageBucket/ws-team-a-training-data for ref:ws-team-a-identity',
    ].sort());
    // The ServiceAccounts that act as each are the ones annotated with it.
    expect(find(teamA, 'ServiceAccount', 'llm-workload-sa').metadata.annotations['iam.gke.io/gcp-service-account']).toBe('llm-ws-team-a@your-gcp-project.iam.gserviceaccount.com');
    expect(find(teamA, 'ServiceAccount', 'secret-store').metadata.annotations['iam.gke.io/gcp-service-account']).toBe('llm-wss-team-a@your-gcp-project.iam.gserviceaccount.com');
  });

  test('no binding is on the project, nor on anything of another workspace or of the shared layer', () => {
    for (const [name, objects] of [['team-a', teamA], ['team-b', teamB]] as const) {
      const refs = all(objects, 'IAMPolicyMember').map((m) => m.spec.resourceRef);
      // Its own objects; and, read only, the base models' bucket of mlflow-common.
      const common = { kind: 'StorageBucket', external: 'your-gcp-project-mlflow-common' };
      expect(refs.filter((r) => (r.external !== undefined || !/^wss?-/.test(r.name) || !r.name.startsWith(`${r.name.split('-')[0]}-${name}-`)) && !(r.kind === common.kind && r.external === common.external))).toEqual([]);
      expect(all(objects, 'IAMPolicyMember').filter((m) => m.spec.memberFrom && ![`ws-${name}-identity`, `wss-${name}-identity`].includes(m.spec.memberFrom.serviceAccountRef.name))).toEqual([]);
      expect(all(objects, 'IAMPolicyMember').filter((m) => m.spec.resourceRef.external === common.external).map((m) => m.spec.role)).toEqual(['roles/storage.objectViewer']);
    }
  });

  test('its MLflow bucket: in the platform\'s region, uniform access, never public, deleted objects restorable for a week', () => {
    expect(find(teamA, 'StorageBucket', 'ws-team-a-mlflow-artifacts').spec).toEqual({
      resourceID: 'your-gcp-project-mlflow-team-a',
      location: 'EUROPE-WEST4',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      softDeletePolicy: { retentionDurationSeconds: 604800 },
    });
    // The bucket its MLflow writes is that one.
    const args = find(teamA, 'Deployment', 'mlflow').spec.template.spec.containers[0].args;
    // New experiments keep gs:// URIs, which clients use directly; older ones are proxied from the same place.
    expect(args).toContain('--default-artifact-root=gs://your-gcp-project-mlflow-team-a/artifacts');
    expect(args).toContain('--artifacts-destination=gs://your-gcp-project-mlflow-team-a/artifacts');
  });

  test('its database and user on the platform\'s instance, with a password generated once in the cluster and never in git', () => {
    const instanceRef = { external: 'mlflow-instance' };
    expect(find(teamA, 'SQLDatabase', 'ws-team-a-mlflow-db-database').spec).toEqual({ resourceID: 'mlflow_team-a', instanceRef, deletionPolicy: 'ABANDON' });
    const password = { secretKeyRef: { name: 'ws-team-a-mlflow-db-password', key: 'password' } };
    expect(find(teamA, 'SQLUser', 'ws-team-a-mlflow-db-user').spec).toEqual({ resourceID: 'mlflow_team-a', instanceRef, password: { valueFrom: password } });
    const generated = find(teamA, 'ExternalSecret', 'ws-team-a-mlflow-db-password', 'llm-gcp').spec;
    expect(generated.dataFrom).toEqual([{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: 'database-password' } } }]);
    expect([generated.refreshPolicy, generated.target.deletionPolicy]).toEqual(['CreatedOnce', 'Retain']);
    // The same password reaches Secret Manager, the one secret its identity may read, and from there its MLflow.
    expect(find(teamA, 'SecretManagerSecret', 'ws-team-a-mlflow-db').spec.resourceID).toBe('llm-platform-mlflow-db-team-a');
    expect(find(teamA, 'SecretManagerSecretVersion', 'ws-team-a-mlflow-db-v1').spec.secretData).toEqual({ valueFrom: { secretKeyRef: { name: 'ws-team-a-mlflow-db-password', key: 'value' } } });
    expect(generated.target.template.data.value).toBe('{"username":"mlflow_team-a","password":"{{ .password }}"}');
    const mlflow = find(teamA, 'ExternalSecret', 'mlflow-db-secret').spec.data.map((d: any) => [d.secretKey, d.remoteRef.key, d.remoteRef.property]);
    expect(mlflow).toEqual([['POSTGRES_USER', 'llm-platform-mlflow-db-team-a', 'username'], ['POSTGRES_PASSWORD', 'llm-platform-mlflow-db-team-a', 'password']]);
    // The shared generator is the only source; no object holds a password.
    expect(JSON.stringify(teamA)).not.toMatch(/"password":"[^{]/);
  });

  test('a workspace\'s people upload its training data: they, and only they, write its data bucket', () => {
    const [people] = Object.values(workspaces({ 'team-p': 'name: team-p\nmembers: [group:ml-p@example.com]\nadmins: [user:ana@example.com]\n' }));
    expect(find(people, 'StorageBucket', 'ws-team-p-training-data').spec).toMatchObject({ resourceID: 'your-gcp-project-data-team-p', uniformBucketLevelAccess: true, publicAccessPrevention: 'enforced' });
    expect(bindings(people).filter((b) => b.includes('training-data'))).toEqual([
      'roles/storage.objectAdmin on StorageBucket/ws-team-p-training-data for group:ml-p@example.com',
      'roles/storage.objectAdmin on StorageBucket/ws-team-p-training-data for user:ana@example.com',
      'roles/storage.objectViewer on StorageBucket/ws-team-p-training-data for ref:ws-team-p-identity',
    ]);
  });

  test('a workspace that names its own GCP account gets bindings on that account and creates none', () => {
    // Its secret store's account is the platform's, as for every workspace.
    expect(all(teamOwn, 'IAMServiceAccount').map((a) => a.spec.resourceID)).toEqual(['llm-wss-team-own']);
    const own = 'serviceAccount:ml-team-own@your-gcp-project.iam.gserviceaccount.com';
    expect(bindings(teamOwn)).toEqual([
      'roles/iam.workloadIdentityUser on IAMServiceAccount/projects/your-gcp-project/serviceAccounts/ml-team-own@your-gcp-project.iam.gserviceaccount.com for serviceAccount:your-gcp-project.svc.id.goog[llm-workspace-team-own/llm-workload-sa]',
      'roles/iam.workloadIdentityUser on IAMServiceAccount/wss-team-own-identity for serviceAccount:your-gcp-project.svc.id.goog[llm-workspace-team-own/secret-store]',
      'roles/secretmanager.secretAccessor on SecretManagerSecret/ws-team-own-mlflow-db for ref:wss-team-own-identity',
      `roles/storage.objectViewer on StorageBucket/your-gcp-project-mlflow-common for ${own}`,
      `roles/storage.objectAdmin on StorageBucket/ws-team-own-mlflow-artifacts for ${own}`,
      `roles/storage.objectViewer on StorageBucket/ws-team-own-training-data for ${own}`,
    ].sort());
  });

  test('two workspaces share no GCP resource and no object name', () => {
    const ids = (objects: readonly Manifest[]) => gcp(objects).filter((o) => o.spec.resourceID).map((o) => `${o.kind}/${o.spec.resourceID}`);
    expect(ids(teamA).filter((id) => ids(teamB).includes(id))).toEqual([]);
    const names = (objects: readonly Manifest[]) => objects.filter((o) => o.metadata.namespace === 'llm-gcp').map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names(teamA).filter((n) => names(teamB).includes(n) || names(shared).includes(n))).toEqual([]);
  });

  test('its GCP objects live in llm-gcp, which its Argo CD project cannot reach and its people cannot touch', () => {
    const { objects: dist } = fixture();
    expect(gcp(teamA).filter((o) => o.metadata.namespace !== 'llm-gcp')).toEqual([]);
    expect(find(shared, 'Namespace', 'llm-gcp').metadata.annotations['cnrm.cloud.google.com/project-id']).toBe('your-gcp-project');
    const projects = all(dist, 'AppProject').filter((p) => p.metadata.name.startsWith('workspace-'));
    expect(projects.length).toBeGreaterThan(0);
    expect(projects.filter((p) => p.spec.destinations.some((d: any) => d.namespace !== `llm-workspace-${p.metadata.name.slice('workspace-'.length)}`))).toEqual([]);
    expect(dist.filter((o) => ['Role', 'RoleBinding'].includes(o.kind) && o.metadata.namespace === 'llm-gcp')).toEqual([]);
  });
});

describe('the shared layer\'s GCP side', () => {
  test('each shared identity may do its one job, on its own resources', () => {
    expect(bindings(shared)).toEqual([
      // mlflow-common: its bucket.
      'roles/iam.workloadIdentityUser on IAMServiceAccount/shared-mlflow-common-identity for serviceAccount:your-gcp-project.svc.id.goog[llm-shared/mlflow-common]',
      // backups: start exports of the platform's instance, and nothing else in the project.
      'roles/cloudsql.viewer on Project/projects/your-gcp-project for ref:shared-backups-identity if the condition',
      'roles/iam.workloadIdentityUser on IAMServiceAccount/shared-backups-identity for serviceAccount:your-gcp-project.svc.id.goog[llm-shared/mlflow-backups]',
      'roles/iam.workloadIdentityUser on IAMServiceAccount/shared-secrets-identity for serviceAccount:your-gcp-project.svc.id.goog[llm-shared/secret-store]',
      // The shared store: the shared layer's secrets, one binding each (the gateway's client keys among them: only it reads them).
      ...['apps-airflow-db', 'apps-strapi-db', 'ci-airflow-password', 'clients-client-app-assistant', 'clients-client-app-search', 'mlflow-common-db', 'secrets-airflow-fernet-key', 'secrets-airflow-webserver-secret-key', 'secrets-strapi-api-token', 'secrets-strapi-app']
        .map((s) => `roles/secretmanager.secretAccessor on SecretManagerSecret/shared-${s} for ref:shared-secrets-identity`),
      // The CI that triggers training: the Airflow CI user's password, and nothing else.
      'roles/secretmanager.secretAccessor on SecretManagerSecret/shared-ci-airflow-password for ref:shared-ci-identity',
      'roles/storage.objectAdmin on StorageBucket/shared-mlflow-common-artifacts for ref:shared-mlflow-common-identity',
      // KEDA: read the project's metrics (the one policy exception), as its operator.
      'roles/monitoring.viewer on Project/projects/your-gcp-project for ref:shared-keda-identity',
      'roles/iam.workloadIdentityUser on IAMServiceAccount/shared-keda-identity for serviceAccount:your-gcp-project.svc.id.goog[keda/keda-operator]',
      // The instance's own account writes the exports: create objects in the backup bucket, no more.
      'roles/storage.objectCreator on StorageBucket/shared-backups-bucket for serviceAccount:p123456789012-abcdef@gcp-sa-cloud-sql.iam.gserviceaccount.com',
    ].sort());
    expect(find(shared, 'IAMPolicyMember', 'shared-backups-export').spec.condition.expression)
      .toBe("resource.name == 'projects/your-gcp-project/instances/mlflow-instance' && resource.type == 'sqladmin.googleapis.com/Instance'");
  });

  test('the databases of mlflow-common, Strapi and Airflow, with generated passwords; people set only the four keys nothing can generate', () => {
    expect(all(shared, 'SQLDatabase').map((d) => d.spec.resourceID).sort()).toEqual(['airflow', 'mlflow_common', 'strapi']);
    expect(all(shared, 'SQLUser').map((d) => d.spec.resourceID).sort()).toEqual(['airflow', 'mlflow_common', 'strapi']);
    const withValue = all(shared, 'SecretManagerSecretVersion').map((v) => v.spec.secretRef.name).sort();
    // The Airflow CI user's password is generated too (test/airflow.test.ts), and each gateway client's API key.
    expect(withValue).toEqual(['shared-apps-airflow-db', 'shared-apps-strapi-db', 'shared-ci-airflow-password', 'shared-clients-client-app-assistant', 'shared-clients-client-app-search', 'shared-mlflow-common-db']);
    const byPeople = all(shared, 'SecretManagerSecret').filter((s) => !withValue.includes(s.metadata.name)).map((s) => s.spec.resourceID).sort();
    expect(byPeople).toEqual(['llm-platform-airflow-fernet-key', 'llm-platform-airflow-webserver-secret-key', 'llm-platform-strapi-api-token', 'llm-platform-strapi-app']);
    // Airflow's connection is written whole, with the generated password in it.
    expect(find(shared, 'ExternalSecret', 'shared-apps-airflow-db-password').spec.target.template.data.value).toBe('postgresql://airflow:{{ .password }}@10.0.0.5:5432/airflow');
  });
});

describe('every GCP object is valid and well named', () => {
  const everything = [...teamA, ...teamOwn, ...shared];

  test('against the Config Connector 1.155.1 CRD schemas (vendor/crd-schemas), every kind the platform makes', () => {
    const objects = gcp(everything);
    expect([...new Set(objects.map((o) => o.kind))].sort()).toEqual(['IAMPolicyMember', 'IAMServiceAccount', 'SQLDatabase', 'SQLUser', 'SecretManagerSecret', 'SecretManagerSecretVersion', 'StorageBucket']);
    expect(objects.flatMap((o) => crdProblems(o))).toEqual([]);
  });

  test('the schema check refuses what Config Connector would: a misspelt field, a reference both named and external', () => {
    const bucket = JSON.parse(JSON.stringify(find(teamA, 'StorageBucket', 'ws-team-a-mlflow-artifacts')));
    bucket.spec.uniformBucketLevelAcess = true;
    expect(crdProblems(bucket)).toEqual(["/spec must NOT have additional properties 'uniformBucketLevelAcess'"]);
    const member = JSON.parse(JSON.stringify(find(teamA, 'IAMPolicyMember', 'ws-team-a-mlflow-db-accessor')));
    member.spec.resourceRef.external = 'projects/your-gcp-project/secrets/x';
    expect(crdProblems(member)).toEqual(['/spec/resourceRef must match exactly one schema in oneOf']);
  });

  test('every name keeps to GCP\'s rules', () => {
    const problems = gcp(everything).filter((o) => o.spec.resourceID).flatMap((o) => {
      const rule = { StorageBucket: bucketNameProblem, IAMServiceAccount: serviceAccountIdProblem, SQLDatabase: sqlNameProblem, SQLUser: sqlNameProblem, SecretManagerSecret: secretIdProblem }[o.kind as string];
      const problem = rule?.(o.spec.resourceID);
      return problem ? [`${o.kind} ${o.spec.resourceID}: ${problem}`] : [];
    });
    expect(problems).toEqual([]);
  });

  test.each([
    ['my-bucket', undefined],
    ['ab', 'must be 3 to 63 characters, got 2'],
    ['a'.repeat(64), 'must be 3 to 63 characters, got 64'],
    ['My-Bucket', "must be lowercase letters, digits, '-', '_' and '.', starting and ending with a letter or digit"],
    ['bucket-', "must be lowercase letters, digits, '-', '_' and '.', starting and ending with a letter or digit"],
    ['goog-data', "must not start with 'goog'"],
    ['team-g00gle-data', "must not contain 'google' or a close misspelling of it"],
    ['192.168.5.4', 'must not be an IP address'],
    ['a..b', 'must have parts of 1 to 63 characters between its dots'],
  ])('bucket name %s', (name, problem) => expect(bucketNameProblem(name)).toBe(problem));

  test.each([
    ['llm-ws-team', undefined],
    ['llm-w', 'must be 6 to 30 characters, got 5'],
    [`llm-${'x'.repeat(27)}`, 'must be 6 to 30 characters, got 31'],
    ['1llm-ws', "must be lowercase letters, digits and '-', starting with a letter and ending with a letter or digit"],
    ['llm-ws-', "must be lowercase letters, digits and '-', starting with a letter and ending with a letter or digit"],
  ])('service account id %s', (id, problem) => expect(serviceAccountIdProblem(id)).toBe(problem));

  test.each([
    ['mlflow_team-a', undefined],
    [`mlflow_${'a'.repeat(57)}`, 'must be at most 63 bytes, got 64'],
    ['1db', "must be letters, digits, '_' and '-', starting with a letter"],
    ['db name', "must be letters, digits, '_' and '-', starting with a letter"],
  ])('database or user name %s', (name, problem) => expect(sqlNameProblem(name)).toBe(problem));

  test.each([
    ['llm-platform-mlflow-db-a', undefined],
    ['', 'must be 1 to 255 characters, got 0'],
    ['a'.repeat(256), 'must be 1 to 255 characters, got 256'],
    ['llm.platform', "must be letters, digits, '-' and '_'"],
  ])('secret id %s', (id, problem) => expect(secretIdProblem(id)).toBe(problem));
});

describe('data outlives manifests', () => {
  /**
   * What is left in GCP after a workspace file is removed, for each way its objects can
   * go: Argo CD pruning what left git, Argo CD deleting the Application with its objects,
   * Helm dropping them on upgrade or uninstall, and someone deleting the object (or
   * the namespace) by hand. Config Connector deletes the GCP resource with its object
   * unless told to abandon it.
   */
  function survives(o: any): Record<string, boolean> {
    const a = o.metadata.annotations ?? {};
    const options: string[] = (a['argocd.argoproj.io/sync-options'] ?? '').split(',');
    const abandoned = a['cnrm.cloud.google.com/deletion-policy'] === 'abandon';
    return {
      'argo-prune': options.includes('Prune=false') || abandoned,
      'argo-delete': options.includes('Delete=false') || abandoned,
      'helm': a['helm.sh/resource-policy'] === 'keep' || abandoned,
      'by-hand': abandoned,
    };
  }

  test('removing a workspace file deletes no GCP data, however its objects go', () => {
    // What removing team-a's file takes out of git: every object of its output.
    const removed = gcp(teamA).filter((o) => GCP_STATEFUL_KINDS.includes(o.kind));
    // Every stateful kind is among them: the test covers each.
    expect([...new Set(removed.map((o) => o.kind))].sort()).toEqual([...GCP_STATEFUL_KINDS].sort());
    const lost = removed.flatMap((o) => Object.entries(survives(o)).filter(([, kept]) => !kept).map(([how]) => `${o.kind}/${o.metadata.name} by ${how}`));
    expect(lost).toEqual([]);
    // And the Kubernetes objects stay too (Argo CD, Helm), so a re-added file finds them as they were.
    expect(removed.filter((o) => !isStateful(o.kind, o.metadata.namespace))).toEqual([]);
  });

  test('the generated password is kept too, or the secret\'s immutable version would hold a password the user no longer has', () => {
    const password = find(teamA, 'ExternalSecret', 'ws-team-a-mlflow-db-password', 'llm-gcp');
    expect(survives(password)).toEqual({ 'argo-prune': true, 'argo-delete': true, 'helm': true, 'by-hand': false });
    expect(password.spec.target.deletionPolicy).toBe('Retain');
  });

  test('bindings are not kept: removing a workspace revokes its access', () => {
    expect(all(teamA, 'IAMPolicyMember').filter((m) => Object.values(survives(m)).some(Boolean)).map((m) => m.metadata.name)).toEqual([]);
  });

  test('the shared layer\'s buckets, databases and secrets are kept the same way', () => {
    const stateful = gcp(shared).filter((o) => GCP_STATEFUL_KINDS.includes(o.kind));
    expect(stateful.length).toBeGreaterThan(10);
    expect(stateful.filter((o) => Object.values(survives(o)).some((kept) => !kept)).map((o) => o.metadata.name)).toEqual([]);
  });
});
