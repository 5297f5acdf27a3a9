import type { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { appLabels } from '../labels';
import { NAMESPACE_ROLE_LABEL } from '../names';
import { intOrString, KUBE, kube } from '../kube-object';

/**
 * The building blocks of every namespace's NetworkPolicies: default-deny, DNS, and
 * peers named the way a tenant cannot forge (namespaces by their name label, which the
 * API server sets, or by the platform's role label on namespaces only it creates).
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */

export type Peer = k8s.NetworkPolicyPeer;
export type Port = k8s.NetworkPolicyPort;
export type Rules = { ingress?: k8s.NetworkPolicyIngressRule[]; egress?: k8s.NetworkPolicyEgressRule[] };

/** A TCP port. */
export const tcp = (port: number): Port => ({ protocol: 'TCP', port: intOrString(port) });

/** Pods with `labels` in the namespace called `namespace`. */
export function podsIn(namespace: string, labels: Record<string, string> = {}): Peer {
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
    ...(Object.keys(labels).length > 0 ? { podSelector: { matchLabels: labels } } : {}),
  };
}

/** Pods with `labels` in every namespace of a role (`workspace`, ...). */
export function podsInEvery(role: string, labels: Record<string, string> = {}): Peer {
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_ROLE_LABEL]: role } },
    ...(Object.keys(labels).length > 0 ? { podSelector: { matchLabels: labels } } : {}),
  };
}

/** Pods with `labels` in the policy's own namespace. */
export function podsHere(labels: Record<string, string>): Peer {
  return { podSelector: { matchLabels: labels } };
}

/** Private address ranges, kept out of "any public address". */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/** Address ranges as peers; `0.0.0.0/0` means any public address (the private ranges stay out). */
export function addresses(cidrs: readonly string[]): Peer[] {
  return cidrs.map((cidr) => ({ ipBlock: { cidr, ...(cidr === '0.0.0.0/0' ? { except: PRIVATE_RANGES } : {}) } }));
}

/** GKE's metadata server, which Workload Identity answers through (port 988 on Dataplane V2). */
export const METADATA_SERVER: k8s.NetworkPolicyEgressRule[] = [
  { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [tcp(80)] },
  { to: [{ ipBlock: { cidr: '169.254.169.252/32' } }], ports: [tcp(988)] },
];

/** NodeLocal DNSCache's address on GKE. */
const NODE_LOCAL_DNS = '169.254.20.10/32';

/** Props of {@link NamespacePolicies}. */
export interface NamespacePoliciesProps {
  /** `app.kubernetes.io/instance` of the policies: the workspace name, `shared` or `probes`. */
  readonly instance: string;
  /** Namespace of the policies. @default the chart's */
  readonly namespace?: string;
}

/**
 * A namespace's NetworkPolicies: `default-deny` (nothing in or out), `allow-dns` for
 * every pod, then one policy per allowed flow, added with {@link NamespacePolicies.allow}.
 */
export class NamespacePolicies extends Construct {
  private readonly labels: Record<string, string>;
  private readonly namespace?: string;

  constructor(scope: Construct, id: string, props: NamespacePoliciesProps) {
    super(scope, id);
    this.labels = appLabels({ name: 'network-policy', instance: props.instance, component: 'network' });
    this.namespace = props.namespace;
    this.allow('DefaultDeny', 'default-deny', {}, { ingress: [], egress: [] });
    this.allow('Dns', 'allow-dns', {}, {
      egress: [{
        to: [
          podsIn('kube-system', { 'k8s-app': 'kube-dns' }),
          { ipBlock: { cidr: NODE_LOCAL_DNS } },
          // GKE with Cloud DNS answers pods from the metadata server's address.
          { ipBlock: { cidr: '169.254.169.254/32' } },
        ],
        ports: [{ protocol: 'UDP', port: intOrString(53) }, tcp(53)],
      }],
    });
  }

  /** A policy named `name` for the pods with `pods` labels (all, when empty), allowing exactly `rules`. */
  public allow(id: string, name: string, pods: Record<string, string>, rules: Rules): k8s.KubeNetworkPolicy {
    return kube(this, id, KUBE.NetworkPolicy, {
      metadata: { name, namespace: this.namespace, labels: this.labels },
      spec: {
        podSelector: { matchLabels: pods },
        policyTypes: [...(rules.ingress ? ['Ingress'] : []), ...(rules.egress ? ['Egress'] : [])],
        ...rules,
      },
    });
  }
}
