import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { appLabels } from '../labels';
import { HEALTH_PROBE_LABEL, INFERENCE_APP, INFERENCE_NETWORK_POLICY, PORTS, SHARED_APPS, SHARED_NAMESPACE } from '../names';

/** Props of an {@link InferenceNetworkPolicy}. */
export interface InferenceNetworkPolicyProps {
  /** Workspace name. */
  readonly workspace: string;
}

/**
 * NetworkPolicy `allow-only-gateway` (guide 4.7): inference pods (`app: llama-infer`)
 * accept traffic only from `llm-gateway` pods in `llm-shared`, on port 8000, and from the
 * chart's `helm test` probes there (label `llm-platform/health-probe`).
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class InferenceNetworkPolicy extends Construct {
  public readonly policy: kplus.NetworkPolicy;

  constructor(scope: Construct, id: string, props: InferenceNetworkPolicyProps) {
    super(scope, id);
    this.policy = new kplus.NetworkPolicy(this, 'Resource', {
      metadata: {
        name: INFERENCE_NETWORK_POLICY,
        labels: appLabels({ name: 'llama-factory', instance: props.workspace, component: 'inference' }),
      },
      selector: kplus.Pods.select(this, 'Inference', { labels: { app: INFERENCE_APP } }),
    });
    const shared = kplus.Namespaces.select(this, 'Shared', { names: [SHARED_NAMESPACE] });
    const port = [kplus.NetworkPolicyPort.tcp(PORTS.inference)];
    this.policy.addIngressRule(kplus.Pods.select(this, 'Gateway', { labels: { app: SHARED_APPS.gateway }, namespaces: shared }), port);
    this.policy.addIngressRule(kplus.Pods.select(this, 'HealthProbe', { labels: { [HEALTH_PROBE_LABEL]: 'true' }, namespaces: shared }), port);
  }
}
