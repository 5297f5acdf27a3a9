import type { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { WorkspaceConfig } from '../config/types';
import { LIMIT_OVER_REQUEST } from '../config/workspace-schema';
import { appLabels } from '../labels';
import { KUBE, kube, quantity } from '../kube-object';

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

function times(amount: string, factor: number): k8s.Quantity {
  const m = /^([0-9.]+)(.*)$/.exec(amount)!;
  return quantity(`${Number(m[1]) * factor}${m[2]}`);
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
    kube(this, 'Quota', KUBE.ResourceQuota, {
      metadata: { name: 'workspace-quota', labels },
      spec: {
        hard: {
          // Its own GPUs, and those its runs may borrow from other teams through Kueue.
          'requests.nvidia.com/gpu': quantity(q.gpus + q.borrowGpus),
          'requests.cpu': quantity(q.cpu),
          'limits.cpu': times(q.cpu, LIMIT_OVER_REQUEST),
          'requests.memory': quantity(q.memory),
          'limits.memory': times(q.memory, LIMIT_OVER_REQUEST),
          'requests.ephemeral-storage': quantity(q.ephemeralStorage),
          'limits.ephemeral-storage': times(q.ephemeralStorage, LIMIT_OVER_REQUEST),
          'requests.storage': quantity(q.storage),
          persistentvolumeclaims: quantity(q.persistentVolumeClaims),
          ...Object.fromEntries(Object.entries(secretKindCounts(props.externalSecrets)).map(([k, n]) => [k, quantity(n)])),
        },
      },
    });
    kube(this, 'Limits', KUBE.LimitRange, {
      metadata: { name: 'workspace-limits', labels },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { 'cpu': quantity('500m'), 'memory': quantity('1Gi'), 'ephemeral-storage': quantity('1Gi') },
            default: { 'cpu': quantity('2'), 'memory': quantity('4Gi'), 'ephemeral-storage': quantity('4Gi') },
          },
          { type: 'PersistentVolumeClaim', max: { storage: quantity(q.storage) } },
        ],
      },
    });
  }
}
