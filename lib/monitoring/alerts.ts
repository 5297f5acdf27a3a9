import { SCRAPE_METRICS, VLLM_METRICS } from './metrics';

/** An alerting rule of GKE Managed Prometheus (`Rules`), with its runbook in docs/serving.md. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'page' | 'ticket' };
  readonly annotations: { readonly summary: string; readonly runbook: string };
}

/** Name of a workspace's alerting rules (`Rules`). */
export const WORKSPACE_ALERTS = 'llm-workspace-alerts';

/** Where an alert's runbook line is. */
export function runbookOf(alert: string): string {
  return `docs/serving.md#${alert.toLowerCase()}`;
}

/** What an alert fires on: its thresholds, stated once (docs/serving.md repeats them). */
export const ALERT_THRESHOLDS = {
  /** Minutes a model may be without a ready replica. */
  notReadyMinutes: 10,
  /** Requests waiting, summed over a model's replicas, for 5 minutes. */
  waitingRequests: 10,
  /** Seconds to the first token, 95th percentile over 5 minutes, for 10 minutes. */
  timeToFirstTokenSeconds: 5,
  /** Hours a model may hold its GPUs without a request. */
  idleHours: 3,
} as const;

/** One alerting rule, its runbook heading named after it. */
export function alertRule(name: string, expr: string, forDuration: string, severity: 'page' | 'ticket', summary: string): AlertRule {
  return { alert: name, expr, for: forDuration, labels: { severity }, annotations: { summary, runbook: runbookOf(name) } };
}

/** True while no replica of a Deployment (its PodMonitoring's job) answers a scrape. */
function notReady(job: string): string {
  return `sum(${SCRAPE_METRICS.up}{job="${job}"}) == 0 or absent(${SCRAPE_METRICS.up}{job="${job}"})`;
}

/** A canary's own alert: whether it runs (its load and latency are in its model's alerts, under the same model id). */
export function canaryAlerts(job: string, model: string): AlertRule[] {
  const t = ALERT_THRESHOLDS;
  return [alertRule('ModelNotReady', notReady(job), `${t.notReadyMinutes}m`, 'page',
    `Model ${model}: no replica of its canary has answered for ${t.notReadyMinutes} minutes`)];
}

/**
 * The alerts of one served model, from the series its PodMonitoring (`job`, the
 * Deployment's name) scrapes and vLLM's own metrics (labelled with the served name).
 */
export function modelAlerts(job: string, model: string, options: { readonly scalesToZero?: boolean } = {}): AlertRule[] {
  const t = ALERT_THRESHOLDS;
  const m = `model_name="${model}"`;
  // A model that scales to zero has no replica when idle, by design, and gives its GPUs back by itself.
  const whenAlwaysUp = (name: string) => !options.scalesToZero || !['ModelNotReady', 'ModelIdle'].includes(name);
  return [
    alertRule('ModelNotReady', notReady(job), `${t.notReadyMinutes}m`, 'page',
      `Model ${model}: no replica has answered for ${t.notReadyMinutes} minutes`),
    alertRule('ModelRequestsWaiting', `sum(${VLLM_METRICS.requestsWaiting}{${m}}) > ${t.waitingRequests}`, '5m', 'page',
      `Model ${model}: more than ${t.waitingRequests} requests waiting for 5 minutes`),
    alertRule('ModelSlowFirstToken',
      `histogram_quantile(0.95, sum by (le) (rate(${VLLM_METRICS.timeToFirstToken}_bucket{${m}}[5m]))) > ${t.timeToFirstTokenSeconds}`, '10m', 'ticket',
      `Model ${model}: 95% of first tokens take more than ${t.timeToFirstTokenSeconds} s`),
    alertRule('ModelIdle', `sum(increase(${VLLM_METRICS.e2eLatency}_count{${m}}[${t.idleHours}h])) == 0`, '1h', 'ticket',
      `Model ${model}: its GPUs have served no request for ${t.idleHours} hours (cost)`),
  ].filter((a) => whenAlwaysUp(a.alert));
}
