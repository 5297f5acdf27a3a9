import { Construct } from 'constructs';
import { PlatformNamespace } from '../base-chart';
import { NamespacePolicies, podsIn, podsInEvery, tcp } from '../components/network-policies';
import { GATEWAY, INFERENCE_APP, INFERENCE_CANARY_APP, PORTS, PROBES_NAMESPACE, SHARED_APPS, SHARED_NAMESPACE, WORKSPACE_APPS } from '../names';

/**
 * Namespace `llm-probes`, where `helm test` runs its checks (guide 6.2): Pod Security
 * `restricted`, no role that lets anything create pods in it, and egress only to the
 * servers it checks. The servers' policies admit it by its name, which nobody can forge.
 */
export class ProbesNamespace extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new PlatformNamespace(this, 'Namespace', { name: PROBES_NAMESPACE, instance: 'probes', role: 'probes' });
    const policies = new NamespacePolicies(this, 'Policies', { instance: 'probes', namespace: PROBES_NAMESPACE });
    const shared = (app: string, port: number) => ({ to: [podsIn(SHARED_NAMESPACE, { app })], ports: [tcp(port)] });
    const workspaces = (app: string, port: number) => ({ to: [podsInEvery('workspace', { app })], ports: [tcp(port)] });
    policies.allow('Checks', 'allow-checks', {}, {
      egress: [
        shared(SHARED_APPS.mlflow, PORTS.mlflow),
        shared(SHARED_APPS.mlflowRead, PORTS.mlflowRead),
        { to: [podsIn(GATEWAY.namespace, GATEWAY.proxyLabels)], ports: [tcp(PORTS.gateway)] },
        shared(SHARED_APPS.console, PORTS.console),
        shared(SHARED_APPS.strapi, PORTS.strapi),
        workspaces(WORKSPACE_APPS.mlflow, PORTS.mlflow),
        workspaces(WORKSPACE_APPS.webui, PORTS.webui),
        workspaces(INFERENCE_APP, PORTS.inference),
        workspaces(INFERENCE_CANARY_APP, PORTS.inference),
      ],
    });
  }
}
