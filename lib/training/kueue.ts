import { Construct } from 'constructs';
import { PlatformConfig, WorkspaceConfig } from '../config/types';
import { clusterScoped, KUBE, kube, KubeObject } from '../kube-object';
import { appLabels } from '../labels';
import { workspaceNamespace } from '../names';
import { bytesQuantity, coresQuantity, trainingShare } from './share';

/**
 * Fair GPU queues (Kueue): every training run is admitted through its team's queue.
 * Each team has a ClusterQueue whose nominal quota is what its quota leaves its runs
 * (`trainingShare`), all in one cohort: a team's idle GPUs serve others' runs, within
 * their borrowing limit, and come back by preemption when the team needs them.
 * Inference outranks training in the scheduler (PriorityClasses); within a team,
 * WorkloadPriorityClasses order the runs.
 * @see https://kueue.sigs.k8s.io/docs/concepts/
 */

/** The Kueue API the manifests use (Kueue 0.19). */
export const KUEUE_API = 'kueue.x-k8s.io/v1beta2';

/** The cohort every team's ClusterQueue is in. */
export const COHORT = 'llm-platform';

/** Each workspace's LocalQueue, which its runs name (label `kueue.x-k8s.io/queue-name`). */
export const LOCAL_QUEUE = 'training';

/** The label that hands a Job or JobSet to Kueue, naming its LocalQueue. */
export const QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';

/** The label that gives a run its WorkloadPriorityClass. */
export const WORKLOAD_PRIORITY_LABEL = 'kueue.x-k8s.io/priority-class';

/**
 * The pods' PriorityClasses: a server may preempt a training pod to start; a training
 * pod preempts nothing (Kueue, not the scheduler, decides whose run goes first).
 */
export const PRIORITY_CLASSES = { inference: 'llm-inference', services: 'llm-services', training: 'llm-training' } as const;

/** Runs' priorities within a team's queue, and their WorkloadPriorityClass values. */
export const RUN_PRIORITIES = { low: 100, normal: 200, high: 300 } as const;

/** The WorkloadPriorityClass of a run's priority. */
export function workloadPriorityClass(priority: keyof typeof RUN_PRIORITIES): string {
  return `${PRIORITY_CLASSES.training}-${priority}`;
}

/** A team's ClusterQueue: named as its namespace. */
export function clusterQueueName(workspace: string): string {
  return workspaceNamespace(workspace);
}

/** The node label of a GKE accelerator. */
export const ACCELERATOR_LABEL = 'cloud.google.com/gke-accelerator';

/**
 * The flavor of what every node has (CPU, memory, local disk): no node labels, so it
 * adds no constraint to where a pod goes; a team's share of these is counted once,
 * whatever accelerator its runs use.
 */
export const NODE_FLAVOR = 'llm-default';

/** What training pods request besides GPUs; Kueue counts every resource a pod requests, so each must be covered. */
const NODE_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'] as const;

/** Props of {@link SharedQueues}. */
export interface SharedQueuesProps {
  readonly platform: PlatformConfig;
}

/**
 * What every team's queue refers to, in the shared layer: a ResourceFlavor per
 * accelerator of the platform (its nodes, by their label) and one of every node
 * (`NODE_FLAVOR`, for CPU, memory and disk), the WorkloadPriorityClasses
 * of runs, and the PriorityClasses of servers and training pods.
 */
