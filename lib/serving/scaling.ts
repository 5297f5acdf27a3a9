import { ServedModelConfig } from '../config/types';

/**
 * How a served model's replicas are decided: fixed (`replicas`) or by load
 * (`autoscaling`). Plain functions of the config, shared by the input rules, the
 * workspace's objects and the gateway.
 */

/** A served model's autoscaling, with its metric's default target filled in. */
export interface Autoscaling {
  readonly min: number;
  readonly max: number;
  readonly metric: 'waitingRequests' | 'kvCacheUsage';
  readonly target: number;
  readonly idleMinutes: number;
}

/** The target of each metric when the file gives none: 5 waiting requests a replica, or 80% of its KV cache. */
export const DEFAULT_TARGETS = { waitingRequests: 5, kvCacheUsage: 0.8 } as const;

/** The model's autoscaling, if it declares one. */
export function autoscalingOf(m: ServedModelConfig): Autoscaling | undefined {
  const a = m.autoscaling;
  if (!a) return undefined;
  return { min: a.min, max: a.max, metric: a.metric, target: a.target ?? DEFAULT_TARGETS[a.metric], idleMinutes: a.idleMinutes };
}

/** The most replicas a model may run at once, its canary's included: what the quota must hold. */
export function maxReplicas(m: ServedModelConfig): number {
  return (m.autoscaling ? m.autoscaling.max : m.replicas) + (m.canary ? m.canary.replicas : 0);
}

/** The percent of a model's requests its canary gets: its weight; none without a canary. */
export function canaryWeight(m: ServedModelConfig): number {
  return m.canary ? m.canary.weight : 0;
}

/** Whether a model scales to zero when idle, and so is reached through the wake-up path. */
export function scalesToZero(m: ServedModelConfig): boolean {
  return m.autoscaling !== undefined && m.autoscaling.min === 0;
}
