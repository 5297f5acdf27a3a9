import type { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ResourcesConfig } from '../config/types';
import { AppLabelsProps, appLabels } from '../labels';
import { httpProbes, HttpProbeOptions, resourceRequirements, securedPodSpec } from './pod-defaults';
import { intOrString, KUBE, kube, KubeObject } from '../kube-object';
import { PRIORITY_CLASSES } from '../training/kueue';
import { AUTOSCALED_LABEL } from '../names';

/** The node label of a node's zone, and of the node itself. */
export const TOPOLOGY_KEYS = { zone: 'topology.kubernetes.io/zone', node: 'kubernetes.io/hostname' } as const;

/**
 * How a replicated server's pods spread: at most one more on a node than on any other,
 * or they wait (a new node is made for them); across zones as evenly as they can, never
 * waiting for it. Pods of an older revision are not counted against a new one.
 */
export function spreadOver(selector: Record<string, string>): k8s.TopologySpreadConstraint[] {
  const constraint = (topologyKey: string, whenUnsatisfiable: string): k8s.TopologySpreadConstraint => ({
    maxSkew: 1, topologyKey, whenUnsatisfiable, labelSelector: { matchLabels: selector }, matchLabelKeys: ['pod-template-hash'],
  });
  return [constraint(TOPOLOGY_KEYS.node, 'DoNotSchedule'), constraint(TOPOLOGY_KEYS.zone, 'ScheduleAnyway')];
}

/** Props of a {@link WebServer}. */
export interface WebServerProps {
  /** Name of the Deployment, the Service and the `app` label the Service selects. */
  readonly name: string;
  /** Recommended labels of the objects and pods. */
  readonly labels: AppLabelsProps;
  /**
   * Pod labels besides `app` and the recommended ones that the Deployment and the
   * Service select on. A Deployment's selector cannot change, so only labels that stay
   * for the Deployment's life belong here. @default none
   */
  readonly selectorLabels?: Record<string, string>;
  /** Pod labels that nothing selects on. @default none */
  readonly podLabels?: Record<string, string>;
  /** Value of the pods' `app` label. @default `name` */
  readonly appLabel?: string;
  /** Labels of the Deployment object itself besides the recommended ones. @default none */
  readonly deploymentLabels?: Record<string, string>;
  /** Name of the Service. @default `name` */
  readonly serviceName?: string;
  /** Replicas. @default 1 */
  readonly replicas?: number;
  /**
   * Replicas decided by an autoscaler between min and max: the Deployment states none
   * (the autoscaler owns them); pods spread when there may be several, and a disruption
   * budget keeps them one at a time when there are always several.
   */
  readonly autoscaled?: { readonly min: number; readonly max: number };
  /** Main container. */
  readonly container: {
    readonly name: string;
    readonly image: string;
    readonly port: number;
    /** Name of the container and Service port. @default http */
    readonly portName?: string;
    readonly command?: string[];
    readonly args?: string[];
    readonly env?: k8s.EnvVar[];
    readonly envFrom?: k8s.EnvFromSource[];
    readonly volumeMounts?: k8s.VolumeMount[];
    readonly resources: ResourcesConfig;
    /** Extended resources such as `nvidia.com/gpu`, requested and limited alike. */
    readonly extendedResources?: Record<string, number>;
    readonly probe: Omit<HttpProbeOptions, 'port'>;
  };
  /** Init containers, which get the same security context and /tmp. @default none */
  readonly initContainers?: k8s.Container[];
  /** Pod volumes besides /tmp. @default none */
  readonly volumes?: k8s.Volume[];
  /** ServiceAccount the pods run as. @default the namespace's `default` */
  readonly serviceAccountName?: string;
  /** PriorityClass of its pods (servers of GPUs outrank the others, which outrank training). @default `llm-services` */
  readonly priorityClassName?: string;
  /** Port of the Service. @default the container port */
  readonly servicePort?: number;
  /**
   * Replace pods all at once instead of one by one. Right for servers that hold a
   * ReadWriteOnce volume or a scarce GPU, where a surge pod could never start.
   * @default false (rolling update)
   */
  readonly recreate?: boolean;
  /** Tolerations of the pods. @default none */
  readonly tolerations?: k8s.Toleration[];
  /** Node selector of the pods. @default none */
  readonly nodeSelector?: Record<string, string>;
  /** Seconds a pod gets to finish in-flight requests when stopped. @default 30 */
  readonly terminationGracePeriodSeconds?: number;
}

