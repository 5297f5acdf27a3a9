import { REGISTER_SCRIPT } from '../lib/training/training-run';
import { CelInput, run as cel } from '@bufbuild/cel';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AIRFLOW_GUARD } from '../lib/shared/airflow-guard';
import { DAG_FILE, DAG_SETTINGS_FILE } from '../lib/shared/airflow-dags';
import { find, fixture, ROOT } from './helpers';

/*
 * Airflow without a confused deputy: the DAG as a program (loaded by Python with small
 * stand-ins for Airflow, test/airflow/dag_harness.py), the params Airflow validates, and
 * the admission policy that limits what Airflow may start in a workspace, evaluated with
 * a real CEL interpreter.
 */

const { objects, inputs } = fixture();
const dags = find(objects, 'ConfigMap', 'airflow-dags').data;
const settings = JSON.parse(dags[DAG_SETTINGS_FILE]);

/** What the DAG declares, as its Python reads it with the generated settings. */
function loadDag(): { dags: { id: string; params: Record<string, any> }[]; tasks: any[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-'));
  try {
    fs.writeFileSync(path.join(dir, DAG_FILE), dags[DAG_FILE]);
    fs.writeFileSync(path.join(dir, DAG_SETTINGS_FILE), dags[DAG_SETTINGS_FILE]);
    const r = spawnSync('python3', [path.join(ROOT, 'test', 'airflow', 'dag_harness.py'), path.join(dir, DAG_FILE)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the DAG does not load:\n${r.stderr}`);
    return JSON.parse(r.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const loaded = loadDag();
const [dag] = loaded.dags;
const [download, train] = loaded.tasks;

describe('the DAG', () => {
  test('ships as it is in assets/, with settings made from the platform and the workspaces', () => {
    expect(dags[DAG_FILE]).toBe(fs.readFileSync(path.join(ROOT, 'assets', DAG_FILE), 'utf8'));
    expect(settings.workspaces).toEqual(inputs.workspaces.map((w) => w.name));
    expect(settings.image).toBe('eu.gcr.io/your-gcp-project/llama-factory-train:v1.0.0');
    expect(settings.trustedBaseModels).toEqual(['llama-3-8b-base']);
    expect(settings.mlflowCommonRead).toBe('http://mlflow-common-read.llm-shared.svc.cluster.local:8080');
  });

  test('is the guide\'s llm_finetune_workflow, with two tasks in order, not paused when Airflow first reads it', () => {
    expect(loaded.dags.map((d) => d.id)).toEqual(['llm_finetune_workflow']);
    expect((dag as { pausedUponCreation?: boolean }).pausedUponCreation).toBe(false);
    expect(loaded.tasks.map((t) => t.task_id)).toEqual(['download_base_model', 'run_fine_tuning']);
  });

  test('accepts only workspaces that exist, a config file name and a pinned base model: Airflow validates them at trigger', () => {
    expect(dag.params.workspace).toMatchObject({ type: 'string', enum: inputs.workspaces.map((w) => w.name) });
    expect(dag.params.base_model_version).toMatchObject({ type: 'integer', minimum: 1 });
    const config = new RegExp(dag.params.config_path.pattern);
    expect(['train_config_v1.yaml', 'team-alpha/configs/train_config_v1.yaml'].filter((p) => !config.test(p))).toEqual([]);
    const hostile = ['x"; rm -rf /; ".yaml', '$(id).yaml', '../../etc/passwd.yaml', 'a/b/configs/x.yaml', 'x.yaml\nrm -rf /', '/abs.yaml', 'x.sh'];
    expect(hostile.filter((p) => config.test(p))).toEqual([]);
    const name = new RegExp(dag.params.base_model.pattern);
    expect(['llama-3-8b-base', 'a;b', '$(x)', '../x', 'x y'].filter((p) => name.test(p))).toEqual(['llama-3-8b-base']);
    expect(new RegExp(dag.params.registered_model.pattern).test('ft-model')).toBe(true);
  });

  test('hands every param to its pods as an environment variable; no script has a template inside', () => {
    for (const task of loaded.tasks) {
      const script = task.cmds.join('\n');
      expect({ task: task.task_id, templated: /\{\{|\{%/.test(script) }).toEqual({ task: task.task_id, templated: false });
      expect(task.arguments).toBeUndefined();
    }
    expect(train.env_vars).toMatchObject({
      CONFIG_FILE: "/configs/{{ params.config_path.split('/') | last }}",
      BASE_MODEL: '{{ params.base_model }}',
      REGISTERED_MODEL: '{{ params.registered_model }}',
      OUTPUT_DIR: '/output/dag-{{ ts_nodash }}',
    });
    expect(train.cmds[2]).toContain('llamafactory-cli train "$CONFIG_FILE" output_dir="$OUTPUT_DIR" model_name_or_path="$BASE_MODEL_PATH" "${remote_code[@]}"');
  });

  test('its training pod queues with the declared runs: the workspace\'s LocalQueue, at training priority', () => {
    expect(train.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'training', 'kueue.x-k8s.io/priority-class': 'llm-training-normal' });
    expect(train.priority_class_name).toBe('llm-training');
    // The download needs no GPU: it is not queued.
    expect(download.labels['kueue.x-k8s.io/queue-name']).toBeUndefined();
  });

  test('registers what it trains as a declared run does: a LoRA adapter merged into its base model, under the name it is given', () => {
    expect(train.env_vars.REGISTER).toBe(REGISTER_SCRIPT);
    expect(REGISTER_SCRIPT).toContain('"llamafactory-cli", "export"');
    expect(REGISTER_SCRIPT).toContain('mlflow.register_model(f"runs:/{run.info.run_id}/model", os.environ["REGISTERED_MODEL"])');
    // What the script reads, the task gives.
    const read = [...REGISTER_SCRIPT.matchAll(/os\.environ\["([A-Z_]+)"\]/g)].map((m) => m[1]);
    expect(read.filter((v) => !(v in train.env_vars) && !['MLFLOW_TRACKING_URI'].includes(v))).toEqual([]);
    expect(train.env_vars).toMatchObject({ MLFLOW_EXPERIMENT_NAME: '{{ params.workspace }}', RUN_ID: 'dag-{{ ts_nodash }}' });
    expect(download.env_vars.MODEL_URI).toBe('models:/{{ params.base_model }}/{{ params.base_model_version }}');
    expect(download.env_vars.MLFLOW_TRACKING_URI).toBe(settings.mlflowCommonRead);
  });

  test('turns trust_remote_code off unless the base model is one the platform trusts', () => {
    const script = train.cmds[2];
    const decide = (base: string) => spawnSync('bash', ['-c', `${script.split('mkdir -p')[0]}\necho "\${remote_code[@]:-}"`], {
      encoding: 'utf8', env: { ...process.env, BASE_MODEL: base, TRUSTED_BASE_MODELS: train.env_vars.TRUSTED_BASE_MODELS },
    }).stdout.trim();
    expect(decide('llama-3-8b-base')).toBe('');
    expect(decide('my-model')).toBe('trust_remote_code=false');
    expect(decide('llama-3-8b-base-x')).toBe('trust_remote_code=false');
  });

  test('its pods run in the workspace as llm-workload-sa, restricted, with the MLflow client label (and the training pod its queue\'s) only', () => {
    for (const task of loaded.tasks) {
      expect(task.namespace).toBe('llm-workspace-{{ params.workspace }}');
      expect(task.service_account_name).toBe('llm-workload-sa');
      const queue = task === train ? { 'kueue.x-k8s.io/queue-name': 'training', 'kueue.x-k8s.io/priority-class': 'llm-training-normal' } : {};
      expect(task.labels).toEqual({ 'llm-platform/mlflow-client': 'true', ...queue });
      expect(task.security_context).toMatchObject({ run_as_non_root: true, seccomp_profile: { type: 'RuntimeDefault' } });
      expect(task.container_security_context).toMatchObject({ allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { drop: ['ALL'] } });
      expect(task.volumes.filter((v: any) => v.empty_dir && !v.empty_dir.size_limit)).toEqual([]);
    }
  });
});

describe('the admission policy on what Airflow starts in a workspace', () => {
  const policy = find(objects, 'ValidatingAdmissionPolicy', AIRFLOW_GUARD).spec;
  const toCel = (v: unknown): CelInput => (Array.isArray(v) ? v.map(toCel) : v && typeof v === 'object' ? new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)])) : v) as CelInput;
  const airflow = { username: 'system:serviceaccount:llm-shared:airflow-worker' };

  /** The pod the DAG's training task makes (KubernetesPodOperator adds its own labels), with `edit` applied. */
  function dagPod(edit: (p: any) => void = () => undefined): any {
    const p = {
      metadata: { labels: { ...train.labels, kubernetes_pod_operator: 'True', dag_id: 'llm_finetune_workflow', task_id: 'run_fine_tuning' } },
      spec: {
        serviceAccountName: train.service_account_name,
        containers: [{ name: 'base', image: train.image, env: Object.entries(train.env_vars).map(([name, value]) => ({ name, value })) }],
        volumes: [{ name: 'models', persistentVolumeClaim: { claimName: 'model-storage-pvc' } }, { name: 'configs', configMap: { name: 'training-configs' } }],
      },
    };
    edit(p);
    return p;
  }

  /** The messages of the checks a pod fails, when the policy applies to the request. */
  function denials(pod: any, user = airflow): string[] {
    const vars = { object: toCel(pod), request: toCel({ userInfo: user }) };
    if (!policy.matchConditions.every((c: any) => cel(c.expression, vars) === true)) return [];
    return policy.validations.filter((v: any) => cel(v.expression, vars) !== true).map((v: any) => v.message);
  }

  test('applies to pods that Airflow\'s worker account creates in workspace namespaces, and denies', () => {
    expect(policy.matchConstraints).toEqual({
      resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
      namespaceSelector: { matchLabels: { 'llm-platform/namespace-role': 'workspace' } },
    });
    expect(policy.failurePolicy).toBe('Fail');
    expect(find(objects, 'ValidatingAdmissionPolicyBinding', AIRFLOW_GUARD).spec).toEqual({ policyName: AIRFLOW_GUARD, validationActions: ['Deny'] });
  });

  test('admits the pods the DAG makes', () => {
    expect(denials(dagPod())).toEqual([]);
  });

  test.each([
    ['another service account', (p: any) => { p.spec.serviceAccountName = 'default'; }, 'only as the workspace\'s own llm-workload-sa'],
    ['no service account', (p: any) => { delete p.spec.serviceAccountName; }, 'only as the workspace\'s own llm-workload-sa'],
    ['another image', (p: any) => { p.spec.containers[0].image = 'docker.io/library/alpine:3'; }, 'only with the training image'],
    ['an init container of another image', (p: any) => { p.spec.initContainers = [{ name: 'x', image: 'evil:1' }]; }, 'only with the training image'],
    ['the inference label, which the gateway may reach', (p: any) => { p.metadata.labels.app = 'llama-infer'; }, 'may not carry an app label'],
    ['the MLflow label, which may reach Cloud SQL and GCP', (p: any) => { p.metadata.labels.app = 'mlflow'; }, 'may not carry an app label'],
    ['a Secret volume', (p: any) => { p.spec.volumes.push({ name: 's', secret: { secretName: 'mlflow-db-secret' } }); }, 'may not mount the workspace\'s Secrets'],
    ['a Secret in the environment', (p: any) => { p.spec.containers[0].env.push({ name: 'P', valueFrom: { secretKeyRef: { name: 'mlflow-db-secret', key: 'POSTGRES_PASSWORD' } } }); }, 'may not read the workspace\'s Secrets'],
    ['a Secret as envFrom', (p: any) => { p.spec.containers[0].envFrom = [{ secretRef: { name: 'mlflow-db-secret' } }]; }, 'may not read the workspace\'s Secrets'],
  ])('denies a pod with %s', (_what, edit, message) => {
    expect(denials(dagPod(edit))).toEqual([expect.stringContaining(message)]);
  });

  test('leaves other users\' pods to their own rights (the workspace\'s controllers, people)', () => {
    expect(denials(dagPod((p) => { p.spec.serviceAccountName = 'default'; }), { username: 'system:serviceaccount:kube-system:replicaset-controller' })).toEqual([]);
  });
});
