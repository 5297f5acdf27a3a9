import { Construct } from 'constructs';
import { ExternalSecret } from '../components/external-secret';
import { podsIn, tcp } from '../components/network-policies';
import { resourceRequirements, smallResources } from '../components/pod-defaults';
import { spreadOver, WebServer } from '../components/web-server';
import { PlatformConfig, WorkspaceConfig } from '../config/types';
import { imageRef, imageTag } from '../images';
import { clusterScoped, KUBE, kube, KubeObject } from '../kube-object';
import { appLabels } from '../labels';
import { GMP_COLLECTOR, GMP_NAMESPACE, PodMonitoring } from '../monitoring/monitoring';
import {
  clientKeySecretKey, GATEWAY, GATEWAY_CLIENT_LABEL, PORTS, PROBES_NAMESPACE, SHARED_APPS, SHARED_NAMESPACE,
} from '../names';
import { PRIORITY_CLASSES } from '../training/kueue';
import { GATEWAY_APIS, GatewayModel, gatewayModels } from './model-routes';
import { InterceptorIngress } from '../serving/model-autoscaler';

/** Envoy Gateway's controller name: a GatewayClass naming it is Envoy Gateway's. */
export const ENVOY_GATEWAY_CONTROLLER = 'gateway.envoyproxy.io/gatewayclass-controller';

/** The most values one header match of an authorization rule may list (the SecurityPolicy CRD's bound). */
const MAX_HEADER_VALUES = 256;

/** Seconds a proxy replica keeps serving its open requests when stopped: generations stream for minutes. */
const DRAIN_SECONDS = 120;

/**
 * Who may call which model: for each client, the models whose `allowedClients` name it.
 * A client no model names gets no rule (it is authenticated, and refused everything).
 */
export function clientModels(clients: readonly string[], models: readonly GatewayModel[]): Map<string, string[]> {
  return new Map(clients.map((c) => [c, models.filter((m) => m.allowedClients.includes(c)).map((m) => m.id)] as [string, string[]])
    .filter(([, ids]) => ids.length > 0));
}

/** Props of an {@link LlmGateway}. */
export interface LlmGatewayProps {
  readonly platform: PlatformConfig;
  /** Every workspace: the routes come from their served models. */
  readonly workspaces: readonly WorkspaceConfig[];
}

/**
 * The LLM gateway: Envoy AI Gateway on Envoy Gateway, the only way into inference
 * servers. Clients speak the OpenAI API to `http://llm-gateway.envoy-gateway-system:8080/v1`
 * with `Authorization: Bearer <their key>`; the gateway routes each request by the model
 * its body names. In llm-shared:
 * - GatewayClass, EnvoyProxy and Gateway `llm-gateway`: one HTTP listener on 8080 for
 *   routes of llm-shared only; Envoy Gateway runs the proxies in its namespace as
 *   Deployment and Service `llm-gateway` (replicas and sizing from `shared`), spread over
 *   nodes, at the services' priority, draining streams for two minutes when stopped;
 * - SecurityPolicy `llm-gateway-auth` on the whole Gateway: every request needs a
 *   client's API key (Secret `llm-client-api-keys`, from Secret Manager); the key check
 *   puts the client's name in `x-llm-client`, and a client reaches only the models
 *   whose `allowedClients` name it (everything else is denied). It sits on the Gateway,
 *   not on routes: the key is checked before the model is read from the body, so no
 *   request can reach a route unauthenticated;
 * - (each model's route and limits, {@link ModelRoute}, are its workspace's: they sync
 *   with the workspace's boundary, in this namespace);
 * - `llm-gateway-ratelimit`, a Redis that holds the rate limits' counters (nothing
 *   persisted: a restart forgets the last minute's counts).
 * In Envoy Gateway's namespace: a NetworkPolicy that admits to the proxies only the
 * console, namespaces labelled as gateway clients, the checks, and the metrics
 * collectors; and a PodMonitoring of the proxies' Envoy metrics.
 * @see https://aigateway.envoyproxy.io/docs/
 * @see https://gateway.envoyproxy.io/docs/tasks/security/apikey-auth/
 */
