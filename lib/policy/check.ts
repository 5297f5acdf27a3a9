import { Manifest } from '../output/render';
import { exceptionFor } from './exceptions';
import { schemaProblems } from './kubernetes-schema';
import { RULES, Violation } from './rules';

/** The generated objects break the platform's policy or their schemas; nothing is written. */
export class PolicyError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'PolicyError';
  }
}

/** `policy: Deployment llm-workspace-a/mlflow: 'spec....' must be true (rule pod-non-root)` */
export function formatViolation(x: Violation): string {
  const where = x.object.metadata.namespace ? `${x.object.metadata.namespace}/${x.object.metadata.name}` : x.object.metadata.name;
  return `policy: ${x.object.kind} ${where}: '${x.field}' ${x.problem} (rule ${x.rule})`;
}

/** Every violation of every rule, but those excepted by name with a reason. */
export function policyViolations(objects: readonly Manifest[]): Violation[] {
  return RULES.flatMap((r) => r.check(objects))
    .filter((x) => !exceptionFor(x.rule, x.object.kind, x.object.metadata.name, x.object.metadata.namespace));
}

/**
 * The checks synth runs on every generated object before writing anything: the
 * platform's policy (but its listed exceptions) and the Kubernetes and CRD schemas.
 * One line per problem.
 */
export function checkObjects(objects: readonly Manifest[]): string[] {
  return [...policyViolations(objects).map(formatViolation), ...schemaProblems(objects)];
}
