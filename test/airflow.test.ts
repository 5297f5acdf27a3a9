import { REGISTER_SCRIPT } from '../lib/training/training-run';
import { CelInput, run as cel } from '@bufbuild/cel';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AIRFLOW_GUARD } from '../lib/shared/airflow-guard';
import { DAG_FILE, DAG_ID, DAG_RUNS_FILE, DAG_SETTINGS_FILE } from '../lib/shared/airflow-dags';
import { airflowValues } from '../lib/operators';
import { parseTriggerArgs } from '../scripts/trigger';
import { Chart } from 'cdk8s';
import { checkObjects } from '../lib/policy/check';
import { dataBucketName } from '../lib/names';
import { synthChart } from '../lib/output/render';
import { dagTemplateRun, RUN_TEMPLATE_CONFIG_MAP, RUN_TEMPLATE_KEY } from '../lib/training/run-template';
import { TrainingRun } from '../lib/training/training-run';
import { find, fixture, fixtureSandbox, ROOT } from './helpers';

/*
 * Airflow without a confused deputy: the DAG as a program (loaded by Python with small
 * stand-ins for Airflow, test/airflow/dag_harness.py), the params Airflow validates, and
 * the admission policy that limits what Airflow may start in a workspace, evaluated with
 * a real CEL interpreter.
 */

const { objects, inputs } = fixture();
const dags = find(objects, 'ConfigMap', 'airflow-dags').data;
const settings = JSON.parse(dags[DAG_SETTINGS_FILE]);

