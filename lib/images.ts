import { ImageKey, PlatformConfig } from './config/types';

/** Full reference of a platform image, `<registry>/<name>:<tag>`, with `@<digest>` when one is given. */
export function imageRef(platform: PlatformConfig, key: ImageKey): string {
  const image = platform.images[key];
  return `${image.registry ?? platform.registry}/${image.name}:${image.tag}${image.digest ? `@${image.digest}` : ''}`;
}

/** The tag of a platform image, for the `app.kubernetes.io/version` label. */
export function imageTag(platform: PlatformConfig, key: ImageKey): string {
  return platform.images[key].tag;
}
