import { Construct } from 'constructs';
import { appLabels } from '../labels';
import { SHARED_NAMESPACE } from '../names';
import { KUBE, kube } from '../kube-object';

/** ServiceAccount of Airflow's task pods (the official chart's `airflow-worker`), which run the KubernetesPodOperator. */
export const AIRFLOW_WORKER_ACCOUNT = 'airflow-worker';

/** Props of an {@link AirflowAccess}. */
export interface AirflowAccessProps {
  /** Workspace name. */
  readonly workspace: string;
}

/**
 * What Airflow may do in a workspace: start, watch and clean up the pods of training
 * tasks, and read their logs and events. Only here, through one RoleBinding per
 * workspace; Airflow gets no cluster-wide role.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/
 */
export class AirflowAccess extends Construct {
  constructor(scope: Construct, id: string, props: AirflowAccessProps) {
    super(scope, id);
    const labels = appLabels({ name: 'airflow', instance: props.workspace, component: 'rbac' });
    const role = kube(this, 'Role', KUBE.Role, {
      metadata: { name: 'airflow-pod-launcher', labels },
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'list', 'watch', 'delete', 'patch'] },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get', 'list'] },
        { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    kube(this, 'Binding', KUBE.RoleBinding, {
      metadata: { name: 'airflow-pod-launcher', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: AIRFLOW_WORKER_ACCOUNT, namespace: SHARED_NAMESPACE }],
    });
  }
}
