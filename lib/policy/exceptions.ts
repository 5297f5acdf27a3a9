/**
 * The only places the platform's output departs from its policy, each with its reason.
 * An exception names one rule and one object; the README lists them all (`npm run docs`).
 */
export interface PolicyException {
  /** The rule that does not hold (see `RULES`). */
  readonly rule: string;
  readonly kind: string;
  /** Namespace of the object; none for cluster-scoped ones. */
  readonly namespace?: string;
  readonly name: string;
  /** Why, in a sentence a reviewer can check. */
  readonly reason: string;
}

export const POLICY_EXCEPTIONS: readonly PolicyException[] = [
  {
    rule: 'pod-no-token',
    kind: 'Deployment',
    namespace: 'llm-shared',
    name: 'llm-job-metrics',
    reason: "kube-state-metrics lists and watches Jobs and CronJobs through the Kubernetes API to export the state of training runs and backups, which GKE's managed package leaves out; its token may do only that (a Role per namespace).",
  },
  {
    rule: 'gcp-scoped-bindings',
    kind: 'IAMPolicyMember',
    namespace: 'llm-gcp',
    name: 'shared-keda-metrics',
    reason: "KEDA scales served models on their metrics, which Managed Prometheus's query API serves for a whole project: roles/monitoring.viewer (read metrics, nothing else) exists on a project only, and no IAM condition narrows it to a namespace.",
  },
];

/** The exception for one rule and object, if there is one. */
export function exceptionFor(rule: string, kind: string, name: string, namespace?: string): PolicyException | undefined {
  return POLICY_EXCEPTIONS.find((e) => e.rule === rule && e.kind === kind && e.name === name && e.namespace === namespace);
}
