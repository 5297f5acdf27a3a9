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
    rule: 'namespace-pod-security',
    kind: 'Namespace',
    name: 'llm-shared',
    reason: "Enforces baseline, not restricted: the official Airflow chart, installed here, runs pods without the restricted profile's seccomp and capability settings. The platform's own pods here meet restricted, and the namespace audits and warns at restricted.",
  },
];

/** The exception for one rule and object, if there is one. */
export function exceptionFor(rule: string, kind: string, name: string, namespace?: string): PolicyException | undefined {
  return POLICY_EXCEPTIONS.find((e) => e.rule === rule && e.kind === kind && e.name === name && e.namespace === namespace);
}