/**
 * An HTTP server: a Deployment with the platform's pod defaults and a ClusterIP
 * Service in front of it. Every server of both layers (MLflow, console, gateway,
 * Strapi, web UI, inference) is one of these.
 *
 * Written on the typed Kubernetes API (`k8s.KubeDeployment`) rather than
 * `kplus.Deployment`: the output must keep the guide's quantities as written (`16Gi`,
 * not `16384Mi`) and carry no generated selector labels, and every field is set here on purpose.
 */
export class WebServer extends Construct {
  public readonly deployment: KubeObject;
  public readonly service: KubeObject;
  /** The disruption budget of a server with more than one replica. */
  public readonly disruptionBudget?: KubeObject;

  constructor(scope: Construct, id: string, props: WebServerProps) {
    super(scope, id);
    const app = props.appLabel ?? props.name;
    const selector = { app, ...props.selectorLabels };
    const labels = appLabels(props.labels);
    const c = props.container;
    // The replicas there may be at most, and at least.
    const most = props.autoscaled?.max ?? props.replicas ?? 1;
    const least = props.autoscaled?.min ?? props.replicas ?? 1;

    this.deployment = kube(this, 'Deployment', KUBE.Deployment, {
      metadata: { name: props.name, labels: { ...labels, ...props.deploymentLabels, ...(props.autoscaled ? { [AUTOSCALED_LABEL]: 'true' } : {}) } },
      spec: {
        replicas: props.autoscaled ? undefined : props.replicas ?? 1,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        strategy: props.recreate ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: intOrString(1), maxUnavailable: intOrString(0) } },
        template: {
          metadata: { labels: { ...labels, ...props.podLabels, ...selector } },
          spec: securedPodSpec({
            serviceAccountName: props.serviceAccountName,
            priorityClassName: props.priorityClassName ?? PRIORITY_CLASSES.services,
            // Several replicas spread over nodes (a node lost takes one) and, as far as the
            // zones have room, over zones: GPUs are often in some zones only.
            topologySpreadConstraints: most > 1 ? spreadOver(selector) : undefined,
            terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 30,
            nodeSelector: props.nodeSelector,
            tolerations: props.tolerations,
            initContainers: props.initContainers,
            containers: [{
              name: c.name,
              image: c.image,
              command: c.command,
              args: c.args,
              ports: [{ name: c.portName ?? 'http', containerPort: c.port, protocol: 'TCP' }],
              env: c.env,
              envFrom: c.envFrom,
              resources: resourceRequirements(c.resources, c.extendedResources),
              volumeMounts: c.volumeMounts,
              ...httpProbes({ ...c.probe, port: c.port }),
            }],
            volumes: props.volumes,
          }),
        },
      },
    });

    // With several replicas, a node drain may take only one at a time: the server keeps answering.
    if (least > 1) {
      this.disruptionBudget = kube(this, 'DisruptionBudget', KUBE.PodDisruptionBudget, {
        metadata: { name: props.name, labels },
        spec: { maxUnavailable: intOrString(1), selector: { matchLabels: selector } },
      });
    }

    this.service = kube(this, 'Service', KUBE.Service, {
      metadata: { name: props.serviceName ?? props.name, labels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: c.portName ?? 'http', port: props.servicePort ?? c.port, targetPort: intOrString(c.port), protocol: 'TCP' }],
      },
    });
  }
}
