import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { appLabels } from './labels';
import { applyLifecycle } from './lifecycle';

/** Props of a {@link PlatformChart}. */
export interface PlatformChartProps {
  /** Namespace that the chart creates and puts every object in. */
  readonly namespace: string;
  /** `app.kubernetes.io/instance` of the chart's objects: the workspace name, or `shared`. */
  readonly instance: string;
  /** Labels of the Namespace object besides the recommended ones (the guide's `purpose` or `workspace`). */
  readonly namespaceLabels: Record<string, string>;
  /**
   * The Pod Security Standard the namespace enforces. Anything below `restricted` must
   * say why; the namespace carries the reason, and audits and warns at `restricted`.
   * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
   */
  readonly podSecurity: { readonly level: 'restricted' } | { readonly level: 'baseline'; readonly reason: string };
}

/** Annotation that holds why a namespace enforces less than `restricted`. */
export const POD_SECURITY_REASON = 'llm-platform/pod-security-reason';

/**
 * A chart that owns one namespace: it creates the Namespace and puts every object in it,
 * with explicit names (no hash suffixes) and the lifecycle annotations of their kinds.
 */
export class PlatformChart extends Chart {
  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, { namespace: props.namespace, disableResourceNameHashes: true });
    const ns = new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: props.namespace,
        labels: {
          ...appLabels({ name: 'namespace', instance: props.instance, component: 'namespace' }),
          ...props.namespaceLabels,
          'pod-security.kubernetes.io/enforce': props.podSecurity.level,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
        annotations: props.podSecurity.level === 'baseline' ? { [POD_SECURITY_REASON]: props.podSecurity.reason } : undefined,
      },
    });
    // The chart's namespace is stamped on every object, the cluster-scoped Namespace
    // too, and kplus offers no way to opt one object out.
    ApiObject.of(ns).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }

  /** The chart's objects, with the lifecycle annotations of their kinds (see `applyLifecycle`). */
  public override toJson(): any[] {
    applyLifecycle(this);
    return super.toJson();
  }
}
