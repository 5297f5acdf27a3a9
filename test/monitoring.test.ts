import * as fs from 'fs';
import * as path from 'path';
import { ALERT_THRESHOLDS } from '../lib/monitoring/alerts';
import { DASHBOARD_CONFIG_MAP, DASHBOARD_KEY, teamPanels } from '../lib/monitoring/dashboard';
import { VLLM_METRICS } from '../lib/monitoring/metrics';
import { promqlProblems } from './promql';
import { checkObjects } from '../lib/policy/check';
import { synthWorkspace } from '../lib/synth';
import { all, find, fixture, ROOT } from './helpers';

/*
 * Serving is watched (issue #14, item 3): every inference server runs vLLM's own server,
 * whose /metrics GKE Managed Prometheus scrapes (PodMonitoring); alerts (Rules) and the
 * dashboard read vLLM's real metric names. Every PromQL expression is parsed by
 * Prometheus's own grammar (@prometheus-io/lezer-promql).
 */

const { objects, inputs } = fixture();

const rules = all(objects, 'Rules');
const expressions = rules.flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules.map((rule: any) => ({ where: `${r.metadata.namespace}/${rule.alert}`, expr: rule.expr as string }))));

describe('every expression', () => {
  test('of the alerts and the dashboard parses as PromQL and names only metrics the platform\'s releases export', () => {
    const dashboard = JSON.parse(find(objects, 'ConfigMap', DASHBOARD_CONFIG_MAP).data[DASHBOARD_KEY]);
    const panelExprs = dashboard.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => ({ where: `dashboard ${p.title}`, expr: t.expr as string })));
    expect(expressions.length).toBeGreaterThan(5);
    expect(panelExprs.length).toBeGreaterThan(5);
    expect([...expressions, ...panelExprs].flatMap(({ where, expr }) => promqlProblems(expr).map((p) => `${where}: ${p}`))).toEqual([]);
  });

  test('the check itself refuses a broken expression and a misspelt metric', () => {
    expect(promqlProblems('sum by (model_name (vllm:num_requests_waiting)')).not.toEqual([]);
    expect(promqlProblems('sum(vllm:num_request_waiting) > 1')).toEqual(['unknown metric vllm:num_request_waiting']);
    expect(promqlProblems('sum(vllm:num_requests_waiting) > 1')).toEqual([]);
  });

  test('the vLLM names are those of vLLM 0.8, the API image\'s (LLaMA-Factory 0.9.3 pins vllm<=0.8.6)', () => {
    expect(VLLM_METRICS).toEqual({
      requestsWaiting: 'vllm:num_requests_waiting',
      requestsRunning: 'vllm:num_requests_running',
      kvCacheUsage: 'vllm:gpu_cache_usage_perc',
      timeToFirstToken: 'vllm:time_to_first_token_seconds',
      timePerOutputToken: 'vllm:time_per_output_token_seconds',
      e2eLatency: 'vllm:e2e_request_latency_seconds',
      promptTokens: 'vllm:prompt_tokens_total',
      generationTokens: 'vllm:generation_tokens_total',
    });
  });
});

