import * as path from 'path';
import { Construct } from 'constructs';
import { WebServer } from '../components/web-server';
import { PlatformConfig } from '../config/types';
import { imageRef, imageTag } from '../images';
import { PORTS, SHARED_APPS, SHARED_NAMESPACE, serviceUrl } from '../names';
import { ROUTES_CONFIG_MAP, ROUTES_FILE } from './model-registry-sync';
import { strapiTokenEnv } from './strapi-token';

/** Props of an {@link LlmGateway}. */
export interface LlmGatewayProps {
  /** Platform settings: image, replicas and sizing. */
  readonly platform: PlatformConfig;
}

/**
 * The LLM gateway: the only way into inference servers. It reads the model records
 * (`model_id` → `endpoint`, `enabled`, `rate_limit`, `allowed_clients`) from Strapi and
 * routes each request to its workspace's inference Service. Workspace NetworkPolicies
 * admit its pods by their `app: llm-gateway` label.
 *
 * The guide names the gateway but ships no manifest; the image contract assumed here
 * (HTTP on 8080, health on /healthz, Strapi URL and token in env) is in the README.
 */
export class LlmGateway extends Construct {
  public readonly server: WebServer;

  constructor(scope: Construct, id: string, props: LlmGatewayProps) {
    super(scope, id);
    this.server = new WebServer(this, 'Server', {
      name: SHARED_APPS.gateway,
      labels: { name: 'llm-gateway', instance: 'shared', component: 'gateway', version: imageTag(props.platform, 'gateway') },
      replicas: props.platform.shared.gatewayReplicas,
      container: {
        name: 'gateway',
        image: imageRef(props.platform, 'gateway'),
        port: PORTS.gateway,
        env: [
          { name: 'PORT', value: String(PORTS.gateway) },
          { name: 'STRAPI_URL', value: serviceUrl(SHARED_APPS.strapi, SHARED_NAMESPACE, PORTS.strapi) },
          strapiTokenEnv(),
          // The routing table derived from the workspace files; Strapi holds the same records.
          { name: 'ROUTES_FILE', value: ROUTES_FILE },
        ],
        volumeMounts: [{ name: 'routes', mountPath: path.posix.dirname(ROUTES_FILE), readOnly: true }],
        resources: props.platform.shared.gateway,
        probe: { path: '/healthz', startupSeconds: 60 },
      },
      volumes: [{ name: 'routes', configMap: { name: ROUTES_CONFIG_MAP } }],
      servicePort: PORTS.gatewayService,
      // Generation requests stream for a long time; let them finish on a rollout.
      terminationGracePeriodSeconds: 120,
    });
  }
}
