import type { k8s } from 'cdk8s-plus-28';
import { parseQuantity } from '../config/quantity';
import { ResourcesConfig } from '../config/types';
import { intOrString, quantity, quantityValue } from '../kube-object';

/**
 * The platform's pod defaults, decided once. The guide runs everything as root with
 * default privileges; we run every container as an unprivileged user with a read-only
 * root filesystem, writable `emptyDir` at /tmp (and HOME there), no service-account
 * token, and images pulled only when missing (tags are pinned).
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */

/** UID and GID every container runs as; also the fsGroup that owns mounted volumes. */
export const RUN_AS_ID = 1000;

/** Pod-level security context: non-root user, volume ownership, RuntimeDefault seccomp. */
export function podSecurityContext(): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: RUN_AS_ID,
    runAsGroup: RUN_AS_ID,
    fsGroup: RUN_AS_ID,
    // Changing ownership of a 200Gi volume at every start is slow; only do it when the root differs.
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level security context: no privilege escalation, no capabilities, read-only root. */
export function containerSecurityContext(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  };
}

/** Name of the scratch volume every pod gets for /tmp. */
export const TMP_VOLUME = 'tmp';

/** The scratch volume at /tmp that a read-only root filesystem needs. */
export function tmpVolume(): k8s.Volume {
  return { name: TMP_VOLUME, emptyDir: {} };
}

/** Mount of the scratch volume. */
export function tmpMount(): k8s.VolumeMount {
  return { name: TMP_VOLUME, mountPath: '/tmp' };
}

/** HOME points at /tmp: Python tools write caches under HOME, and the root filesystem is read-only. */
export function homeEnv(): k8s.EnvVar {
  return { name: 'HOME', value: '/tmp' };
}

/** CPU, memory and local disk (ephemeral-storage) requests and limits, from a workspace or platform file or a component's own figures. */
export function resourceRequirements(r: ResourcesConfig, extended: Record<string, number> = {}): k8s.ResourceRequirements {
  const counts = Object.fromEntries(Object.entries(extended).map(([k, v]) => [k, quantity(v)]));
  const q = quantity;
  return {
    requests: { cpu: q(r.cpu.request), memory: q(r.memory.request), 'ephemeral-storage': q(r.ephemeralStorage.request), ...counts },
    limits: { cpu: q(r.cpu.limit), memory: q(r.memory.limit), 'ephemeral-storage': q(r.ephemeralStorage.limit), ...counts },
  };
}

/** Figures of a small helper container (a hook, a check, a backup driver): a little CPU, memory and local disk. */
export function smallResources(cpu: { request: string; limit: string }, memory: { request: string; limit: string }): ResourcesConfig {
  return { cpu, memory, ephemeralStorage: { request: '256Mi', limit: '1Gi' } };
}

/** The largest of some quantities, as written. */
function largest(quantities: readonly string[]): string | undefined {
  return [...quantities].sort((a, b) => parseQuantity(b) - parseQuantity(a))[0];
}

/**
 * Every emptyDir of a pod with a size limit: on disk, the pod's largest ephemeral-storage
 * limit (the kubelet evicts the pod past it); in memory (`medium: Memory`, counted as the
 * container's memory), the largest memory request. A scratch folder cannot fill a shared
 * GPU node's disk or take memory the scheduler did not reserve.
 * @see https://kubernetes.io/docs/concepts/storage/volumes/#emptydir
 */
function boundedEmptyDirs(volumes: readonly k8s.Volume[], containers: readonly k8s.Container[]): k8s.Volume[] {
  const figure = (kind: 'limits' | 'requests', resource: string) => largest(containers.map((c) => quantityValue(c.resources?.[kind]?.[resource])).filter((v): v is string => typeof v === 'string'));
  return volumes.map((v) => {
    if (!v.emptyDir || v.emptyDir.sizeLimit) return v;
    const size = v.emptyDir.medium === 'Memory' ? figure('requests', 'memory') : figure('limits', 'ephemeral-storage');
    return size ? { ...v, emptyDir: { ...v.emptyDir, sizeLimit: quantity(size) } } : v;
  });
}

/** Figures of a probe set for a server. */
export interface HttpProbeOptions {
  /** Path that answers 2xx or 3xx when the server is healthy; none for a server that does not speak HTTP (a TCP connection is the check). */
  readonly path?: string;
  /** Container port. */
  readonly port: number;
  /** How long the server may take to start before it is restarted, in seconds. */
  readonly startupSeconds: number;
}

/**
 * Startup, readiness and liveness probes on one HTTP endpoint. The startup probe gives
 * the server `startupSeconds` to come up (a large model takes minutes); after that,
 * readiness takes it out of its Service within 30 s of failing and liveness restarts it
 * after a minute.
 * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 */
export function httpProbes(o: HttpProbeOptions): Pick<k8s.Container, 'startupProbe' | 'readinessProbe' | 'livenessProbe'> {
  const check = o.path === undefined ? { tcpSocket: { port: intOrString(o.port) } } : { httpGet: { path: o.path, port: intOrString(o.port) } };
  return {
    startupProbe: { ...check, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: Math.max(1, Math.ceil(o.startupSeconds / 10)) },
    readinessProbe: { ...check, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    livenessProbe: { ...check, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
  };
}

/**
 * A container with the platform's defaults: HOME and /tmp on the scratch volume, the
 * restricted security context, images pulled only when missing.
 */
export function securedContainer(container: k8s.Container): k8s.Container {
  return {
    imagePullPolicy: 'IfNotPresent',
    ...container,
    env: [homeEnv(), ...(container.env ?? [])],
    volumeMounts: [...(container.volumeMounts ?? []), tmpMount()],
    securityContext: containerSecurityContext(),
  };
}

/**
 * A pod spec with the platform's defaults: every container (init ones too) secured, the
 * pod non-root with RuntimeDefault seccomp, the scratch volume, every emptyDir bounded,
 * and no service-account token (no pod of the platform talks to the Kubernetes API;
 * Workload Identity needs none).
 */
export function securedPodSpec(spec: k8s.PodSpec): k8s.PodSpec {
  return {
    ...spec,
    automountServiceAccountToken: false,
    securityContext: podSecurityContext(),
    initContainers: spec.initContainers?.map(securedContainer),
    containers: spec.containers.map(securedContainer),
    volumes: boundedEmptyDirs([...(spec.volumes ?? []), tmpVolume()], spec.containers),
  };
}
