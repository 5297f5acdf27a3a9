import type { PlatformConfig, WorkspaceConfig } from '../config/types';
import { artifactBucketName, dataBucketName, mlflowDatabase, mlflowDatabaseSecretKey, workspaceGcpAccountId, workspaceSecretsAccountId } from '../names';

/**
 * GCP's own rules for the names the platform gives its resources, checked before
 * anything is written: Config Connector would otherwise accept the object and fail at
 * reconcile time, far from the file that caused it. Each check returns why a name is
 * refused, or undefined when GCP takes it.
 */

/**
 * A GCS bucket name: 3 to 63 characters (dotted names up to 222, each part at most 63),
 * lowercase letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit,
 * not an IP address, not starting with `goog` and not containing `google` or a close
 * misspelling of it.
 * @see https://cloud.google.com/storage/docs/buckets#naming
 */
export function bucketNameProblem(name: string): string | undefined {
  if (!/^[a-z0-9][-a-z0-9_.]*[a-z0-9]$/.test(name)) return "must be lowercase letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  if (name.includes('.')) {
    if (name.length > 222) return 'must be at most 222 characters when it has dots';
    if (name.split('.').some((part) => part.length === 0 || part.length > 63)) return 'must have parts of 1 to 63 characters between its dots';
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not be an IP address';
  } else if (name.length < 3 || name.length > 63) {
    return `must be 3 to 63 characters, got ${name.length}`;
  }
  if (name.startsWith('goog')) return "must not start with 'goog'";
  if (/g[o0]{2}g[l1]e/.test(name)) return "must not contain 'google' or a close misspelling of it";
  return undefined;
}

/**
 * A service account id (the part before `@`): 6 to 30 characters, lowercase letters,
 * digits and `-`, starting with a letter and not ending with `-`.
 * @see https://cloud.google.com/iam/docs/service-accounts-create#creating
 */
export function serviceAccountIdProblem(id: string): string | undefined {
  if (id.length < 6 || id.length > 30) return `must be 6 to 30 characters, got ${id.length}`;
  if (!/^[a-z][-a-z0-9]*[a-z0-9]$/.test(id)) return "must be lowercase letters, digits and '-', starting with a letter and ending with a letter or digit";
  return undefined;
}

/**
 * A Cloud SQL for PostgreSQL database or user name: 1 to 63 bytes (PostgreSQL's
 * identifier limit, past which it silently cuts the name), starting with a letter; the
 * platform keeps to letters, digits, `_` and `-` so the name needs no escaping in a
 * connection URI.
 * @see https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
 */
export function sqlNameProblem(name: string): string | undefined {
  if (Buffer.byteLength(name) > 63) return `must be at most 63 bytes, got ${Buffer.byteLength(name)}`;
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) return "must be letters, digits, '_' and '-', starting with a letter";
  return undefined;
}

/**
 * A Secret Manager secret id: 1 to 255 letters, digits, `-` and `_`.
 * @see https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/create
 */
export function secretIdProblem(id: string): string | undefined {
  if (id.length < 1 || id.length > 255) return `must be 1 to 255 characters, got ${id.length}`;
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return "must be letters, digits, '-' and '_'";
  return undefined;
}

/** The check of each kind's `spec.resourceID`, for the kinds whose name GCP constrains. */
export const RESOURCE_ID_RULES: Readonly<Record<string, (name: string) => string | undefined>> = {
  StorageBucket: bucketNameProblem,
  IAMServiceAccount: serviceAccountIdProblem,
  SQLDatabase: sqlNameProblem,
  SQLUser: sqlNameProblem,
  SecretManagerSecret: secretIdProblem,
};

/** The GCP names a workspace's resources get, all derived from its name (and the platform's project and prefix). */
export interface WorkspaceGcpNames {
  /** Id of the service account made for it; absent when its file names an existing one (`gcpServiceAccount`). */
  readonly accountId?: string;
  /** Id of its secret store's service account. */
  readonly secretsAccountId: string;
  readonly bucket: string;
  /** The training-data bucket. */
  readonly dataBucket: string;
  /** Name of its database, and of that database's user. */
  readonly database: string;
  /** Secret Manager key, without the platform's prefix, of its database credentials. */
  readonly secretKey: string;
  /** Secret Manager id of its database credentials. */
  readonly secretId: string;
}

/** The names `WorkspaceGcp` gives a workspace's GCP resources; the input check (`checkGcpNames`) holds them to GCP's rules. */
export function workspaceGcpNames(platform: PlatformConfig, ws: Pick<WorkspaceConfig, 'name' | 'gcpServiceAccount'>): WorkspaceGcpNames {
  const secretKey = mlflowDatabaseSecretKey(ws.name);
  return {
    ...(ws.gcpServiceAccount ? {} : { accountId: workspaceGcpAccountId(ws.name) }),
    secretsAccountId: workspaceSecretsAccountId(ws.name),
    bucket: artifactBucketName(platform.project, ws.name),
    dataBucket: dataBucketName(platform.project, ws.name),
    database: mlflowDatabase(ws.name),
    secretKey,
    secretId: `${platform.secretStore.keyPrefix}${secretKey}`,
  };
}

/** The bucket of the database exports: `backups.bucket`, or `<project>-backups`. */
export function backupBucketName(platform: PlatformConfig): string {
  return platform.backups.bucket ?? `${platform.project}-backups`;
}
