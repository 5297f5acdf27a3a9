/**
 * Kubernetes recommended labels, from one helper so that every object and pod template
 * carries the same set.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */

/** Value of `app.kubernetes.io/part-of` on everything the platform generates. */
export const PART_OF = 'llm-platform';

/** Value of `app.kubernetes.io/managed-by`. */
export const MANAGED_BY = 'llm-platform-synth';

/** What a set of recommended labels describes. */
export interface AppLabelsProps {
  /** The application, like `mlflow` or `llama-factory`. */
  readonly name: string;
  /** The instance: the workspace name, or `shared`. */
  readonly instance: string;
  /** The role inside the platform, like `tracking-server` or `inference`. */
  readonly component: string;
  /** Version of the application (the image tag), on workloads. */
  readonly version?: string;
}

/** The `app.kubernetes.io/*` labels for an object or pod template. */
export function appLabels(props: AppLabelsProps): Record<string, string> {
  return {
    'app.kubernetes.io/name': props.name,
    'app.kubernetes.io/instance': props.instance,
    'app.kubernetes.io/component': props.component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    ...(props.version ? { 'app.kubernetes.io/version': props.version } : {}),
  };
}
