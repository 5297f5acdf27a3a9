import { Construct } from 'constructs';
import { podsIn, tcp } from '../components/network-policies';
import { KUBE, kube, KubeObject } from '../kube-object';
import { appLabels } from '../labels';
import { VLLM_METRICS } from '../monitoring/metrics';
import { PodMonitoring } from '../monitoring/monitoring';
import { GATEWAY, INFERENCE_APP, InferenceNames, KEDA, PORTS, WAKE_APP, workspaceNamespace } from '../names';
import { Autoscaling } from './scaling';

/** API of KEDA's ScaledObject and TriggerAuthentication, and of the HTTP add-on's HTTPScaledObject. */
export const KEDA_API = 'keda.sh/v1alpha1';
export const KEDA_HTTP_API = 'http.keda.sh/v1alpha1';

/** TriggerAuthentication of a workspace: KEDA reads Managed Prometheus as its own GCP identity. */
export const METRICS_AUTH = 'managed-prometheus';

/** Seconds a request to a model scaled to zero waits for it before it is answered 503 with Retry-After. */
export const WAKE_WAIT_SECONDS = 30;

/** How long one request may take through the interceptor once the model answers (the gateway's own limit). */
const RESPONSE_TIMEOUT = '300s';

/** Seconds KEDA waits between two looks at the metrics. */
const POLLING_SECONDS = 30;

/** Seconds of lower load before replicas are removed (one at a time, every 5 minutes): GPUs are slow to get back. */
const SCALE_DOWN_WINDOW_SECONDS = 600;

/** Managed Prometheus's query API for the project (Prometheus HTTP API). */
export function managedPrometheusUrl(project: string): string {
  return `https://monitoring.googleapis.com/v1/projects/${project}/location/global/prometheus`;
}

/**
 * The PromQL a model scales on: its metric summed over the replicas of its Deployment
 * (`job`, its PodMonitoring's name: a canary serves the same model name, and its load is
 * not the Deployment's); KEDA divides by the target to get replicas.
 */
export function scalingQuery(workspace: string, deployment: string, model: string, metric: Autoscaling['metric']): string {
  const name = metric === 'kvCacheUsage' ? VLLM_METRICS.kvCacheUsage : VLLM_METRICS.requestsWaiting;
  return `sum(${name}{namespace="${workspaceNamespace(workspace)}",job="${deployment}",model_name="${model}"})`;
}

/** Props of a {@link ModelAutoscaler}. */
export interface ModelAutoscalerProps {
  readonly project: string;
  readonly workspace: string;
  readonly model: string;
  readonly names: InferenceNames;
  /** Labels that select the model's pods. */
  readonly podSelector: Record<string, string>;
  readonly autoscaling: Autoscaling;
}

/**
 * A served model's replicas, decided by KEDA (a `ScaledObject` named like its Deployment):
 * between min and max, on its vLLM metric from GKE Managed Prometheus, read as KEDA's own
 * GCP identity (`managed-prometheus`). Replicas come one at a time at most every 5 minutes
 * when the load drops, after 10 minutes of it.
 *
 * With min 0, the wake-up path: an `HTTPScaledObject` tells the HTTP add-on's interceptor
 * that requests naming the model (header `x-ai-eg-model`, set by the gateway) are the
 * Deployment's; the gateway sends them to the interceptor instead of the Service. A
 * request to a model at zero replicas makes KEDA start one (the add-on's `external-push`
 * trigger), waits up to 30 s, then goes to `model-waking`, which answers 503 with
 * Retry-After: never dropped, never a bare timeout. After `idleMinutes` without requests
 * (and its metric at zero), KEDA scales it away.
 * @see https://keda.sh/docs/latest/scalers/prometheus/
 * @see https://github.com/kedacore/http-add-on
 */
