import type { k8s } from 'cdk8s-plus-28';
import { STRAPI_TOKEN_SECRET } from '../names';

/** Env var under which the gateway and the console find the Strapi API token. */
export const STRAPI_TOKEN_ENV = 'STRAPI_API_TOKEN';

/** The env entry that hands a container the Strapi API token from its Secret. */
export function strapiTokenEnv(): k8s.EnvVar {
  return { name: STRAPI_TOKEN_ENV, valueFrom: { secretKeyRef: { name: STRAPI_TOKEN_SECRET, key: STRAPI_TOKEN_ENV } } };
}
