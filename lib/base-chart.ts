import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { clusterScoped, KUBE, kube } from './kube-object';
import { appLabels } from './labels';
import { applyLifecycle } from './lifecycle';
import { NAMESPACE_ROLE_LABEL } from './names';

/** Props of a {@link PlatformNamespace}. */
export interface PlatformNamespaceProps {
  /** Name of the namespace. */
  readonly name: string;
  /** `app.kubernetes.io/instance` of the namespace: the workspace name, or `shared`. */
  readonly instance: string;
  /** What the namespace is: `shared`, `workspace`, `probes` or `gcp` (label `llm-platform/namespace-role`, which policies select). */
  readonly role: 'shared' | 'workspace' | 'probes' | 'gcp';
  /** Labels besides the recommended ones (the guide's `purpose` or `workspace`). @default none */
  readonly labels?: Record<string, string>;
  /** Annotations (Config Connector's project). @default none */
  readonly annotations?: Record<string, string>;
}

/**
 * A namespace of the platform: its role label, and the Pod Security Standard every
 * namespace of the platform enforces, `restricted` (audited and warned at the same level).
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
 */
export class PlatformNamespace extends Construct {
  constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    const ns = kube(this, 'Resource', KUBE.Namespace, {
      metadata: {
        name: props.name,
        labels: {
          ...appLabels({ name: 'namespace', instance: props.instance, component: 'namespace' }),
          ...props.labels,
          [NAMESPACE_ROLE_LABEL]: props.role,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
        annotations: props.annotations,
      },
      // kplus's empty spec, kept so the output does not change.
      spec: {},
    });
    clusterScoped(ns);
  }
}

/** Props of a {@link PlatformChart}. */
export interface PlatformChartProps extends Omit<PlatformNamespaceProps, 'name'> {
  /** Namespace that the chart creates and puts every object in. */
  readonly namespace: string;
}

/**
 * A chart that owns one namespace: it creates the Namespace and puts every object in it,
 * with explicit names (no hash suffixes) and the lifecycle annotations of their kinds.
 */
export class PlatformChart extends Chart {
  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, { namespace: props.namespace, disableResourceNameHashes: true });
    new PlatformNamespace(this, 'Namespace', { ...props, name: props.namespace });
  }

  /** Puts the lifecycle annotations of their kinds on the chart's objects (see `applyLifecycle`); `synthChart` calls it. */
  public prepareObjects(): void {
    applyLifecycle(this);
  }

}