export class SharedQueues extends Construct {
  constructor(scope: Construct, id: string, props: SharedQueuesProps) {
    super(scope, id);
    const labels = appLabels({ name: 'kueue', instance: 'shared', component: 'queues' });
    const flavor = (name: string, nodeLabels?: Record<string, string>) => clusterScoped(new KubeObject(this, `Flavor-${name}`, {
      apiVersion: KUEUE_API,
      kind: 'ResourceFlavor',
      metadata: { name, labels },
      spec: nodeLabels ? { nodeLabels } : {},
    }));
    flavor(NODE_FLAVOR);
    for (const a of props.platform.training.accelerators) flavor(a.name, { [ACCELERATOR_LABEL]: a.name });
    for (const [priority, value] of Object.entries(RUN_PRIORITIES)) {
      clusterScoped(new KubeObject(this, `RunPriority-${priority}`, {
        apiVersion: KUEUE_API,
        kind: 'WorkloadPriorityClass',
        metadata: { name: workloadPriorityClass(priority as keyof typeof RUN_PRIORITIES), labels },
        value,
        description: `Training runs of priority ${priority} in their team's queue.`,
      }));
    }
    clusterScoped(kube(this, 'InferencePriority', KUBE.PriorityClass, {
      metadata: { name: PRIORITY_CLASSES.inference, labels },
      value: 100000,
      preemptionPolicy: 'PreemptLowerPriority',
      description: 'Inference servers: may preempt training pods to start.',
    }));
    clusterScoped(kube(this, 'ServicesPriority', KUBE.PriorityClass, {
      metadata: { name: PRIORITY_CLASSES.services, labels },
      value: 10000,
      preemptionPolicy: 'PreemptLowerPriority',
      description: 'The platform\'s other servers (MLflow, the web UI, the gateway, Strapi, the console): above training, below inference.',
    }));
    clusterScoped(kube(this, 'TrainingPriority', KUBE.PriorityClass, {
      metadata: { name: PRIORITY_CLASSES.training, labels },
      value: 1000,
      preemptionPolicy: 'Never',
      description: 'Training pods: preempt nothing; Kueue decides which run starts.',
    }));
  }
}

/** Props of {@link WorkspaceQueue}. */
export interface WorkspaceQueueProps {
  readonly platform: PlatformConfig;
  readonly workspace: WorkspaceConfig;
}

/**
 * A team's queue, in its boundary: ClusterQueue `llm-workspace-<name>` (for its
 * namespace only, in the cohort, its share as nominal quota on every accelerator, GPUs
 * borrowable up to `quota.borrowGpus`, lent GPUs reclaimed by preemption) and the
 * LocalQueue `training` its runs name. A suspended workspace's LocalQueue holds and
 * drains: nothing is admitted, running runs are suspended, finished ones stay finished.
 */
export class WorkspaceQueue extends Construct {
  constructor(scope: Construct, id: string, props: WorkspaceQueueProps) {
    super(scope, id);
    const ws = props.workspace;
    const labels = appLabels({ name: 'kueue', instance: ws.name, component: 'queue' });
    const share = trainingShare(ws);
    const nodeQuota: Record<(typeof NODE_RESOURCES)[number], string> = {
      cpu: coresQuantity(share.cpu),
      memory: bytesQuantity(share.memory),
      'ephemeral-storage': bytesQuantity(share.ephemeralStorage),
    };
    clusterScoped(new KubeObject(this, 'ClusterQueue', {
      apiVersion: KUEUE_API,
      kind: 'ClusterQueue',
      metadata: { name: clusterQueueName(ws.name), labels },
      spec: {
        cohortName: COHORT,
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': workspaceNamespace(ws.name) } },
        queueingStrategy: 'BestEffortFIFO',
        preemption: { reclaimWithinCohort: 'Any', withinClusterQueue: 'LowerPriority', borrowWithinCohort: { policy: 'Never' } },
        resourceGroups: [
          // GPUs by accelerator (Kueue counts each flavor on its own: the namespace's
          // ResourceQuota caps the team's total across them).
          {
            coveredResources: ['nvidia.com/gpu'],
            flavors: props.platform.training.accelerators.map((a) => ({
              name: a.name,
              resources: [{ name: 'nvidia.com/gpu', nominalQuota: share.gpus, borrowingLimit: share.borrowGpus }],
            })),
          },
          // The rest, once for all accelerators; never borrowed.
          {
            coveredResources: [...NODE_RESOURCES],
            flavors: [{ name: NODE_FLAVOR, resources: NODE_RESOURCES.map((name) => ({ name, nominalQuota: nodeQuota[name], borrowingLimit: 0 })) }],
          },
        ],
      },
    }));
    new KubeObject(this, 'LocalQueue', {
      apiVersion: KUEUE_API,
      kind: 'LocalQueue',
      metadata: { name: LOCAL_QUEUE, labels },
      spec: { clusterQueue: clusterQueueName(ws.name), stopPolicy: ws.state === 'active' ? 'None' : 'HoldAndDrain' },
    });
  }
}
