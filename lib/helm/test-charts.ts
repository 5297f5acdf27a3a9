import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformConfig, WorkspaceConfig } from '../config/types';
import { imageRef } from '../images';
import {
  canaryNames, GATEWAY, inferenceNames, PORTS, PROBES_NAMESPACE, SHARED_APPS, SHARED_NAMESPACE, serviceUrl, withSuffix, WORKSPACE_APPS, workspaceNamespace,
} from '../names';
import { scalesToZero } from '../serving/scaling';
import { gatewayModels } from '../gateway/model-routes';
import { HealthCheck } from './health-check';

/**
 * The `helm test` checks of the shared layer: MLflow common and its read-only front
 * answer, the gateway, the console and Strapi answer their health endpoints. Every
 * check runs in llm-probes, the one namespace the servers' policies admit checks from.
 */
export class SharedTestsChart extends Chart {
  constructor(scope: Construct, id: string, props: { readonly platform: PlatformConfig; readonly workspaces?: readonly WorkspaceConfig[] }) {
    super(scope, id, { namespace: PROBES_NAMESPACE, disableResourceNameHashes: true });
    const image = imageRef(props.platform, 'test');
    const labels = { name: 'llm-platform', instance: 'shared', component: 'helm-test' };
    const check = (name: string, url: string, description: string) =>
      new HealthCheck(this, name, { name: `test-${name}`, labels, image, url, description });
    check('mlflow-common-health', `${serviceUrl(SHARED_APPS.mlflow, SHARED_NAMESPACE, PORTS.mlflow)}/health`, 'MLflow common answers /health (guide 6.2, step 3)');
    check('mlflow-common-read-health', `${serviceUrl(SHARED_APPS.mlflowRead, SHARED_NAMESPACE, PORTS.mlflowRead)}/health`, 'MLflow common answers /health through its read-only front');
    // The gateway refuses a request without a key: 401 from the key check; with no client
    // declared there is no key check, and authorization refuses it (403). With no model,
    // no route exists to answer at all: nothing to check.
    if (gatewayModels(props.workspaces ?? []).length > 0) {
      const status = props.platform.clients.length > 0 ? 401 : 403;
      new HealthCheck(this, 'gateway-auth', {
        name: 'test-gateway-auth', labels, image, status,
        url: `${serviceUrl(GATEWAY.name, GATEWAY.namespace, PORTS.gateway)}/v1/models`,
        description: `the gateway answers, and refuses a request without an API key (${status})`,
      });
    }
    check('console-health', `${serviceUrl(SHARED_APPS.console, SHARED_NAMESPACE, PORTS.consoleService)}/_stcore/health`, 'the prompt console answers');
    check('strapi-health', `${serviceUrl(SHARED_APPS.strapi, SHARED_NAMESPACE, PORTS.strapi)}/_health`, 'Strapi answers');
  }
}

/**
 * The `helm test` checks of one workspace: its MLflow answers `/health`, the web UI
 * answers, and each inference server answers `/v1/models`. They run in llm-probes, the
 * one outside peer the workspace's NetworkPolicies admit to its servers besides the
 * gateway (inside, everything is denied by default).
 */
export class WorkspaceTestsChart extends Chart {
  constructor(scope: Construct, id: string, props: { readonly platform: PlatformConfig; readonly workspace: WorkspaceConfig }) {
    const ws = props.workspace;
    const namespace = workspaceNamespace(ws.name);
    super(scope, id, { namespace, disableResourceNameHashes: true });
    // A suspended workspace runs no server: there is nothing to check.
    if (ws.state === 'suspended') return;
    const image = imageRef(props.platform, 'test');
    const labels = { name: 'llm-platform', instance: ws.name, component: 'helm-test' };

    const probe = { namespace: PROBES_NAMESPACE, labels, image };
    new HealthCheck(this, 'Mlflow', {
      ...probe,
      name: `test-${ws.name}-mlflow-health`,
      url: `${serviceUrl(WORKSPACE_APPS.mlflow, namespace, PORTS.mlflow)}/health`,
      description: 'the workspace MLflow answers /health (guide 6.2, step 4)',
    });
    if (ws.webui.enabled) {
      new HealthCheck(this, 'Webui', {
        ...probe,
        name: `test-${ws.name}-webui`,
        url: serviceUrl(WORKSPACE_APPS.webui, namespace, PORTS.webui),
        status: 200,
        description: 'the LLaMA-Factory web UI answers 200 (guide 6.2, step 5)',
      });
    }
    const models = ws.inference.models;
    // A model that scales to zero may have no replica to answer: it is not checked.
    for (const model of models.filter((m) => !scalesToZero(m))) {
      const names = inferenceNames(model.name, models.length);
      const name = models.length === 1 ? `test-${ws.name}-inference` : `test-${ws.name}-inference-${model.name}`;
      new HealthCheck(this, `Inference-${model.name}`, {
        ...probe,
        name,
        url: `${serviceUrl(names.service, namespace, PORTS.inference)}/v1/models`,
        description: `inference of ${model.name} answers /v1/models (guide 6.2, step 6)`,
      });
      if (model.canary) {
        new HealthCheck(this, `Canary-${model.name}`, {
          ...probe,
          name: withSuffix(name, 'canary'),
          url: `${serviceUrl(canaryNames(names).service, namespace, PORTS.inference)}/v1/models`,
          description: `the canary of ${model.name} (version ${model.canary.version}) answers /v1/models`,
        });
      }
    }
  }
}
