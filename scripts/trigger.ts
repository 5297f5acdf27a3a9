/**
 * `npm run trigger -- --workspace <name> --config <file> --base-model <name> --base-model-version <n> --registered-model <name>`:
 * the guide's Jenkins stages (5.2) as one command for CI: checks the run against the
 * committed inputs (the workspace exists, the config is one of its training configs and
 * passes `npm run validate`'s checks), then starts `llm_finetune_workflow` through
 * Airflow's REST API, as the Airflow user `ci-trigger`.
 *
 * The password comes from Secret Manager (`<prefix>airflow-ci-password`, read with
 * `gcloud` as the CI's identity, `llm-ci-trigger`), or from `AIRFLOW_PASSWORD` when the
 * CI already holds it; it is never printed. Airflow is `AIRFLOW_URL`, by default the
 * address the guide's Jenkinsfile calls (a runner in the cluster, in a namespace labelled
 * `llm-platform/airflow-trigger: "true"`). Exit 0 triggered, 1 refused (by these checks
 * or by Airflow), 2 used wrongly.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { loadInputs, parseTrainingConfig } from '../lib/config/load';
import { formatProblem, InputError, InputProblem } from '../lib/config/problems';
import { AIRFLOW_CI, AIRFLOW_PORT } from '../lib/shared/airflow';
import { DAG_ID } from '../lib/shared/airflow-dags';
import { serviceUrl, SHARED_NAMESPACE } from '../lib/names';

const USAGE = 'usage: npm run trigger -- --workspace <name> --config <training config file> --base-model <name> --base-model-version <n> --registered-model <name>';

/** The DAG's params, from the command line (the names Airflow validates them under). */
export interface TriggerParams {
  readonly workspace: string;
  readonly config_path: string;
  readonly base_model: string;
  readonly base_model_version: number;
  readonly registered_model: string;
}

class UsageError extends Error {}

const FLAGS: Record<string, keyof TriggerParams> = {
  '--workspace': 'workspace', '--config': 'config_path', '--base-model': 'base_model', '--base-model-version': 'base_model_version', '--registered-model': 'registered_model',
};

export function parseTriggerArgs(argv: readonly string[]): TriggerParams {
  const given: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = FLAGS[argv[i]];
    if (!key) throw new UsageError(`unknown argument '${argv[i]}'`);
    if (argv[i + 1] === undefined) throw new UsageError(`${argv[i]} needs a value`);
    given[key] = argv[i + 1];
  }
  const missing = Object.entries(FLAGS).filter(([, k]) => given[k] === undefined).map(([f]) => f);
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(', ')}`);
  const version = Number(given.base_model_version);
  if (!Number.isInteger(version) || version < 1) throw new UsageError(`--base-model-version is a registered version, 1 or more; got '${given.base_model_version}'`);
  return { workspace: given.workspace, config_path: given.config_path, base_model: given.base_model, base_model_version: version, registered_model: given.registered_model };
}

/** What is wrong with the run, judged against the committed inputs (none: it may be triggered). */
export function checkRun(cwd: string, params: TriggerParams): { problems: string[]; secret?: { project: string; id: string } } {
  let inputs;
  try {
    inputs = loadInputs({ platformFile: 'platform.yaml', workspacesDir: 'workspaces', cwd });
  } catch (e) {
    if (e instanceof InputError) return { problems: [`the committed inputs do not pass synth's checks (${e.problems.length} problem(s)): run npm run synth`] };
    throw e;
  }
  const secret = { project: inputs.platform.project, id: `${inputs.platform.secretStore.keyPrefix}${AIRFLOW_CI.secretKey}` };
  const configs = inputs.trainingConfigs[params.workspace];
  if (!configs) return { problems: [`no workspace '${params.workspace}' (workspaces/${params.workspace}.yaml); workspaces: ${inputs.workspaces.map((w) => w.name).join(', ')}`], secret };
  const file = params.config_path.split('/').pop()!;
  const text = configs[file];
  if (text === undefined || !/\.ya?ml$/.test(file)) {
    const known = Object.keys(configs).filter((f) => /\.ya?ml$/.test(f));
    return { problems: [`no training config '${file}' in workspaces/${params.workspace}/training/; it has: ${known.join(', ') || 'none'}`], secret };
  }
  const problems: InputProblem[] = [];
  parseTrainingConfig({ name: file, text, shown: path.join('workspaces', params.workspace, 'training', file) }, problems);
  return { problems: problems.map(formatProblem), secret };
}

/** The CI user's password: `AIRFLOW_PASSWORD`, or Secret Manager's, through gcloud. */
function password(secret: { project: string; id: string }): string {
  if (process.env.AIRFLOW_PASSWORD) return process.env.AIRFLOW_PASSWORD;
  const r = spawnSync('gcloud', ['secrets', 'versions', 'access', 'latest', `--secret=${secret.id}`, `--project=${secret.project}`], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`cannot read secret ${secret.id} of project ${secret.project} with gcloud (${r.error?.message ?? r.stderr.trim()}): the CI acts as llm-ci-trigger, which may read it`);
  }
  return r.stdout.replace(/\n$/, '');
}

async function main(): Promise<number> {
  let params: TriggerParams;
  try {
    params = parseTriggerArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`trigger: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  const { problems, secret } = checkRun(process.cwd(), params);
  if (problems.length > 0 || !secret) {
    process.stderr.write(`${problems.join('\n')}\ntrigger: not triggered\n`);
    return 1;
  }
  const url = `${(process.env.AIRFLOW_URL ?? serviceUrl('airflow', SHARED_NAMESPACE, AIRFLOW_PORT)).replace(/\/$/, '')}/api/v1/dags/${DAG_ID}/dagRuns`;
  const auth = Buffer.from(`${AIRFLOW_CI.username}:${password(secret)}`).toString('base64');
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Authorization': `Basic ${auth}` },
    body: JSON.stringify({ conf: params }),
  });
  const body = await response.text();
  if (!response.ok) {
    process.stderr.write(`trigger: Airflow answered ${response.status} ${response.statusText}: ${body}\n`);
    return 1;
  }
  const run = JSON.parse(body) as { dag_run_id?: string };
  process.stdout.write(`trigger: ${DAG_ID} run ${run.dag_run_id} started in ${params.workspace}: ${params.config_path} from ${params.base_model} version ${params.base_model_version}, registered as ${params.registered_model}\n`);
  return 0;
}

if (require.main === module) {
  main().then((code) => { process.exitCode = code; }, (e: Error) => {
    process.stderr.write(`trigger: ${e.message}\n`);
    process.exitCode = 1;
  });
}