export class LlmGateway extends Construct {
  constructor(scope: Construct, id: string, props: LlmGatewayProps) {
    super(scope, id);
    const p = props.platform;
    const labels = (component: string) => appLabels({ name: 'llm-gateway', instance: 'shared', component });
    const object = (oid: string, apiVersion: string, kind: string, spec: Record<string, unknown>, name: string = GATEWAY.name) =>
      new KubeObject(this, oid, { apiVersion, kind, metadata: { name, labels: labels('gateway') }, spec });
    const gatewayRef = { group: GATEWAY_APIS.gatewayApi, kind: 'Gateway', name: GATEWAY.name };

    clusterScoped(object('Class', `${GATEWAY_APIS.gatewayApi}/v1`, 'GatewayClass', { controllerName: ENVOY_GATEWAY_CONTROLLER }));
    object('Proxy', `${GATEWAY_APIS.envoyGateway}/v1alpha1`, 'EnvoyProxy', {
      provider: {
        type: 'Kubernetes',
        kubernetes: {
          envoyService: { name: GATEWAY.name, type: 'ClusterIP' },
          envoyDeployment: {
            name: GATEWAY.name,
            replicas: p.shared.gatewayReplicas,
            container: { resources: resourceRequirements(p.shared.gateway) },
            pod: {
              priorityClassName: PRIORITY_CLASSES.services,
              topologySpreadConstraints: p.shared.gatewayReplicas > 1 ? spreadOver(GATEWAY.proxyLabels) : undefined,
            },
          },
          // A node drain takes one proxy at a time.
          envoyPDB: p.shared.gatewayReplicas > 1 ? { maxUnavailable: 1 } : undefined,
        },
      },
      shutdown: { drainTimeout: `${DRAIN_SECONDS}s` },
    });
    object('Gateway', `${GATEWAY_APIS.gatewayApi}/v1`, 'Gateway', {
      gatewayClassName: GATEWAY.name,
      listeners: [{ name: 'http', protocol: 'HTTP', port: PORTS.gateway, allowedRoutes: { namespaces: { from: 'Same' } } }],
      infrastructure: { parametersRef: { group: GATEWAY_APIS.envoyGateway, kind: 'EnvoyProxy', name: GATEWAY.name } },
    });

    const models = gatewayModels(props.workspaces);
    const allowed = clientModels(p.clients, models);
    const rules = [...allowed].flatMap(([client, ids]) => chunks(ids, MAX_HEADER_VALUES).map((some, i, all) => ({
      name: all.length === 1 ? `client-${client}` : `client-${client}-${i + 1}`,
      action: 'Allow',
      principal: { headers: [{ name: GATEWAY.clientHeader, values: [client] }, { name: GATEWAY.modelHeader, values: some }] },
    })));
    object('Auth', `${GATEWAY_APIS.envoyGateway}/v1alpha1`, 'SecurityPolicy', {
      targetRefs: [gatewayRef],
      // No client declared: no key exists, and every request is refused.
      ...(p.clients.length === 0 ? {} : {
        apiKeyAuth: {
          credentialRefs: [{ group: '', kind: 'Secret', name: GATEWAY.clientKeysSecret }],
          // OpenAI clients send `Authorization: Bearer <key>`; Envoy takes the key after `Bearer `.
          extractFrom: [{ headers: ['authorization'] }],
          forwardClientIDHeader: GATEWAY.clientHeader,
          // The key goes no further than the gateway.
          sanitize: true,
        },
      }),
      authorization: { defaultAction: 'Deny', ...(rules.length > 0 ? { rules } : {}) },
    }, `${GATEWAY.name}-auth`);
    if (p.clients.length > 0) {
      new ExternalSecret(this, 'ClientKeys', {
        name: GATEWAY.clientKeysSecret,
        labels: { name: 'llm-gateway', instance: 'shared', component: 'client-keys' },
        platform: p,
        store: p.secretStore.name,
        data: p.clients.map((c) => ({ secretKey: c, remoteKey: clientKeySecretKey(c) })),
      });
    }
    // Each model's route and limits come with its workspace's boundary (lib/workspace): they
    // change with it alone, and the shared layer does not grow with the models.

    new WebServer(this, 'RateLimitStore', {
      name: GATEWAY.rateLimitStore,
      labels: { name: 'redis', instance: 'shared', component: 'gateway-ratelimit', version: imageTag(p, 'redis') },
      container: {
        name: 'redis',
        image: imageRef(p, 'redis'),
        port: PORTS.gatewayRateLimitStore,
        portName: 'redis',
        // Counters of the current minute only: nothing to save; no password, the NetworkPolicy admits only Envoy Gateway's rate-limit service.
        args: ['--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--dir', '/tmp'],
        resources: smallResources({ request: '100m', limit: '500m' }, { request: '128Mi', limit: '256Mi' }),
        probe: { startupSeconds: 30 },
      },
    });

    // The proxies run in Envoy Gateway's namespace, which the platform does not own: one
    // policy of its own there, for the proxy pods only and only their way in.
    kube(this, 'ProxyIngress', KUBE.NetworkPolicy, {
      metadata: { name: GATEWAY.name, namespace: GATEWAY.namespace, labels: appLabels({ name: 'network-policy', instance: 'shared', component: 'network' }) },
      spec: {
        podSelector: { matchLabels: GATEWAY.proxyLabels },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              podsIn(SHARED_NAMESPACE, { app: SHARED_APPS.console }),
              { namespaceSelector: { matchLabels: { [GATEWAY_CLIENT_LABEL]: 'true' } } },
              podsIn(PROBES_NAMESPACE),
            ],
            ports: [tcp(PORTS.gateway)],
          },
          { from: [podsIn(GMP_NAMESPACE, GMP_COLLECTOR)], ports: [tcp(PORTS.gatewayMetrics)] },
        ],
      },
    });
    // Models that scale to zero are reached through KEDA's interceptor: it admits the proxies only.
    new InterceptorIngress(this, 'Interceptor');
    new PodMonitoring(this, 'ProxyMetrics', {
      name: GATEWAY.name,
      namespace: GATEWAY.namespace,
      selector: GATEWAY.proxyLabels,
      port: PORTS.gatewayMetrics,
      path: '/stats/prometheus',
      labels: { name: 'llm-gateway', instance: 'shared', component: 'gateway' },
    });
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
