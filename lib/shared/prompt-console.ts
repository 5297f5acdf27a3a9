import { Construct } from 'constructs';
import { WebServer } from '../components/web-server';
import { PlatformConfig } from '../config/types';
import { imageRef, imageTag } from '../images';
import { CONSOLE_CLIENT, GATEWAY, PORTS, SHARED_APPS, SHARED_NAMESPACE, serviceUrl } from '../names';
import { strapiTokenEnv } from './strapi-token';

/** Props of a {@link PromptConsole}. */
export interface PromptConsoleProps {
  /** Platform settings: image and sizing. */
  readonly platform: PlatformConfig;
}

/**
 * The Streamlit prompt console (guide 3.3): people try served models through the
 * gateway (as client `prompt-console`, when platform.yaml lists it: the models that name
 * it in `allowedClients`) and read the model registry in Strapi. Container port 8501, Service port 80.
 * @see https://docs.streamlit.io/deploy/tutorials/kubernetes
 */
export class PromptConsole extends Construct {
  public readonly server: WebServer;

  constructor(scope: Construct, id: string, props: PromptConsoleProps) {
    super(scope, id);
    this.server = new WebServer(this, 'Server', {
      name: SHARED_APPS.console,
      labels: { name: 'prompt-console', instance: 'shared', component: 'console', version: imageTag(props.platform, 'console') },
      container: {
        name: 'streamlit',
        image: imageRef(props.platform, 'console'),
        port: PORTS.console,
        env: [
          { name: 'GATEWAY_URL', value: serviceUrl(GATEWAY.name, GATEWAY.namespace, PORTS.gateway) },
          // The console is a client like any other: with a key only when platform.yaml lists it.
          ...(props.platform.clients.includes(CONSOLE_CLIENT)
            ? [{ name: 'GATEWAY_API_KEY', valueFrom: { secretKeyRef: { name: GATEWAY.clientKeysSecret, key: CONSOLE_CLIENT } } }]
            : []),
          { name: 'STRAPI_URL', value: serviceUrl(SHARED_APPS.strapi, SHARED_NAMESPACE, PORTS.strapi) },
          strapiTokenEnv(),
        ],
        resources: props.platform.shared.console,
        probe: { path: '/_stcore/health', startupSeconds: 120 },
      },
      servicePort: PORTS.consoleService,
    });
  }
}
