// Runs the real nginx (Debian's nginx-light, which integration/nginx-setup.sh installs)
// with the configuration synth generates for mlflow-common-read, in front of a fake
// mlflow-common that records what reaches it: reads pass, writes never arrive, whatever
// the spelling of the request.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { readOnlyProxyConfig } from '../lib/shared/mlflow-common-read';

const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

let upstream: http.Server;
let nginx: ChildProcess;
let tmp: string;
let front: number;
const reached: string[] = [];

beforeAll(async () => {
  if (spawnSync(NGINX, ['-v']).status !== 0) throw new Error(`no nginx at ${NGINX}: run integration/nginx-setup.sh (or set NGINX_BIN)`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlflow-read-'));
  upstream = http.createServer((req, res) => {
    reached.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  const upstreamPort = await freePort();
  await new Promise<void>((resolve) => upstream.listen(upstreamPort, '127.0.0.1', resolve));
  front = await freePort();
  const conf = path.join(tmp, 'nginx.conf');
  fs.writeFileSync(conf, readOnlyProxyConfig({ upstream: `http://127.0.0.1:${upstreamPort}`, port: front, tmp }));
  nginx = spawn(NGINX, ['-e', '/dev/stderr', '-c', conf, '-g', 'daemon off;'], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (await send('GET', '/healthz').then((s) => s === 200, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('nginx did not start');
}, 30_000);

afterAll(async () => {
  nginx?.kill('SIGTERM');
  await new Promise<void>((resolve) => upstream?.close(() => resolve()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Sends a raw request line (the path exactly as written) and resolves to the status. */
function send(method: string, rawPath: string, body = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(front, '127.0.0.1', () => {
      socket.write(`${method} ${rawPath} HTTP/1.1\r\nHost: mlflow-common-read\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
    let data = '';
    socket.on('data', (d) => { data += d.toString(); });
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

test('reads reach mlflow-common: GETs, artifact downloads, and the reads the client sends as POST', async () => {
  reached.length = 0;
  expect(await send('GET', '/api/2.0/mlflow/registered-models/get?name=llama-3-8b-base')).toBe(200);
  expect(await send('GET', '/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model/MLmodel')).toBe(200);
  expect(await send('POST', '/api/2.0/mlflow/registered-models/get-latest-versions', '{"name":"llama-3-8b-base"}')).toBe(200);
  expect(await send('POST', '/api/2.0/mlflow/runs/search', '{}')).toBe(200);
  expect(reached).toEqual([
    'GET /api/2.0/mlflow/registered-models/get?name=llama-3-8b-base',
    'GET /api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model/MLmodel',
    'POST /api/2.0/mlflow/registered-models/get-latest-versions',
    'POST /api/2.0/mlflow/runs/search',
  ]);
});

test('writes are refused before they reach mlflow-common, however they are spelled', async () => {
  reached.length = 0;
  const writes: [string, string][] = [
    ['POST', '/api/2.0/mlflow/registered-models/create'],
    ['POST', '/api/2.0/mlflow/model-versions/create'],
    ['POST', '/api/2.0/mlflow/experiments/create'],
    ['POST', '/api/2.0/mlflow/runs/create'],
    ['POST', '/ajax-api/2.0/mlflow/upload-artifact?run_uuid=r&path=model/MLmodel'],
    ['PUT', '/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model/model.safetensors'],
    ['DELETE', '/api/2.0/mlflow/registered-models/delete'],
    ['PATCH', '/api/2.0/mlflow/registered-models/update'],
    ['POST', '/graphql'],
    ['POST', '/api/2.0/mlflow/registered-models/get-latest-versions/../create'],
    ['POST', '/api/2.0/mlflow//registered-models/create'],
    ['POST', '/api/2.0/mlflow/registered-models/get-latest-versions/'],
    ['POST', '/api/2.0/mlflow/registered-models/create%3F/../get-latest-versions'],
    ['POST', '/api/2.0/mlflow/registered-models/%63reate'],
  ];
  const statuses = await Promise.all(writes.map(([m, p]) => send(m, p, '{}')));
  // Refused (403), or a spelling that only reads, sent on under its canonical path.
  expect(statuses.filter((s) => s !== 403 && s !== 200)).toEqual([]);
  expect(reached.filter((r) => !/^POST \/api\/2\.0\/mlflow\/registered-models\/get-latest-versions$/.test(r))).toEqual([]);
});
