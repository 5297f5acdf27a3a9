import type { FromSchema } from 'json-schema-to-ts';
import type { platformSchema } from './platform-schema';
import type { InputProblem } from './problems';
import type { workspaceSchema } from './workspace-schema';
import type { RunInfo } from '../training/run-name';

/*
 * The config types are derived from the JSON Schemas at compile time, so a field added
 * to a schema is a field of the type, and a type cannot name a field the schema lacks.
 * The "resolved" types are what the loader returns after ajv filled in the defaults:
 * a field with a default is present. The "file" types are what a person writes.
 */

/** `platform.yaml` after validation, with every default filled in. */
export type PlatformConfig = FromSchema<typeof platformSchema>;

/** `platform.yaml` as written: fields with a default may be left out. */
export type PlatformFile = FromSchema<typeof platformSchema, { keepDefaultedPropertiesOptional: true }>;

/** A workspace file after validation, with every default filled in. */
export type WorkspaceConfig = FromSchema<typeof workspaceSchema>;

/** A workspace file as written: only `name` is required. */
export type WorkspaceFile = FromSchema<typeof workspaceSchema, { keepDefaultedPropertiesOptional: true }>;

/** One served model of a workspace, defaults filled in. */
export type ServedModelConfig = WorkspaceConfig['inference']['models'][number];

/** One training run of a workspace, defaults filled in. */
export type TrainingRunConfig = WorkspaceConfig['training']['runs'][number];

/** Key of an image in `platform.yaml` (`train`, `api`, ...). */
export type ImageKey = keyof PlatformConfig['images'];

/** CPU and memory figures of one container, defaults filled in. */
export type ResourcesConfig = WorkspaceConfig['webui']['resources'];

/** Everything synth reads, validated. */
export interface PlatformInputs {
  readonly platform: PlatformConfig;
  /** Workspaces sorted by name. */
  readonly workspaces: readonly WorkspaceConfig[];
  /** platform.yaml as shown to the user. */
  readonly platformFile: string;
  /** Each workspace's file as shown to the user, by workspace name. */
  readonly workspaceFiles: Readonly<Record<string, string>>;
  /** Each workspace's training configs, by file name, with their text. */
  readonly trainingConfigs: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Each workspace's training runs, named (`describeRuns`), by workspace name; named when rendered where missing. */
  readonly runs?: Readonly<Record<string, readonly RunInfo[]>>;
  /** Things that are valid but likely wrong; synth prints them and goes on. */
  readonly warnings: readonly InputProblem[];
  /** A hash of platform.yaml as read, for the cache. */
  readonly platformKey?: string;
  /** Each workspace's cache key, by name: a hash of everything its output depends on (`workspaceKey`). */
  readonly workspaceKeys?: Readonly<Record<string, string>>;
}