export class ModelAutoscaler extends Construct {
  constructor(scope: Construct, id: string, props: ModelAutoscalerProps) {
    super(scope, id);
    const a = props.autoscaling;
    const name = props.names.deployment;
    const labels = appLabels({ name: 'keda', instance: props.workspace, component: 'autoscaling' });
    const toZero = a.min === 0;
    const idleSeconds = a.idleMinutes * 60;
    new KubeObject(this, 'ScaledObject', {
      apiVersion: KEDA_API,
      kind: 'ScaledObject',
      metadata: { name, labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicaCount: a.min,
        maxReplicaCount: a.max,
        pollingInterval: POLLING_SECONDS,
        // Only scaling to zero waits this long; and a new model is not scaled away while it first loads.
        cooldownPeriod: idleSeconds,
        ...(toZero ? { initialCooldownPeriod: idleSeconds } : {}),
        // Metrics out of reach: keep at least one replica serving rather than guess.
        fallback: { failureThreshold: 3, replicas: Math.max(a.min, 1) },
        advanced: {
          horizontalPodAutoscalerConfig: {
            behavior: { scaleDown: { stabilizationWindowSeconds: SCALE_DOWN_WINDOW_SECONDS, policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }] } },
          },
        },
        triggers: [
          {
            type: 'prometheus',
            name: a.metric,
            metricType: 'AverageValue',
            metadata: {
              serverAddress: managedPrometheusUrl(props.project),
              query: scalingQuery(props.workspace, name, props.model, a.metric),
              threshold: String(a.target),
              // No series while nothing runs: that is zero, not an error.
              ignoreNullValues: 'true',
            },
            authenticationRef: { name: METRICS_AUTH },
          },
          ...(toZero ? [{ type: 'external-push', name: 'requests', metadata: { scalerAddress: KEDA.externalScaler, httpScaledObject: name } }] : []),
        ],
      },
    });
    if (!toZero) return;
    new KubeObject(this, 'HttpScaledObject', {
      apiVersion: KEDA_HTTP_API,
      kind: 'HTTPScaledObject',
      // The ScaledObject above is the model's; the add-on must not make a second one.
      metadata: { name, labels, annotations: { 'httpscaledobject.keda.sh/skip-scaledobject-creation': 'true' } },
      spec: {
        headers: [{ name: GATEWAY.modelHeader, value: props.model }],
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name, service: props.names.service, port: PORTS.inference },
        replicas: { min: 0, max: a.max },
        scaledownPeriod: idleSeconds,
        coldStartTimeoutFailoverRef: { service: WAKE_APP, port: PORTS.wake, timeoutSeconds: WAKE_WAIT_SECONDS },
        timeouts: { responseHeader: RESPONSE_TIMEOUT },
      },
    });
    // The interceptor forwards the model's requests once it is up.
    kube(this, 'FromInterceptor', KUBE.NetworkPolicy, {
      metadata: { name: `allow-wake-${props.model}`, labels: appLabels({ name: 'network-policy', instance: props.workspace, component: 'network' }) },
      spec: {
        podSelector: { matchLabels: { app: INFERENCE_APP, ...props.podSelector } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [podsIn(KEDA.namespace, KEDA.interceptorLabels)], ports: [tcp(PORTS.inference)] }],
      },
    });
  }
}

/**
 * KEDA's namespace, as far as the platform goes: its operator's metrics scraped, and the
 * interceptor's way in (a NetworkPolicy in `keda`, which the platform does not
 * otherwise own): it forwards to any model by a header, so only the gateway's proxies may
 * send it requests, and only the add-on's scaler may read its queue counts. Without it,
 * any pod could reach a model that scales to zero around the gateway's keys and limits.
 */
export class InterceptorIngress extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // KEDA's own metrics (scalers' errors and latencies), scraped where it runs.
    new PodMonitoring(this, 'OperatorMetrics', {
      name: KEDA.operatorServiceAccount, namespace: KEDA.namespace, selector: KEDA.operatorLabels, port: 'metrics',
      labels: { name: 'keda', instance: 'shared', component: 'autoscaling' },
    });
    kube(this, 'Resource', KUBE.NetworkPolicy, {
      metadata: { name: 'llm-interceptor', namespace: KEDA.namespace, labels: appLabels({ name: 'network-policy', instance: 'shared', component: 'network' }) },
      spec: {
        podSelector: { matchLabels: KEDA.interceptorLabels },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [podsIn(GATEWAY.namespace, GATEWAY.proxyLabels)], ports: [tcp(KEDA.interceptorPort)] },
          { from: [podsIn(KEDA.namespace, KEDA.scalerLabels)], ports: [tcp(KEDA.interceptorAdminPort)] },
        ],
      },
    });
  }
}

/** The workspace's TriggerAuthentication: its ScaledObjects read Managed Prometheus as KEDA's GCP identity. */
export class MetricsAuthentication extends Construct {
  constructor(scope: Construct, id: string, props: { readonly workspace: string }) {
    super(scope, id);
    new KubeObject(this, 'Resource', {
      apiVersion: KEDA_API,
      kind: 'TriggerAuthentication',
      metadata: { name: METRICS_AUTH, labels: appLabels({ name: 'keda', instance: props.workspace, component: 'autoscaling' }) },
      spec: { podIdentity: { provider: 'gcp' } },
    });
  }
}