/** What the DAG declares, as its Python reads it with the generated settings; with a request, what its task did against a fake Kubernetes API. */
function loadDag(request?: object): { dags: { id: string; params: Record<string, any> }[]; tasks: any[]; calls?: any[]; returned?: string; raised?: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-'));
  try {
    for (const file of [DAG_FILE, DAG_RUNS_FILE, DAG_SETTINGS_FILE]) fs.writeFileSync(path.join(dir, file), dags[file]);
    const args = [path.join(ROOT, 'test', 'airflow', 'dag_harness.py'), path.join(dir, DAG_FILE)];
    if (request) {
      fs.writeFileSync(path.join(dir, 'request.json'), JSON.stringify(request));
      args.push(path.join(dir, 'request.json'));
    }
    const r = spawnSync('python3', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the DAG does not load:\n${r.stderr}`);
    return JSON.parse(r.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const loaded = loadDag();
const [dag] = loaded.dags;
const template = JSON.parse(find(objects, 'ConfigMap', RUN_TEMPLATE_CONFIG_MAP, 'llm-workspace-team-alpha').data[RUN_TEMPLATE_KEY]);
const PARAMS = { workspace: 'team-alpha', config_path: 'team-alpha/configs/train_config_v1.yaml', base_model: 'llama-3-8b-base', base_model_version: 3, registered_model: 'ft-llama-3-8b-corp' };

/** The DAG's task run against a fake API that holds the template and ends the Job with `outcome`. */
function runTask(outcome = 'Complete', more: object = {}) {
  return loadDag({ template, params: PARAMS, run_id: 'manual__2026-11-30T10:00:00+00:00', outcome, ...more });
}

describe('the DAG', () => {
  test('ships as it is in assets/, beside its module, with settings made from the platform and the workspaces', () => {
    expect(dags[DAG_FILE]).toBe(fs.readFileSync(path.join(ROOT, 'assets', DAG_FILE), 'utf8'));
    expect(dags[DAG_RUNS_FILE]).toBe(fs.readFileSync(path.join(ROOT, 'assets', DAG_RUNS_FILE), 'utf8'));
    expect(settings.workspaces).toEqual(inputs.workspaces.map((w) => w.name));
    expect(settings.trustedBaseModels).toEqual(['llama-3-8b-base']);
    expect(settings.runTemplate).toEqual({ configMap: 'training-run-template', key: 'job.json' });
  });

  test('is the guide\'s llm_finetune_workflow, one task that runs a training run, not paused when Airflow first reads it', () => {
    expect(loaded.dags.map((d) => d.id)).toEqual(['llm_finetune_workflow']);
    expect((dag as { pausedUponCreation?: boolean }).pausedUponCreation).toBe(false);
    expect(loaded.tasks).toEqual([{ task_id: 'run_fine_tuning', callable: 'run_fine_tuning', timeoutHours: 72 }]);
  });

  test('accepts only workspaces that exist, a config file name, a pinned base model and a name to register: Airflow validates them at trigger', () => {
    expect(dag.params.workspace).toMatchObject({ type: 'string', enum: inputs.workspaces.map((w) => w.name) });
    expect(dag.params.base_model_version).toMatchObject({ type: 'integer', minimum: 1 });
    const config = new RegExp(dag.params.config_path.pattern);
    expect(['train_config_v1.yaml', 'team-alpha/configs/train_config_v1.yaml'].filter((p) => !config.test(p))).toEqual([]);
    const hostile = ['x"; rm -rf /; ".yaml', '$(id).yaml', '../../etc/passwd.yaml', 'a/b/configs/x.yaml', 'x.yaml\nrm -rf /', '/abs.yaml', 'x.sh'];
    expect(hostile.filter((p) => config.test(p))).toEqual([]);
    const name = new RegExp(dag.params.base_model.pattern);
    expect(['llama-3-8b-base', 'a;b', '$(x)', '../x', 'x y'].filter((p) => name.test(p))).toEqual(['llama-3-8b-base']);
    // No default name: what it registers is what a served model loads, named on purpose.
    expect(dag.params.registered_model.default).toBeNull();
    expect(new RegExp(dag.params.registered_model.pattern).test('ft-llama-3-8b-corp')).toBe(true);
  });

  test('no template is expanded in what it ships: the params reach the run as values, never as code', () => {
    for (const file of [DAG_FILE, DAG_RUNS_FILE]) expect({ file, templated: /\{\{|\{%/.test(dags[file]) }).toEqual({ file, templated: false });
  });
});

describe('a run the DAG starts is a declared run', () => {
  const done = runTask();
  const created = done.calls!.find((c) => c.call === 'create_job');

  test('its Job comes from the workspace\'s template, read from the workspace, and is created there', () => {
    expect(done.calls!.slice(0, 2)).toEqual([
      { call: 'load_incluster_config' },
      { call: 'read_config_map', name: 'training-run-template', namespace: 'llm-workspace-team-alpha' },
    ]);
    expect(created.namespace).toBe('llm-workspace-team-alpha');
    expect(done.returned).toBe(created.body.metadata.name);
    expect(created.body.metadata.name).toMatch(/^llama-fine-tune-dag-[0-9a-f]{10}$/);
  });

  test('the same Job the declared-runs construct makes for a run with those values, but for its name and a TTL', () => {
    // The declared run with what the DAG was given: its Job, named as the DAG names it.
    const box = fixtureSandbox();
    try {
      const loadedBox = box.load();
      const ws = loadedBox.workspaces.find((w) => w.name === 'team-alpha')!;
      const run = { ...dagTemplateRun(), config: 'train_config_v1.yaml', registeredModel: PARAMS.registered_model, baseModel: { name: PARAMS.base_model, version: PARAMS.base_model_version } };
      const [declared] = synthChart((app) => {
        const chart = new Chart(app, 't', { namespace: 'llm-workspace-team-alpha' });
        new TrainingRun(chart, 'Run', { workspace: ws.name, platform: loadedBox.platform, run, name: created.body.metadata.name, storage: ws.storage, dataBucket: dataBucketName(loadedBox.platform.project, ws.name) });
        return chart;
      });
      const { namespace, ...metadata } = declared.metadata; // eslint-disable-line @typescript-eslint/no-unused-vars
      const dagJob = JSON.parse(JSON.stringify(created.body));
      expect(dagJob.spec.ttlSecondsAfterFinished).toBe(7 * 24 * 3600);
      // It stops itself when the DAG stops waiting for it.
      expect(dagJob.spec.activeDeadlineSeconds).toBe(72 * 3600);
      delete dagJob.spec.ttlSecondsAfterFinished;
      delete dagJob.spec.activeDeadlineSeconds;
      // A declared run's MLflow run is named by its id; a DAG run's by its Job.
      const env = (j: any) => j.spec.template.spec.containers[0].env;
      expect(env(dagJob).find((e: any) => e.name === 'RUN_ID').value).toBe(created.body.metadata.name);
      env(dagJob).find((e: any) => e.name === 'RUN_ID').value = 'dag';
      expect(dagJob).toEqual({ ...declared, metadata });
    } finally {
      box.remove();
    }
  });

  test('it passes the platform\'s policy and schema checks as the declared runs do', () => {
    expect(checkObjects([{ ...created.body, metadata: { ...created.body.metadata, namespace: 'llm-workspace-team-alpha' } }])).toEqual([]);
  });

  test('its model is registered, merged, under the name it was given; trust_remote_code stays off for a base model the platform does not trust', () => {
    const env = (job: any) => Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env(created.body)).toMatchObject({ REGISTERED_MODEL: 'ft-llama-3-8b-corp', REGISTER_SCRIPT, BASE_MODEL_TRUSTED: 'true', CONFIG_FILE: '/configs/train_config_v1.yaml' });
    const untrusted = loadDag({ template, params: { ...PARAMS, base_model: 'my-model' }, run_id: 'r', outcome: 'Complete' });
    expect(env(untrusted.calls!.find((c) => c.call === 'create_job').body).BASE_MODEL_TRUSTED).toBe('false');
    const script = created.body.spec.template.spec.containers[0].args[0];
    const decide = (trusted: string) => spawnSync('bash', ['-c', `${script.split('llamafactory-cli train')[0].replace('mkdir -p "$OUTPUT_DIR"', '')}\necho "\${remote_code[@]:-}"`], {
      encoding: 'utf8', env: { ...process.env, BASE_MODEL_TRUSTED: trusted },
    }).stdout.trim();
    expect([decide('true'), decide('false'), decide('')]).toEqual(['', 'trust_remote_code=false', 'trust_remote_code=false']);
  });

  test('it waits for the Job, and fails with it, pointing at its logs', () => {
    expect(done.calls!.filter((c) => c.call === 'sleep')).toEqual([{ call: 'sleep', seconds: 30 }]);
    const failed = runTask('Failed');
    expect(failed.raised).toMatch(/^RuntimeError: Job llama-fine-tune-dag-[0-9a-f]{10} failed \(BackoffLimitExceeded\): kubectl -n llm-workspace-team-alpha logs job\/llama-fine-tune-dag-/);
  });

  test('it waits out the API server\'s hiccups, not its refusals', () => {
    const flaky = runTask('Complete', { flaky: 3 });
    expect([flaky.returned, flaky.raised]).toEqual([done.returned, undefined]);
    const refused = runTask('Complete', { flaky: 1, flakyStatus: 403 });
    expect(refused.raised).toMatch(/^ApiException/);
    const down = runTask('Complete', { flaky: 20 });
    expect(down.raised).toMatch(/^ApiException/);
  });

  test('a retry of the same DAG run finds its Job and waits for it; another DAG run is another Job', () => {
    const retried = runTask('Complete', { exists: true });
    expect(retried.returned).toBe(done.returned);
    expect(retried.raised).toBeUndefined();
    const other = loadDag({ template, params: PARAMS, run_id: 'manual__2026-11-30T11:00:00+00:00', outcome: 'Complete' });
    expect(other.returned).not.toBe(done.returned);
  });
});

describe('CI triggers the DAG through Airflow\'s API, with credentials from Secret Manager', () => {
  const values = airflowValues() as any;

  test('the API takes basic authentication (CI), and the session of Airflow\'s own UI', () => {
    expect(values.config.api).toEqual({ auth_backends: 'airflow.api.auth.backend.basic_auth,airflow.api.auth.backend.session' });
  });

  test('the trigger step sends exactly the DAG\'s params', () => {
    const sent = parseTriggerArgs(['--workspace', 'w', '--config', 'c.yaml', '--base-model', 'b', '--base-model-version', '1', '--registered-model', 'r']);
    expect(Object.keys(sent).sort()).toEqual(Object.keys(dag.params).sort());
    expect(dag.id).toBe(DAG_ID);
  });

  test('the CI user is made by the chart\'s user job with the password of Secret airflow-ci-user, never one in values', () => {
    expect(values.webserver.defaultUser).toEqual({ enabled: true, role: 'User', username: 'ci-trigger', email: 'ci-trigger@llm-platform.invalid', firstName: 'CI', lastName: 'trigger' });
    expect(JSON.stringify(values)).not.toMatch(/"password":/);
    expect(values.createUserJob.env).toEqual([{ name: 'CI_PASSWORD', valueFrom: { secretKeyRef: { name: 'airflow-ci-user', key: 'password' } } }]);
    expect(values.createUserJob.jobAnnotations).toMatchObject({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/sync-wave': '1' });
    const secret = find(objects, 'ExternalSecret', 'airflow-ci-user', 'llm-shared');
    expect(secret.spec.data).toMatchObject([{ secretKey: 'password', remoteRef: { key: 'llm-platform-airflow-ci-password' } }]);
  });

  test('the user job makes the user again with the password it is given (so the user follows the secret), quoting it', () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-'));
    try {
      fs.writeFileSync(path.join(bin, 'airflow'), `#!/bin/sh\nfor a in "$@"; do printf '%s|' "$a"; done >> "${bin}/calls"; echo >> "${bin}/calls"\n`, { mode: 0o755 });
      const [shell, flag, script] = values.createUserJob.args;
      const r = spawnSync(shell, [flag, script], { encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}`, CI_PASSWORD: 'p w$(id)"' } });
      expect(r.status).toBe(0);
      expect(fs.readFileSync(path.join(bin, 'calls'), 'utf8').trim().split('\n')).toEqual([
        'users|delete|--username|ci-trigger|',
        'users|create|--role|User|--username|ci-trigger|--email|ci-trigger@llm-platform.invalid|--firstname|CI|--lastname|trigger|--password|p w$(id)"|',
      ]);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  test('the password is generated into Secret Manager, where only the shared secret store and llm-ci-trigger may read it', () => {
    const secret: any = objects.find((o: any) => o.kind === 'SecretManagerSecret' && o.spec.resourceID === 'llm-platform-airflow-ci-password');
    expect(secret).toBeDefined();
    const readers = objects.filter((o: any) => o.kind === 'IAMPolicyMember' && o.spec.resourceRef?.name === secret.metadata.name) as any[];
    expect(readers.map((o) => [o.spec.role, o.spec.memberFrom?.serviceAccountRef?.name]).sort()).toEqual([
      ['roles/secretmanager.secretAccessor', 'shared-ci-identity'], ['roles/secretmanager.secretAccessor', 'shared-secrets-identity'],
    ]);
    const ci = find(objects, 'IAMServiceAccount', 'shared-ci-identity');
    expect(ci.spec.resourceID).toBe('llm-ci-trigger');
    // llm-ci-trigger may do nothing else.
    const grants = objects.filter((o: any) => o.kind === 'IAMPolicyMember' && o.spec.memberFrom?.serviceAccountRef?.name === 'shared-ci-identity');
    expect(grants).toHaveLength(1);
  });
});

describe('the admission policy on what Airflow starts in a workspace', () => {
  const policy = find(objects, 'ValidatingAdmissionPolicy', AIRFLOW_GUARD).spec;
  const toCel = (v: unknown): CelInput => (Array.isArray(v) ? v.map(toCel) : v && typeof v === 'object' ? new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)])) : v) as CelInput;
  const airflow = { username: 'system:serviceaccount:llm-shared:airflow-worker' };
  const made = runTask().calls!.find((c) => c.call === 'create_job').body;

  /** The Job the DAG creates, with `edit` applied. */
  function dagJob(edit: (j: any) => void = () => undefined): any {
    const j = JSON.parse(JSON.stringify(made));
    edit(j);
    return j;
  }
  const pod = (j: any) => j.spec.template.spec;

  /** The messages of the checks a Job fails, when the policy applies to the request. */
  function denials(job: any, user = airflow): string[] {
    const vars = { object: toCel(job), request: toCel({ userInfo: user }) };
    if (!policy.matchConditions.every((c: any) => cel(c.expression, vars) === true)) return [];
    return policy.validations.filter((v: any) => cel(v.expression, vars) !== true).map((v: any) => v.message);
  }

  test('applies to Jobs that Airflow\'s worker account creates in workspace namespaces, and denies; Airflow may create nothing else there', () => {
    expect(policy.matchConstraints).toEqual({
      resourceRules: [{ apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['jobs'] }],
      namespaceSelector: { matchLabels: { 'llm-platform/namespace-role': 'workspace' } },
    });
    expect(policy.failurePolicy).toBe('Fail');
    expect(find(objects, 'ValidatingAdmissionPolicyBinding', AIRFLOW_GUARD).spec).toEqual({ policyName: AIRFLOW_GUARD, validationActions: ['Deny'] });
    const role = find(objects, 'Role', 'airflow-run-launcher', 'llm-workspace-team-alpha');
    const creates = role.rules.filter((r: any) => r.verbs.some((v: string) => !['get', 'list', 'watch'].includes(v)));
    expect(creates).toEqual([{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get'] }]);
    expect(role.rules.find((r: any) => r.resources.includes('configmaps'))).toEqual({ apiGroups: [''], resources: ['configmaps'], resourceNames: ['training-run-template'], verbs: ['get'] });
  });

  test('admits the Jobs the DAG makes', () => {
    expect(denials(dagJob())).toEqual([]);
  });

  test.each([
    ['not suspended (it would skip the queue)', (j: any) => { j.spec.suspend = false; }, 'created suspended in the workspace\'s queue'],
    ['no queue', (j: any) => { delete j.metadata.labels['kueue.x-k8s.io/queue-name']; }, 'created suspended in the workspace\'s queue'],
    ['the inference priority, which preempts', (j: any) => { pod(j).priorityClassName = 'llm-inference'; }, 'training priority'],
    ['another service account', (j: any) => { pod(j).serviceAccountName = 'default'; }, 'only as the workspace\'s own llm-workload-sa'],
    ['no service account', (j: any) => { delete pod(j).serviceAccountName; }, 'only as the workspace\'s own llm-workload-sa'],
    ['another image', (j: any) => { pod(j).containers[0].image = 'docker.io/library/alpine:3'; }, 'only with the training image'],
    ['an init container of another image', (j: any) => { pod(j).initContainers = [{ name: 'x', image: 'evil:1' }]; }, 'only with the training image'],
    ['the inference label, which the gateway may reach', (j: any) => { j.spec.template.metadata.labels.app = 'llama-infer'; }, 'may not carry an app label'],
    ['the MLflow label, which may reach Cloud SQL and GCP', (j: any) => { j.spec.template.metadata.labels.app = 'mlflow'; }, 'may not carry an app label'],
    ['a Secret volume', (j: any) => { pod(j).volumes.push({ name: 's', secret: { secretName: 'mlflow-db-secret' } }); }, 'may not mount the workspace\'s Secrets'],
    ['a Secret in the environment', (j: any) => { pod(j).containers[0].env.push({ name: 'P', valueFrom: { secretKeyRef: { name: 'mlflow-db-secret', key: 'POSTGRES_PASSWORD' } } }); }, 'may not read the workspace\'s Secrets'],
    ['a Secret as envFrom', (j: any) => { pod(j).containers[0].envFrom = [{ secretRef: { name: 'mlflow-db-secret' } }]; }, 'may not read the workspace\'s Secrets'],
    ['a Secret inside a projected volume', (j: any) => { pod(j).volumes.push({ name: 'p', projected: { sources: [{ secret: { name: 'mlflow-db-secret' } }] } }); }, 'may not mount the workspace\'s Secrets'],
    ['a service account token inside a projected volume', (j: any) => { pod(j).volumes.push({ name: 'p', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }); }, 'or a service account token'],
    ['a CSI volume of another driver (a secret store\'s)', (j: any) => { pod(j).volumes.push({ name: 'c', csi: { driver: 'secrets-store.csi.k8s.io' } }); }, 'may not mount the workspace\'s Secrets'],
    ['the service account token mounted', (j: any) => { pod(j).automountServiceAccountToken = true; }, 'may not get a service account token'],
  ])('denies a Job %s', (_what, edit, message) => {
    expect(denials(dagJob(edit))).toEqual([expect.stringContaining(message)]);
  });

  test('leaves other users\' Jobs to their own rights (Argo CD, people)', () => {
    expect(denials(dagJob((j) => { pod(j).serviceAccountName = 'default'; }), { username: 'system:serviceaccount:argocd:argocd-application-controller' })).toEqual([]);
  });
});
