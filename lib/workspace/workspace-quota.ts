import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { WorkspaceConfig } from '../config/types';
import { LIMIT_OVER_REQUEST } from '../config/workspace-schema';
import { appLabels } from '../labels';
import { kube } from '../kube-object';

/** Props of a {@link WorkspaceQuota}. */
export interface WorkspaceQuotaProps {
  /** Workspace name. */
  readonly workspace: string;
  /** The quota of the workspace file. */
  readonly quota: WorkspaceConfig['quota'];
  /** How many ExternalSecrets the workspace's own objects hold: the quota allows that many and no more. */
  readonly externalSecrets: number;
}

/**
 * Object counts of the External Secrets kinds in a workspace: its one SecretStore, the
 * ExternalSecrets it is generated with, and nothing else. Whoever may create objects
 * in the namespace cannot add a store or a PushSecret (a way to send secrets out), and
 * the counts hold even if RBAC slips.
 */
export function secretKindCounts(externalSecrets: number): Record<string, number> {
  return {
    'count/secretstores.external-secrets.io': 1,
    'count/externalsecrets.external-secrets.io': externalSecrets,
    'count/pushsecrets.external-secrets.io': 0,
  };
}

function times(quantity: string, factor: number): k8s.Quantity {
  const m = /^([0-9.]+)(.*)$/.exec(quantity)!;
  return k8s.Quantity.fromString(`${Number(m[1]) * factor}${m[2]}`);
}

/**
 * ResourceQuota `workspace-quota` and LimitRange `workspace-limits` of a workspace, so
 * one team's jobs cannot starve another's GPUs or fill a shared node's disk, and no
 * secret store or PushSecret can be added (see {@link secretKindCounts}). The quota caps GPUs, CPU and memory
 * (requests, and limits at twice the requests), storage and volume claims; the limit
 * range gives a pod that states no resources (an Airflow task, say) modest defaults
 * instead of an unbounded share, and caps a single claim at the workspace's storage.
 * @see https://kubernetes.io/docs/concepts/policy/resource-quotas/
 * @see https://kubernetes.io/docs/concepts/policy/limit-range/
 */
export class WorkspaceQuota extends Construct {
  constructor(scope: Construct, id: string, props: WorkspaceQuotaProps) {
    super(scope, id);
    const q = props.quota;
    const labels = appLabels({ name: 'resource-quota', instance: props.workspace, component: 'quota' });
    kube(this, 'Quota', k8s.KubeResourceQuota, {
      metadata: { name: 'workspace-quota', labels },
      spec: {
        hard: {
          'requests.nvidia.com/gpu': k8s.Quantity.fromNumber(q.gpus),
          'requests.cpu': k8s.Quantity.fromString(q.cpu),
          'limits.cpu': times(q.cpu, LIMIT_OVER_REQUEST),
          'requests.memory': k8s.Quantity.fromString(q.memory),
          'limits.memory': times(q.memory, LIMIT_OVER_REQUEST),
          'requests.ephemeral-storage': k8s.Quantity.fromString(q.ephemeralStorage),
          'limits.ephemeral-storage': times(q.ephemeralStorage, LIMIT_OVER_REQUEST),
          'requests.storage': k8s.Quantity.fromString(q.storage),
          persistentvolumeclaims: k8s.Quantity.fromNumber(q.persistentVolumeClaims),
          ...Object.fromEntries(Object.entries(secretKindCounts(props.externalSecrets)).map(([k, n]) => [k, k8s.Quantity.fromNumber(n)])),
        },
      },
    });
    kube(this, 'Limits', k8s.KubeLimitRange, {
      metadata: { name: 'workspace-limits', labels },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { 'cpu': k8s.Quantity.fromString('500m'), 'memory': k8s.Quantity.fromString('1Gi'), 'ephemeral-storage': k8s.Quantity.fromString('1Gi') },
            default: { 'cpu': k8s.Quantity.fromString('2'), 'memory': k8s.Quantity.fromString('4Gi'), 'ephemeral-storage': k8s.Quantity.fromString('4Gi') },
          },
          { type: 'PersistentVolumeClaim', max: { storage: k8s.Quantity.fromString(q.storage) } },
        ],
      },
    });
  }
}
