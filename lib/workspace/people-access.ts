import type { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { appLabels } from '../labels';
import { KUBE, kube } from '../kube-object';

/** The Roles people get in a workspace. */
export const PEOPLE_ROLES = { member: 'workspace-member', admin: 'workspace-admin' } as const;

/** What the workspace's objects are, for reading: all a member may see. */
const READ: k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['pods', 'pods/log', 'events', 'services', 'endpoints', 'configmaps', 'persistentvolumeclaims', 'resourcequotas', 'limitranges'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch'] },
  // `kubectl port-forward svc/llama-factory-webui` reaches a pod of the Service through the API server.
  { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create'] },
];

/** What an admin may do besides: restart servers, delete stuck pods and Jobs (a declared run's Job is created again by the next sync). */
const ADMIN: k8s.PolicyRule[] = [
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['delete'] },
];

/** A person or group as RBAC names them, from `user:<email>` or `group:<email>`. */
export function subject(entry: string): k8s.Subject {
  const [kind, name] = entry.split(/:(.*)/s);
  return { apiGroup: 'rbac.authorization.k8s.io', kind: kind === 'group' ? 'Group' : 'User', name };
}

/** Props of a {@link PeopleAccess}. */
export interface PeopleAccessProps {
  /** Workspace name. */
  readonly workspace: string;
  /** Members (`user:` or `group:` entries). */
  readonly members: readonly string[];
  /** Admins (`user:` or `group:` entries); they are members too. */
  readonly admins: readonly string[];
}

/**
 * What people may do in a workspace, granted on purpose and in its namespace only: the
 * workspace's members read its objects and port-forward to its servers; its admins also
 * restart servers and delete pods and Jobs. Neither may read Secrets, touch External
 * Secrets kinds or RBAC, exec or attach into pods, or create any: each of those is a way
 * out of the tenant (a secret store, a token, a shell as the workspace's identity).
 * Roles are made only when someone is named; bindings name groups and users as GKE's
 * Google Groups for RBAC expects.
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/google-groups-rbac
 */
export class PeopleAccess extends Construct {
  constructor(scope: Construct, id: string, props: PeopleAccessProps) {
    super(scope, id);
    const labels = appLabels({ name: 'people-access', instance: props.workspace, component: 'rbac' });
    const grant = (gid: string, role: string, rules: k8s.PolicyRule[], who: readonly string[]) => {
      if (who.length === 0) return;
      kube(this, `${gid}Role`, KUBE.Role, { metadata: { name: role, labels }, rules });
      kube(this, `${gid}Binding`, KUBE.RoleBinding, {
        metadata: { name: role, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
        subjects: [...new Set(who)].sort().map(subject),
      });
    };
    grant('Member', PEOPLE_ROLES.member, READ, [...props.members, ...props.admins]);
    grant('Admin', PEOPLE_ROLES.admin, ADMIN, props.admins);
  }
}
