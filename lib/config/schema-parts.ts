/**
 * Building blocks shared by the platform and workspace JSON Schemas.
 *
 * The schemas are written in TypeScript `as const` so that `FromSchema` derives the
 * config types from them at compile time: the types cannot drift from the schemas.
 * `x-allowed` is our own annotation: the human sentence used in error messages for
 * "what is allowed" (ajv is told about the keyword; editors ignore it).
 */

/** A DNS-1123 label: what Kubernetes accepts as a namespace or Service name part. */
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** A DNS-1035 label: like DNS-1123, but starting with a letter (Service names). */
export const DNS_1035_LABEL_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';

/** A registry host with an optional path (`eu.gcr.io/my-project`). */
export const REGISTRY_PATTERN = '^[a-z0-9]([-a-z0-9.:]*[a-z0-9])?(/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)*$';

/**
 * A byte quantity with a binary suffix, as storage and memory are written (`200Gi`).
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */
export const BYTES_PATTERN = '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei)$';

/** Schema of a memory or storage size. */
export function bytes<D extends string>(description: string, defaultValue: D) {
  return {
    type: 'string',
    pattern: BYTES_PATTERN,
    description: `${description} Default: ${defaultValue}.`,
    default: defaultValue,
    examples: [defaultValue],
    'x-allowed': "a size with a binary suffix, like '512Mi', '16Gi' or '1Ti'",
  } as const;
}

/** Schema of a CPU amount. */
export function cpu<D extends string>(description: string, defaultValue: D) {
  return {
    type: 'string',
    pattern: '^[0-9]+(\\.[0-9]+)?m?$',
    description: `${description} Default: ${defaultValue}.`,
    default: defaultValue,
    examples: [defaultValue],
    'x-allowed': "a CPU amount in cores or millicores, like '2', '0.5' or '500m'",
  } as const;
}

/**
 * Schema of a container's CPU, memory and local disk (ephemeral storage: its writable
 * layer, logs and scratch volumes) requests and limits, with per-component defaults.
 * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
 */
export function resources<
  CR extends string, CL extends string, MR extends string, ML extends string, DR extends string, DL extends string,
>(what: string, d: { cpuRequest: CR; cpuLimit: CL; memoryRequest: MR; memoryLimit: ML; diskRequest: DR; diskLimit: DL }) {
  return {
    type: 'object',
    description: `CPU, memory and local disk of ${what}. Each figure you leave out keeps its default.`,
    additionalProperties: false,
    default: {},
    properties: {
      cpu: {
        type: 'object',
        description: `CPU of ${what}.`,
        additionalProperties: false,
        default: {},
        properties: {
          request: cpu('Cores reserved for the container.', d.cpuRequest),
          limit: cpu('Cores the container may use at most.', d.cpuLimit),
        },
      },
      memory: {
        type: 'object',
        description: `Memory of ${what}.`,
        additionalProperties: false,
        default: {},
        properties: {
          request: bytes('Memory reserved for the container.', d.memoryRequest),
          limit: bytes('Memory the container may use at most; above it the container is killed.', d.memoryLimit),
        },
      },
      ephemeralStorage: {
        type: 'object',
        description: `Local disk of ${what} (ephemeral-storage): its scratch folders (/tmp and the like, each bounded by the limit), writable layer and logs. Above the limit the pod is evicted, so that one pod cannot fill a node's disk.`,
        additionalProperties: false,
        default: {},
        properties: {
          request: bytes('Local disk reserved for the container.', d.diskRequest),
          limit: bytes('Local disk the container may use at most.', d.diskLimit),
        },
      },
    },
  } as const;
}

/** Schema of an image reference in platform.yaml. */
export const image = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'tag'],
  properties: {
    registry: {
      type: 'string',
      description: "Registry and path the image is pulled from, overriding the platform's 'registry' for this image.",
      pattern: REGISTRY_PATTERN,
      'x-allowed': "a registry host with an optional path, like 'ghcr.io/mlflow'",
    },
    name: {
      type: 'string',
      description: 'Image name inside the registry.',
      pattern: '^[a-z0-9]([-a-z0-9._/]*[a-z0-9])?$',
      'x-allowed': "an image name of lowercase letters, digits, '-', '.', '_' and '/'",
    },
    tag: {
      type: 'string',
      description: "Image tag. Pinned versions only: 'latest' is refused so that a sync never changes what runs by surprise. At most 63 characters, as it is also the app.kubernetes.io/version label.",
      pattern: '^(?!latest$)[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$',
      'x-allowed': "a pinned tag like 'v1.0.0' (not 'latest'): at most 63 letters, digits, '.', '_' or '-', starting and ending with a letter or digit",
    },
    digest: {
      type: 'string',
      description: 'Content digest that pins the exact image (name:tag@digest), so a re-pushed tag cannot change what runs. Optional.',
      pattern: '^sha256:[a-f0-9]{64}$',
      'x-allowed': "a digest like 'sha256:' followed by 64 hex digits",
    },
  },
} as const;
