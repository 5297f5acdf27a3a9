import { Construct } from 'constructs';
import { resourceRequirements, securedPodSpec, smallResources } from '../components/pod-defaults';
import { AppLabelsProps, appLabels } from '../labels';
import { KUBE, kube, KubeObject } from '../kube-object';

/** curl's options: quiet, one try of 10 s, retried for a minute while the server comes up. */
const CURL = ['--silent', '--show-error', '--output', '/dev/null', '--max-time', '10', '--retry', '6', '--retry-delay', '10', '--retry-all-errors'];

/** Props of a {@link HealthCheck}. */
export interface HealthCheckProps {
  /** Name of the test pod. */
  readonly name: string;
  /** Recommended labels (component `helm-test`). */
  readonly labels: AppLabelsProps;
  /** Image with curl. */
  readonly image: string;
  /** URL that must answer with a 2xx status. */
  readonly url: string;
  /** The exact status the URL must answer with. @default any 2xx */
  readonly status?: number;
  /** What the check verifies, for `kubectl describe` and the chart README. */
  readonly description: string;
  /** Namespace of the pod. @default the chart's */
  readonly namespace?: string;
}

/**
 * A `helm test` hook: a pod that asks one endpoint for a 2xx answer, retrying for a
 * minute while the server comes up, as the guide's `verify_deployment.sh` does with
 * port-forwards and curl. Deleted before the next run and when it succeeds; a failed
 * one stays for `kubectl logs`.
 * @see https://helm.sh/docs/topics/chart_tests/
 */
export class HealthCheck extends Construct {
  public readonly pod: KubeObject;

  constructor(scope: Construct, id: string, props: HealthCheckProps) {
    super(scope, id);
    this.pod = kube(this, 'Resource', KUBE.Pod, {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: appLabels(props.labels),
        annotations: {
          'helm.sh/hook': 'test',
          'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
          'llm-platform/check': props.description,
        },
      },
      spec: securedPodSpec({
        restartPolicy: 'Never',
        containers: [{
          name: 'check',
          image: props.image,
          ...(props.status === undefined
            ? { command: ['curl'], args: [...CURL, '--fail', props.url] }
            : {
              // curl's --fail lets a redirect pass; compare the status itself.
              command: ['sh', '-c', `code=$(curl ${CURL.join(' ')} --write-out '%{http_code}' "$0"); echo "HTTP $code"; test "$code" = ${props.status}`],
              args: [props.url],
            }),
          resources: resourceRequirements(smallResources({ request: '10m', limit: '100m' }, { request: '16Mi', limit: '64Mi' })),
        }],
      }),
    });
  }
}
