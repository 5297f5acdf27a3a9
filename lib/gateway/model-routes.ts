import { Construct } from 'constructs';
import { WorkspaceConfig } from '../config/types';
import { KubeObject } from '../kube-object';
import { appLabels } from '../labels';
import { canaryNames, GATEWAY, inferenceNames, KEDA, PORTS, SHARED_NAMESPACE, workspaceNamespace } from '../names';
import { canaryWeight, scalesToZero } from '../serving/scaling';

/** API groups and versions of the gateway's kinds. */
export const GATEWAY_APIS = {
  gatewayApi: 'gateway.networking.k8s.io',
  envoyGateway: 'gateway.envoyproxy.io',
  aiGateway: 'aigateway.envoyproxy.io',
} as const;

/** Label of a model's AIServiceBackend: the registered version behind it. */
export const MODEL_VERSION_LABEL = 'llm-platform/model-version';

/** Where Envoy AI Gateway puts a request's token counts (dynamic metadata), and the key of the total. */
export const TOKEN_METADATA = { namespace: 'io.envoy.ai_gateway', key: 'llm_total_token' } as const;

/**
 * How long one request may take, end to end (Envoy AI Gateway's default is 60 s; a long
 * completion of a large model takes longer).
 */
export const REQUEST_TIMEOUT = '300s';

/** One model on the gateway: what its objects are made from. */
export interface GatewayModel {
  /** The model id clients name in the request body. */
  readonly id: string;
  readonly workspace: string;
  /** DNS name and port of its inference Service; of KEDA's interceptor for a model that scales to zero. */
  readonly host: string;
  readonly port: number;
  /** The registered version its main Deployment serves. */
  readonly version: string;
  /** Percent of requests its main version gets (the rest go to its canary). */
  readonly weight: number;
  /** Its canary: its Service's DNS name and port, its version and its percent of the requests. */
  readonly canary?: { readonly host: string; readonly port: number; readonly version: string; readonly weight: number };
  readonly requestsPerMinute: number;
  readonly tokensPerMinute?: number;
  readonly allowedClients: readonly string[];
}

/**
 * The models the gateway routes to, by model id: the served models of active workspaces
 * whose record is enabled. A disabled or suspended model has no route: the gateway
 * answers 404 for it, as for a model it never knew.
 */
