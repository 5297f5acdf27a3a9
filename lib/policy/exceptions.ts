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

export const POLICY_EXCEPTIONS: readonly PolicyException[] = [];

/** The exception for one rule and object, if there is one. */
export function exceptionFor(rule: string, kind: string, name: string, namespace?: string): PolicyException | undefined {
  return POLICY_EXCEPTIONS.find((e) => e.rule === rule && e.kind === kind && e.name === name && e.namespace === namespace);
}
