import { Construct } from 'constructs';
import { PlatformConfig } from '../config/types';
import { imageRef } from '../images';
import { appLabels } from '../labels';
import { INFERENCE_APP, NAMESPACE_ROLE_LABEL, SHARED_NAMESPACE, WORKLOAD_SERVICE_ACCOUNT, WORKSPACE_APPS } from '../names';
import { AIRFLOW_WORKER_ACCOUNT } from '../workspace/airflow-access';
import { clusterScoped, KubeObject } from '../kube-object';

/** Name of the policy (and of its binding). */
export const AIRFLOW_GUARD = 'llm-platform-airflow-pods';

/** `app` labels that open network paths in a workspace (ingress from the gateway, egress to Cloud SQL and GCP). */
export const FORBIDDEN_APP_LABELS = [WORKSPACE_APPS.mlflow, INFERENCE_APP, WORKSPACE_APPS.webui];

/** The checks of the policy, each a CEL expression over the pod and the message when it is false. */
export function airflowGuardValidations(platform: PlatformConfig): { expression: string; message: string }[] {
  const image = imageRef(platform, 'train');
  const containers = "object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : [])";
  return [
    {
      expression: `has(object.spec.serviceAccountName) && object.spec.serviceAccountName == '${WORKLOAD_SERVICE_ACCOUNT}'`,
      message: `Airflow may start pods in a workspace only as the workspace's own ${WORKLOAD_SERVICE_ACCOUNT}`,
    },
    {
      expression: `(${containers}).all(c, c.image == '${image}')`,
      message: `Airflow may start pods in a workspace only with the training image ${image}`,
    },
    {
      expression: `!has(object.metadata.labels) || !('app' in object.metadata.labels) || !(object.metadata.labels['app'] in [${FORBIDDEN_APP_LABELS.map((l) => `'${l}'`).join(', ')}])`,
      message: `Airflow's pods may not carry an app label of the workspace's servers (${FORBIDDEN_APP_LABELS.join(', ')}): those open network paths`,
    },
    {
      expression: "!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.secret))",
      message: "Airflow's pods may not mount the workspace's Secrets",
    },
    {
      expression: `(${containers}).all(c, (!has(c.envFrom) || c.envFrom.all(e, !has(e.secretRef))) && (!has(c.env) || c.env.all(e, !has(e.valueFrom) || !has(e.valueFrom.secretKeyRef))))`,
      message: "Airflow's pods may not read the workspace's Secrets into their environment",
    },
  ];
}

/** Props of an {@link AirflowGuard}. */
export interface AirflowGuardProps {
  readonly platform: PlatformConfig;
}

/**
 * What Airflow may start in a workspace, enforced by the API server: Airflow's worker
 * account may create pods in every workspace (its RoleBinding there), so a pod it makes
 * must be the training pod it is meant to be: the workspace's own service account, the
 * platform's training image, none of the labels that open network paths, no Secret. A
 * ValidatingAdmissionPolicy (GA in Kubernetes 1.30) on pod creation in workspace
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
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
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
