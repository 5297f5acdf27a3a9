import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { resourceRequirements, securedPodSpec, smallResources } from '../components/pod-defaults';
import { PlatformConfig, WorkspaceConfig } from '../config/types';
import { imageRef } from '../images';
import { appLabels } from '../labels';
import { projectRoot } from '../paths';
import { inferenceNames, PORTS, REGISTRAR_APP, SHARED_APPS, SHARED_NAMESPACE, serviceUrl, workspaceNamespace } from '../names';
import { strapiTokenEnv } from './strapi-token';
import { KUBE, kube } from '../kube-object';

/**
 * ConfigMap of the gateway's records as the guide's registry holds them; the registrar
 * upserts Strapi from it. The gateway itself enforces them through its own objects
 * (lib/gateway), made from the same workspace files.
 */
export const ROUTES_CONFIG_MAP = 'llm-gateway-routes';

/** One gateway record, as Strapi stores it (guide 4.8). */
export interface GatewayRecord {
  readonly model_id: string;
  readonly workspace: string;
  readonly endpoint: string;
  readonly enabled: boolean;
  readonly rate_limit: number;
  readonly allowed_clients: readonly string[];
}

/** The gateway's records, derived from the workspace files, ordered by model id. */
export function gatewayRecords(workspaces: readonly WorkspaceConfig[]): GatewayRecord[] {
  return workspaces.flatMap((ws) => ws.inference.models.map((m) => ({
    model_id: m.name,
    workspace: ws.name,
    endpoint: serviceUrl(inferenceNames(m.name, ws.inference.models.length).service, workspaceNamespace(ws.name), PORTS.inference),
    // A suspended workspace serves nothing: its models are off the gateway.
    enabled: m.gateway.enabled && ws.state === 'active',
    rate_limit: m.gateway.rateLimit,
    allowed_clients: [...m.gateway.allowedClients],
  }))).sort((a, b) => (a.model_id < b.model_id ? -1 : 1));
}

/** The registrar script, shipped as it is in assets/ (tests run the same file against a real Strapi). */
export function registrarScript(): string {
  return fs.readFileSync(path.join(projectRoot(), 'assets', 'model-registrar.js'), 'utf8');
}

/** Props of a {@link ModelRegistrySync}. */
export interface ModelRegistrySyncProps {
  readonly platform: PlatformConfig;
  readonly workspaces: readonly WorkspaceConfig[];
}

/**
 * Models on the gateway, declared: the routing table (ConfigMap `llm-gateway-routes`,
 * one record per served model, derived from the workspace files) and a Job that brings
 * Strapi's model registry in line with it through Strapi's REST API after every sync
 * (an Argo CD PostSync hook, and a Helm post-install/post-upgrade hook): created,
 * updated, disabled, never duplicated. It replaces the guide's hand-written curl (4.8).
 */
export class ModelRegistrySync extends Construct {
  constructor(scope: Construct, id: string, props: ModelRegistrySyncProps) {
    super(scope, id);
    const labels = appLabels({ name: 'model-registrar', instance: 'shared', component: 'model-registry' });
    const routes = `${JSON.stringify({ models: gatewayRecords(props.workspaces) }, null, 2)}\n`;
    kube(this, 'Routes', KUBE.ConfigMap, {
      metadata: { name: ROUTES_CONFIG_MAP, labels },
      data: { 'routes.json': routes },
    });
    kube(this, 'Script', KUBE.ConfigMap, {
      metadata: { name: 'model-registrar', labels },
      data: { 'model-registrar.js': registrarScript() },
    });
    kube(this, 'Job', KUBE.Job, {
      metadata: {
        name: 'model-registrar',
        labels,
        annotations: {
          'argocd.argoproj.io/hook': 'PostSync',
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
          'helm.sh/hook': 'post-install,post-upgrade',
          'helm.sh/hook-delete-policy': 'before-hook-creation',
        },
      },
      spec: {
        backoffLimit: 6,
        // A hook that never ends would hold the sync; the script's requests time out too.
        activeDeadlineSeconds: 600,
        template: {
          metadata: { labels: { ...labels, app: REGISTRAR_APP } },
          spec: securedPodSpec({
            restartPolicy: 'Never',
            containers: [{
              name: 'registrar',
              image: imageRef(props.platform, 'registrar'),
              command: ['node', '/scripts/model-registrar.js'],
              env: [
                { name: 'STRAPI_URL', value: serviceUrl(SHARED_APPS.strapi, SHARED_NAMESPACE, PORTS.strapi) },
                strapiTokenEnv(),
                { name: 'ROUTES_FILE', value: '/routes/routes.json' },
              ],
              resources: resourceRequirements(smallResources({ request: '50m', limit: '500m' }, { request: '64Mi', limit: '256Mi' })),
              volumeMounts: [
                { name: 'routes', mountPath: '/routes', readOnly: true },
                { name: 'script', mountPath: '/scripts', readOnly: true },
              ],
            }],
            volumes: [
              { name: 'routes', configMap: { name: ROUTES_CONFIG_MAP } },
              { name: 'script', configMap: { name: 'model-registrar' } },
            ],
          }),
        },
      },
    });
  }
}