export function gatewayModels(workspaces: readonly WorkspaceConfig[]): GatewayModel[] {
  return workspaces.filter((ws) => ws.state === 'active').flatMap((ws) => ws.inference.models
    .filter((m) => m.gateway.enabled)
    .map((m) => ({
      id: m.name,
      workspace: ws.name,
      // A model that scales to zero is reached through the interceptor, which wakes it (lib/serving).
      ...(scalesToZero(m)
        ? { host: `${KEDA.interceptorService}.${KEDA.namespace}.svc.cluster.local`, port: KEDA.interceptorPort }
        : { host: `${inferenceNames(m.name, ws.inference.models.length).service}.${workspaceNamespace(ws.name)}.svc.cluster.local`, port: PORTS.inference }),
      version: m.version,
      weight: 100 - canaryWeight(m),
      ...(m.canary ? {
        canary: {
          host: `${canaryNames(inferenceNames(m.name, ws.inference.models.length)).service}.${workspaceNamespace(ws.name)}.svc.cluster.local`,
          port: PORTS.inference,
          version: m.canary.version,
          weight: canaryWeight(m),
        },
      } : {}),
      requestsPerMinute: m.gateway.rateLimit,
      tokensPerMinute: m.gateway.tokensPerMinute,
      allowedClients: m.gateway.allowedClients,
    })))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Name of a model's gateway objects: its Backend, AIServiceBackend, AIGatewayRoute, and the HTTPRoute the AI Gateway makes of it. */
export function modelRouteName(model: string): string {
  return `model-${model}`;
}

/** Name of a model's canary's Backend and AIServiceBackend. */
export function canaryBackendName(model: string): string {
  return `${modelRouteName(model)}-canary`;
}

/** Props of a {@link ModelRoute}. */
export interface ModelRouteProps {
  readonly model: GatewayModel;
}

/**
 * One model on the gateway, in llm-shared:
 * - a `Backend` naming its inference Service by DNS (Envoy AI Gateway routes to
 *   Backends, not Services; a name needs no ReferenceGrant into the workspace);
 * - an `AIServiceBackend` saying it speaks the OpenAI API;
 * - an `AIGatewayRoute` sending requests whose body names the model (the AI Gateway
 *   copies it into `x-ai-eg-model`) to it, counting each answer's tokens;
 * - a `BackendTrafficPolicy` on the HTTPRoute the AI Gateway makes of that route: each
 *   client (`x-llm-client`, set by the API key check) gets `rateLimit` requests a minute
 *   and, when declared, `tokensPerMinute` tokens, counted from the answers.
 * @see https://aigateway.envoyproxy.io/docs/capabilities/traffic/usage-based-ratelimiting
 */
export class ModelRoute extends Construct {
  constructor(scope: Construct, id: string, props: ModelRouteProps) {
    super(scope, id);
    const m = props.model;
    const name = modelRouteName(m.id);
    // In the gateway's namespace (its policies and routes must be), made with the workspace.
    const labels = appLabels({ name: 'llm-gateway', instance: m.workspace, component: 'model-route' });
    const object = (oid: string, apiVersion: string, kind: string, objectName: string, spec: Record<string, unknown>) =>
      new KubeObject(this, oid, { apiVersion, kind, metadata: { name: objectName, namespace: SHARED_NAMESPACE, labels }, spec });

    const backend = (oid: string, backendName: string, host: string, port: number, version: string) => {
      object(`${oid}Backend`, `${GATEWAY_APIS.envoyGateway}/v1alpha1`, 'Backend', backendName, {
        endpoints: [{ fqdn: { hostname: host, port } }],
      });
      // The registered version it serves, for reviews: \`npm run diff\` flags a version that
      // changes under requests (the Deployment restarts).
      new KubeObject(this, `${oid}ServiceBackend`, {
        apiVersion: `${GATEWAY_APIS.aiGateway}/v1beta1`,
        kind: 'AIServiceBackend',
        metadata: { name: backendName, namespace: SHARED_NAMESPACE, labels: { ...labels, [MODEL_VERSION_LABEL]: version } },
        spec: { schema: { name: 'OpenAI' }, backendRef: { group: GATEWAY_APIS.envoyGateway, kind: 'Backend', name: backendName } },
      });
    };
    backend('', name, m.host, m.port, m.version);
    if (m.canary) backend('Canary', canaryBackendName(m.id), m.canary.host, m.canary.port, m.canary.version);
    object('Route', `${GATEWAY_APIS.aiGateway}/v1beta1`, 'AIGatewayRoute', name, {
      parentRefs: [{ group: GATEWAY_APIS.gatewayApi, kind: 'Gateway', name: GATEWAY.name }],
      rules: [{
        matches: [{ headers: [{ type: 'Exact', name: GATEWAY.modelHeader, value: m.id }] }],
        // With a canary, the requests split by weight between the two versions.
        backendRefs: m.canary ? [{ name, weight: m.weight }, { name: canaryBackendName(m.id), weight: m.canary.weight }] : [{ name }],
        timeouts: { request: REQUEST_TIMEOUT },
      }],
      llmRequestCosts: [{ metadataKey: TOKEN_METADATA.key, type: 'TotalToken' }],
    });
    const perClient = [{ headers: [{ name: GATEWAY.clientHeader, type: 'Distinct' }] }];
    object('Limits', `${GATEWAY_APIS.envoyGateway}/v1alpha1`, 'BackendTrafficPolicy', `${name}-limits`, {
      targetRefs: [{ group: GATEWAY_APIS.gatewayApi, kind: 'HTTPRoute', name }],
      rateLimit: {
        type: 'Global',
        global: {
          rules: [
            { clientSelectors: perClient, limit: { requests: m.requestsPerMinute, unit: 'Minute' } },
            // Checked before the request (it costs nothing then), charged with the answer's
            // tokens after it: a client past its budget is refused from its next request on.
            ...(m.tokensPerMinute === undefined ? [] : [{
              clientSelectors: perClient,
              limit: { requests: m.tokensPerMinute, unit: 'Minute' },
              cost: { request: { from: 'Number', number: 0 }, response: { from: 'Metadata', metadata: TOKEN_METADATA } },
            }]),
          ],
        },
      },
    });
  }
}
