import { Construct } from 'constructs';
import { WorkspaceConfig } from '../config/types';
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

/** A team's panels, over its namespace's series. */
export function teamPanels(workspace: string): DashboardPanel[] {
  const ns = `namespace="${workspaceNamespace(workspace)}"`;
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
 * The serving dashboard: a row per team, each with the same panels over its own
 * namespace. Grafana JSON (schema 39) in a ConfigMap labelled `grafana_dashboard: "1"`,
 * which Grafana's dashboard sidecar loads; its data source is GKE Managed Prometheus
 * through Grafana's Prometheus data source (variable `datasource`). Chosen over a Cloud
 * Monitoring dashboard object: Config Connector's MonitoringDashboard is not among the
 * CRDs the platform validates against, and Grafana reads the same PromQL.
 */
export function dashboardJson(workspaces: readonly string[]): Record<string, unknown> {
  let id = 0;
  let y = 0;
  const panels: Record<string, unknown>[] = [];
  for (const ws of [...workspaces].sort()) {
    panels.push({ id: ++id, type: 'row', title: `Team ${ws}`, collapsed: false, gridPos: { x: 0, y: y++, w: 24, h: 1 }, panels: [] });
    teamPanels(ws).forEach((p, i) => {
      panels.push({
        id: ++id,
        type: 'timeseries',
        title: p.title,
        datasource: { type: 'prometheus', uid: '${datasource}' },
        fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
        gridPos: { x: (i % 3) * 8, y: y + Math.floor(i / 3) * 8, w: 8, h: 8 },
        targets: p.queries.map((expr, j) => ({ refId: String.fromCharCode(65 + j), expr, legendFormat: '{{model_name}}{{pod}}' })),
      });
    });
    y += Math.ceil(teamPanels(ws).length / 3) * 8;
  }
  return {
    title: 'LLM platform: serving',
    uid: 'llm-platform-serving',
    schemaVersion: 39,
    editable: false,
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' }] },
    panels,
  };
}

/** Props of a {@link ServingDashboard}. */
export interface ServingDashboardProps {
  readonly workspaces: readonly WorkspaceConfig[];
}

/** ConfigMap `llm-serving-dashboard`: the serving dashboard, a row per team. */
export class ServingDashboard extends Construct {
  constructor(scope: Construct, id: string, props: ServingDashboardProps) {
    super(scope, id);
    kube(this, 'Resource', KUBE.ConfigMap, {
      metadata: { name: DASHBOARD_CONFIG_MAP, labels: { ...appLabels({ name: 'grafana', instance: 'shared', component: 'dashboard' }), grafana_dashboard: '1' } },
      data: { [DASHBOARD_KEY]: `${JSON.stringify(dashboardJson(props.workspaces.map((w) => w.name)), null, 2)}\n` },
    });
  }
}
