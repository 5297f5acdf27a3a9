import { Construct } from 'constructs';
import { appLabels } from '../labels';
import { KUBE, kube } from '../kube-object';
import { workspaceNamespace } from '../names';
import { DCGM_METRICS, VLLM_METRICS } from './metrics';

/** ConfigMap of the serving dashboard, in llm-shared. */
export const DASHBOARD_CONFIG_MAP = 'llm-serving-dashboard';

/** Its key: the Grafana dashboard, as JSON. */
export const DASHBOARD_KEY = 'llm-serving.json';

/** A panel: a title and its PromQL queries (each a time series graph). */
export interface DashboardPanel {
  readonly title: string;
  readonly unit: string;
  readonly queries: readonly string[];
}

/** The dashboard's variable that holds a team's namespace (its row repeats for each). */
export const TEAM_VARIABLE = 'namespace';

/** A team's panels, over its namespace's series (`namespace`: a label value, or the variable). */
export function teamPanels(namespace = `$${TEAM_VARIABLE}`): DashboardPanel[] {
  const ns = `namespace="${namespace}"`;
  const by = 'sum by (model_name)';
  return [
    { title: 'Requests waiting', unit: 'short', queries: [`${by} (${VLLM_METRICS.requestsWaiting}{${ns}})`] },
    { title: 'Requests running', unit: 'short', queries: [`${by} (${VLLM_METRICS.requestsRunning}{${ns}})`] },
    { title: 'Time to first token, p95', unit: 's', queries: [`histogram_quantile(0.95, sum by (model_name, le) (rate(${VLLM_METRICS.timeToFirstToken}_bucket{${ns}}[5m])))`] },
    { title: 'Generated tokens per second', unit: 'short', queries: [`${by} (rate(${VLLM_METRICS.generationTokens}{${ns}}[5m]))`] },
    { title: 'KV cache in use', unit: 'percentunit', queries: [`max by (model_name) (${VLLM_METRICS.kvCacheUsage}{${ns}})`] },
    { title: 'GPU utilization (DCGM)', unit: 'percent', queries: [`avg by (pod) (${DCGM_METRICS.gpuUtilization}{${ns}})`] },
  ];
}

/**
 * The serving dashboard: a section per team, as a row that Grafana repeats for each team
 * namespace serving models (variable `namespace`, from the series themselves: a team
 * added shows up without a new dashboard, and its size does not grow with the teams; a
 * row per team written out was 5 MB at 1000 teams, past a ConfigMap's 1 MiB). Grafana
 * JSON (schema 39) in a ConfigMap labelled `grafana_dashboard: "1"`, which Grafana's
 * dashboard sidecar loads; its data source is GKE Managed Prometheus through Grafana's
 * Prometheus data source (variable `datasource`). Chosen over a Cloud Monitoring
 * dashboard object: Config Connector's MonitoringDashboard is not among the CRDs the
 * platform validates against, and Grafana reads the same PromQL.
 */
export function dashboardJson(): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [
    { id: 1, type: 'row', title: `Team $${TEAM_VARIABLE}`, repeat: TEAM_VARIABLE, collapsed: false, gridPos: { x: 0, y: 0, w: 24, h: 1 }, panels: [] },
  ];
  teamPanels().forEach((p, i) => {
    panels.push({
      id: i + 2,
      type: 'timeseries',
      title: p.title,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      gridPos: { x: (i % 3) * 8, y: 1 + Math.floor(i / 3) * 8, w: 8, h: 8 },
      targets: p.queries.map((expr, j) => ({ refId: String.fromCharCode(65 + j), expr, legendFormat: '{{model_name}}{{pod}}' })),
    });
  });
  return {
    title: 'LLM platform: serving',
    uid: 'llm-platform-serving',
    schemaVersion: 39,
    editable: false,
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' },
        {
          name: TEAM_VARIABLE, type: 'query', label: 'Team', datasource: { type: 'prometheus', uid: '${datasource}' },
          query: { query: `label_values(${VLLM_METRICS.requestsRunning}, namespace)`, refId: 'teams' },
          regex: `/^${workspaceNamespace('')}.+/`, multi: true, includeAll: true, refresh: 2, sort: 1,
        },
      ],
    },
    panels,
  };
}

/** ConfigMap `llm-serving-dashboard`: the serving dashboard, a section per team. */
export class ServingDashboard extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    kube(this, 'Resource', KUBE.ConfigMap, {
      metadata: { name: DASHBOARD_CONFIG_MAP, labels: { ...appLabels({ name: 'grafana', instance: 'shared', component: 'dashboard' }), grafana_dashboard: '1' } },
      data: { [DASHBOARD_KEY]: `${JSON.stringify(dashboardJson(), null, 2)}\n` },
    });
  }
}