describe('every inference server', () => {
  const servers = all(objects, 'Deployment').filter((d) => d.spec.template.metadata.labels.app === 'llama-infer');

  test('runs vLLM\'s own server, under its gateway model id, on all its GPUs, with /metrics and /health', () => {
    expect(servers.length).toBeGreaterThan(1);
    for (const d of servers) {
      const c = d.spec.template.spec.containers[0];
      const model = d.spec.template.metadata.labels['llm-platform/model'];
      const gpus = c.resources.limits['nvidia.com/gpu'];
      expect(c.command).toEqual(['vllm', 'serve', `/models/${model}`]);
      expect(c.args).toEqual([`--served-model-name=${model}`, '--host=0.0.0.0', '--port=8000', `--tensor-parallel-size=${gpus}`, '--max-model-len=4096']);
      expect(c.readinessProbe.httpGet.path).toBe('/health');
    }
  });

  test('is scraped by a PodMonitoring of its own: its pods, its named port, /metrics', () => {
    for (const d of servers) {
      const monitors = all(objects, 'PodMonitoring').filter((m) => m.metadata.namespace === d.metadata.namespace
        && Object.entries(m.spec.selector.matchLabels).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
      // A workspace of several models: each monitor selects its own model's pods only.
      expect(monitors.map((m) => m.metadata.name)).toEqual([d.metadata.name]);
      expect(monitors[0].spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
      expect(d.spec.template.spec.containers[0].ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
    }
  });

  test('has its alerts, over its own job and model: not ready, requests waiting, slow first token, idle GPUs', () => {
    for (const d of servers) {
      const model = d.spec.template.metadata.labels['llm-platform/model'];
      const group = find(objects, 'Rules', 'llm-workspace-alerts', d.metadata.namespace).spec.groups.find((g: any) => g.name === `model-${model}`);
      expect(group.rules.map((r: any) => [r.alert, r.for, r.labels.severity])).toEqual([
        ['ModelNotReady', '10m', 'page'], ['ModelRequestsWaiting', '5m', 'page'], ['ModelSlowFirstToken', '10m', 'ticket'], ['ModelIdle', '1h', 'ticket'],
      ]);
      expect(group.rules[0].expr).toContain(`job="${d.metadata.name}"`);
      for (const r of group.rules.slice(1)) expect(r.expr).toContain(`model_name="${model}"`);
      expect(group.rules[1].expr).toContain(`> ${ALERT_THRESHOLDS.waitingRequests}`);
    }
  });
});

test('a suspended workspace has no alerts (nothing serves), and still passes every check', () => {
  const ws = inputs.workspaces.find((w) => w.inference.models.length > 0)!;
  const suspended = synthWorkspace(inputs.platform, { ...ws, state: 'suspended' }, inputs.trainingConfigs[ws.name]);
  expect(all(suspended, 'Rules')).toEqual([]);
  expect(all(suspended, 'PodMonitoring').length).toBe(ws.inference.models.length);
  expect(checkObjects(suspended)).toEqual([]);
});

test('every alert has a runbook line in docs/serving.md, under its own heading', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'serving.md'), 'utf8');
  const headings = new Set([...doc.matchAll(/^#+ (.+)$/gm)].map((m) => m[1].toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
  const runbooks = [...new Set(rules.flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules.map((rule: any) => rule.annotations.runbook as string))))];
  expect(runbooks.map((rb) => rb.split('#')[1]).sort()).toEqual(['backupfailed', 'backupmissing', 'modelidle', 'modelnotready', 'modelrequestswaiting', 'modelslowfirsttoken', 'trainingrunfailed']);
  expect(runbooks.filter((rb) => !rb.startsWith('docs/serving.md#') || !headings.has(rb.split('#')[1]))).toEqual([]);
});

test('the dashboard has a section per team: one row, repeated for each team namespace serving models, of the same size however many teams', () => {
  const dashboard = JSON.parse(find(objects, 'ConfigMap', DASHBOARD_CONFIG_MAP).data[DASHBOARD_KEY]);
  const rows = dashboard.panels.filter((p: any) => p.type === 'row');
  expect(rows).toEqual([expect.objectContaining({ title: 'Team $namespace', repeat: 'namespace' })]);
  const team = dashboard.templating.list.find((v: any) => v.name === 'namespace');
  expect(team).toMatchObject({ multi: true, includeAll: true, regex: '/^llm-workspace-.+/' });
  expect(promqlProblems(team.query.query.replace(/^label_values\((.*), namespace\)$/, '$1'))).toEqual([]);
  const panels = dashboard.panels.filter((p: any) => p.type === 'timeseries');
  expect(panels.map((p: any) => p.title)).toEqual(teamPanels().map((p) => p.title));
  expect(panels.every((p: any) => p.targets.every((t: any) => t.expr.includes('namespace="$namespace"')))).toBe(true);
  expect(find(objects, 'ConfigMap', DASHBOARD_CONFIG_MAP).metadata.labels.grafana_dashboard).toBe('1');
});

describe('training runs and backups', () => {
  const alerts = find(objects, 'Rules', 'llm-platform-alerts', 'llm-shared').spec.groups.flatMap((g: any) => g.rules);
  const expr = (name: string) => alerts.find((a: any) => a.alert === name).expr as string;

  test('a failed run of any workspace, a failed backup, and no backup for 26 hours alert, from the platform\'s own kube-state-metrics', () => {
    expect(alerts.map((a: any) => `${a.alert} ${a.labels.severity}`)).toEqual(['TrainingRunFailed ticket', 'BackupFailed page', 'BackupMissing page']);
    expect(expr('TrainingRunFailed')).toContain('kube_job_failed{condition="true",exported_namespace=~"llm-workspace-.+",job_name=~"llama-fine-tune-.+"}');
    expect(expr('BackupFailed')).toContain('job_name=~"mlflow-backups-.+"');
    expect(expr('BackupMissing')).toMatch(/^time\(\) - max\(kube_cronjob_status_last_successful_time\{exported_namespace="llm-shared",cronjob="mlflow-backups"\}\) > 26 \* 3600 or /);
  });

  test('the run alert matches every run\'s Job, declared or started by the DAG, and the backup alert the CronJob\'s Jobs', () => {
    const runJobs = all(objects, 'Job').filter((j) => j.metadata.namespace.startsWith('llm-workspace-')).map((j) => j.metadata.name);
    expect(runJobs.length).toBeGreaterThan(0);
    const pattern = new RegExp(`^${/job_name=~"([^"]+)"/.exec(expr('TrainingRunFailed'))![1]}$`);
    expect(runJobs.filter((n) => !pattern.test(n))).toEqual([]);
    const template = JSON.parse(find(objects, 'ConfigMap', 'training-run-template', 'llm-workspace-team-alpha').data['job.json']);
    expect(pattern.test(template.metadata.name.replace(/\$\{[^}]*\}|\{\{[^}]*\}\}/g, 'x'))).toBe(true);
    const cron = find(objects, 'CronJob', 'mlflow-backups', 'llm-shared');
    expect(new RegExp(`^${/job_name=~"(mlflow-backups[^"]+)"/.exec(expr('BackupFailed'))![1]}$`).test(`${cron.metadata.name}-29000000`)).toBe(true);
  });

  test('kube-state-metrics watches exactly llm-shared and every workspace, each of which lets it list and watch Jobs and CronJobs, and nothing else', () => {
    const deployment = find(objects, 'Deployment', 'llm-job-metrics', 'llm-shared');
    const args: string[] = deployment.spec.template.spec.containers[0].args;
    const namespaces = args.find((a) => a.startsWith('--namespaces='))!.split('=')[1].split(',');
    expect(namespaces.sort()).toEqual(['llm-shared', ...inputs.workspaces.map((w) => `llm-workspace-${w.name}`)].sort());
    expect(args).toContain('--resources=jobs,cronjobs');
    for (const ns of namespaces) {
      expect(find(objects, 'Role', 'llm-job-metrics', ns).rules).toEqual([{ apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list', 'watch'] }]);
      expect(find(objects, 'RoleBinding', 'llm-job-metrics', ns).subjects).toEqual([{ kind: 'ServiceAccount', name: 'llm-job-metrics', namespace: 'llm-shared' }]);
    }
    // It exports only what the alerts read.
    const allowlist = args.find((a) => a.startsWith('--metric-allowlist='))!.split('=')[1].split(',');
    const used = alerts.flatMap((a: any) => [...(a.expr as string).matchAll(/\b(kube_[a-z_]+)\{/g)].map((m) => m[1]));
    expect([...new Set(used)].sort()).toEqual([...allowlist].sort());
  });
});
