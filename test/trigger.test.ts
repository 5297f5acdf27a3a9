import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { parseTriggerArgs } from '../scripts/trigger';
import { FIXTURES, MAIN, ROOT } from './helpers';

/*
 * The CI trigger step (`npm run trigger`, the guide's Jenkins stages): the run is checked
 * against the committed inputs, then the DAG is started through Airflow's REST API as
 * the CI user, with the password Secret Manager holds (read with gcloud). Run as CI runs
 * it, against a fake Airflow and a fake gcloud.
 */

const TRIGGER = path.join(path.dirname(MAIN), 'scripts', 'trigger.js');
const ARGS = ['--workspace', 'team-alpha', '--config', 'train_config_v1.yaml', '--base-model', 'llama-3-8b-base', '--base-model-version', '3', '--registered-model', 'ft-llama-3-8b-corp'];

interface Received { method?: string; url?: string; authorization?: string; body: any }

let server: http.Server;
let received: Received[];
let answer: { status: number; body: object };
let bin: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body: JSON.parse(body || 'null') });
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // A gcloud that prints the secret's value, and notes how it was called.
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'gcloud-'));
  fs.writeFileSync(path.join(bin, 'gcloud'), `#!/bin/sh\necho "$@" > "${bin}/called"\nprintf 's3cret-pass\\n'\n`, { mode: 0o755 });
});
afterAll(() => {
  server.close();
  fs.rmSync(bin, { recursive: true, force: true });
});
beforeEach(() => {
  received = [];
  answer = { status: 200, body: { dag_run_id: 'manual__2026-11-30T12:00:00+00:00', state: 'queued' } };
});

function trigger(args: readonly string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TRIGGER, ...args], {
      cwd: FIXTURES,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, AIRFLOW_URL: url, AIRFLOW_PASSWORD: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('starts llm_finetune_workflow as ci-trigger, with the password Secret Manager holds, and the run as the DAG\'s params', async () => {
  const r = await trigger(ARGS);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(received).toEqual([{
    method: 'POST',
    url: '/api/v1/dags/llm_finetune_workflow/dagRuns',
    authorization: `Basic ${Buffer.from('ci-trigger:s3cret-pass').toString('base64')}`,
    body: { conf: { workspace: 'team-alpha', config_path: 'train_config_v1.yaml', base_model: 'llama-3-8b-base', base_model_version: 3, registered_model: 'ft-llama-3-8b-corp' } },
  }]);
  expect(fs.readFileSync(path.join(bin, 'called'), 'utf8').trim()).toBe('secrets versions access latest --secret=llm-platform-airflow-ci-password --project=your-gcp-project');
  expect(r.stdout).toBe('trigger: llm_finetune_workflow run manual__2026-11-30T12:00:00+00:00 started in team-alpha: train_config_v1.yaml from llama-3-8b-base version 3, registered as ft-llama-3-8b-corp\n');
  expect(r.stdout + r.stderr).not.toContain('s3cret');
});

test('refuses, before calling Airflow, a workspace or a config the repository does not have', async () => {
  const ws = await trigger(ARGS.map((a) => (a === 'team-alpha' ? 'team-nope' : a)));
  expect([ws.status, ws.stderr]).toEqual([1, "no workspace 'team-nope' (workspaces/team-nope.yaml); workspaces: team-alpha, team-beta\ntrigger: not triggered\n"]);
  const config = await trigger(ARGS.map((a) => (a === 'train_config_v1.yaml' ? 'other.yaml' : a)));
  expect([config.status, config.stderr]).toEqual([1, "no training config 'other.yaml' in workspaces/team-alpha/training/; it has: train_config_v1.yaml\ntrigger: not triggered\n"]);
  expect(received).toEqual([]);
});

test('says what Airflow answered when it refuses, and fails', async () => {
  answer = { status: 403, body: { title: 'Forbidden' } };
  const r = await trigger(ARGS, { AIRFLOW_PASSWORD: 'given-by-ci' });
  expect(r.status).toBe(1);
  expect(r.stderr).toBe('trigger: Airflow answered 403 Forbidden: {"title":"Forbidden"}\n');
  expect(received[0].authorization).toBe(`Basic ${Buffer.from('ci-trigger:given-by-ci').toString('base64')}`);
});

test('is used wrongly: says how to use it, and calls nothing', async () => {
  const r = await trigger(['--workspace', 'team-alpha', '--base-model-version', 'latest']);
  expect(r.status).toBe(2);
  expect(r.stderr.split('\n')[0]).toBe('trigger: missing --config, --base-model, --registered-model');
  expect(() => parseTriggerArgs([...ARGS.slice(0, 6), '--base-model-version', 'latest', ...ARGS.slice(8)])).toThrow("--base-model-version is a registered version, 1 or more; got 'latest'");
  expect(() => parseTriggerArgs(['--force', 'x'])).toThrow("unknown argument '--force'");
  expect(received).toEqual([]);
});

describe('the pipeline file (.github/workflows/train.yaml)', () => {
  const workflow = parse(fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'train.yaml'), 'utf8'));
  const steps: { run?: string; env?: Record<string, string> }[] = workflow.jobs.trigger.steps;

  test('is started by hand with the DAG\'s params, and runs npm run trigger with each', () => {
    expect(Object.keys(workflow.on.workflow_dispatch.inputs)).toEqual(['workspace', 'config', 'base_model', 'base_model_version', 'registered_model']);
    const step = steps.find((s) => s.run?.includes('npm run --silent trigger'))!;
    const flags = [...step.run!.matchAll(/(--[a-z-]+) "\$([A-Z_]+)"/g)].map((m) => [m[1], step.env![m[2]]]);
    expect(flags).toEqual([
      ['--workspace', '${{ inputs.workspace }}'], ['--config', '${{ inputs.config }}'], ['--base-model', '${{ inputs.base_model }}'],
      ['--base-model-version', '${{ inputs.base_model_version }}'], ['--registered-model', '${{ inputs.registered_model }}'],
    ]);
  });

  test('runs only from the default branch, in a protected environment: a branch could print the password', () => {
    expect(workflow.jobs.trigger.if).toBe("github.ref == 'refs/heads/main'");
    expect(workflow.jobs.trigger.environment).toBe('training');
  });

  test('never puts an input into shell text (a value like `$(id)` stays a value)', () => {
    expect(steps.filter((s) => s.run?.includes('${{'))).toEqual([]);
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });
});
