import { Construct } from 'constructs';
import { PlatformConfig } from '../config/types';
import { imageRef } from '../images';
import { appLabels } from '../labels';
import { INFERENCE_APP, INFERENCE_CANARY_APP, NAMESPACE_ROLE_LABEL, SHARED_NAMESPACE, WORKLOAD_SERVICE_ACCOUNT, WORKSPACE_APPS } from '../names';
import { AIRFLOW_WORKER_ACCOUNT } from '../workspace/airflow-access';
import { clusterScoped, KubeObject } from '../kube-object';
import { LOCAL_QUEUE, PRIORITY_CLASSES, QUEUE_LABEL } from '../training/kueue';
import { GCSFUSE_DRIVER } from '../training/training-run';

/** Name of the policy (and of its binding). */
export const AIRFLOW_GUARD = 'llm-platform-airflow-jobs';

/** `app` labels that open network paths in a workspace (ingress from the gateway, egress to Cloud SQL and GCP). */
export const FORBIDDEN_APP_LABELS = [WORKSPACE_APPS.mlflow, INFERENCE_APP, INFERENCE_CANARY_APP, WORKSPACE_APPS.webui];

/** The checks of the policy, each a CEL expression over the Job and the message when it is false. */
export function airflowGuardValidations(platform: PlatformConfig): { expression: string; message: string }[] {
  const image = imageRef(platform, 'train');
  const pod = 'object.spec.template';
  const containers = `${pod}.spec.containers + (has(${pod}.spec.initContainers) ? ${pod}.spec.initContainers : [])`;
  return [
    {
      expression: `has(object.spec.suspend) && object.spec.suspend == true && has(object.metadata.labels) && '${QUEUE_LABEL}' in object.metadata.labels && object.metadata.labels['${QUEUE_LABEL}'] == '${LOCAL_QUEUE}'`,
      message: `Airflow may start a run in a workspace only as a Job created suspended in the workspace's queue '${LOCAL_QUEUE}': Kueue admits it`,
    },
    {
      expression: `has(${pod}.spec.priorityClassName) && ${pod}.spec.priorityClassName == '${PRIORITY_CLASSES.training}'`,
      message: `Airflow's runs have the training priority ${PRIORITY_CLASSES.training}, which preempts nothing`,
    },
    {
      expression: `has(${pod}.spec.serviceAccountName) && ${pod}.spec.serviceAccountName == '${WORKLOAD_SERVICE_ACCOUNT}'`,
      message: `Airflow may start runs in a workspace only as the workspace's own ${WORKLOAD_SERVICE_ACCOUNT}`,
    },
    {
      expression: `(${containers}).all(c, c.image == '${image}')`,
      message: `Airflow may start runs in a workspace only with the training image ${image}`,
    },
    {
      expression: `!has(${pod}.metadata.labels) || !('app' in ${pod}.metadata.labels) || !(${pod}.metadata.labels['app'] in [${FORBIDDEN_APP_LABELS.map((l) => `'${l}'`).join(', ')}])`,
      message: `Airflow's runs may not carry an app label of the workspace's servers (${FORBIDDEN_APP_LABELS.join(', ')}): those open network paths`,
    },
    {
      // A Secret reaches a pod as a volume of its own, or inside a projected volume; so
      // does a token of the service account. The only CSI driver a run uses is GCS FUSE.
      expression: `!has(${pod}.spec.volumes) || ${pod}.spec.volumes.all(v, !has(v.secret)`
        + ' && (!has(v.projected) || !has(v.projected.sources) || v.projected.sources.all(s, !has(s.secret) && !has(s.serviceAccountToken)))'
        + ` && (!has(v.csi) || v.csi.driver == '${GCSFUSE_DRIVER}'))`,
      message: "Airflow's runs may not mount the workspace's Secrets or a service account token",
    },
    {
      expression: `has(${pod}.spec.automountServiceAccountToken) && ${pod}.spec.automountServiceAccountToken == false`,
      message: "Airflow's runs may not get a service account token (automountServiceAccountToken must be false)",
    },
    {
      expression: `(${containers}).all(c, (!has(c.envFrom) || c.envFrom.all(e, !has(e.secretRef))) && (!has(c.env) || c.env.all(e, !has(e.valueFrom) || !has(e.valueFrom.secretKeyRef))))`,
      message: "Airflow's runs may not read the workspace's Secrets into their environment",
    },
  ];
}

/** Props of an {@link AirflowGuard}. */
export interface AirflowGuardProps {
  readonly platform: PlatformConfig;
}

/**
 * What Airflow may start in a workspace, enforced by the API server: Airflow's worker
 * account may create Jobs in every workspace (its RoleBinding there), so a Job it makes
 * must be the training run it is meant to be: suspended in the workspace's queue at the
 * training priority, as the workspace's own service account, with the platform's training
 * image, none of the labels that open network paths, no Secret. A
 * ValidatingAdmissionPolicy (GA in Kubernetes 1.30) on Job creation in workspace
 * namespaces by that account, denying what fails.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/
 */
export class AirflowGuard extends Construct {
  constructor(scope: Construct, id: string, props: AirflowGuardProps) {
    super(scope, id);
    const labels = appLabels({ name: 'airflow', instance: 'shared', component: 'admission' });
    const policy = new KubeObject(this, 'Policy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: AIRFLOW_GUARD, labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{ apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['jobs'] }],
          namespaceSelector: { matchLabels: { [NAMESPACE_ROLE_LABEL]: 'workspace' } },
        },
        matchConditions: [{ name: 'airflow-worker', expression: `request.userInfo.username == 'system:serviceaccount:${SHARED_NAMESPACE}:${AIRFLOW_WORKER_ACCOUNT}'` }],
        validations: airflowGuardValidations(props.platform),
      },
    });
    const binding = new KubeObject(this, 'Binding', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: AIRFLOW_GUARD, labels },
      spec: { policyName: policy.name, validationActions: ['Deny'] },
    });
    // Cluster-scoped, but the chart stamps its namespace on every object.
    for (const o of [policy, binding]) clusterScoped(o);
  }
}
