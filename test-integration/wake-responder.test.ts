// Runs the real nginx (Debian's nginx-light, which integration/nginx-setup.sh installs)
// with the configuration synth generates for a workspace's wake-up answer (model-waking):
// every request, whatever its method or path, gets 503 with Retry-After and an
// OpenAI-style error; the probes' /healthz gets 200.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { RETRY_AFTER_SECONDS, wakeResponderConfig } from '../lib/serving/wake-responder';

const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

let nginx: ChildProcess;
let tmp: string;
let port: number;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as net.AddressInfo;
      s.close(() => resolve(p));
    });
  });
}

function request(method: string, url: string, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  if (spawnSync(NGINX, ['-v']).status !== 0) throw new Error(`no nginx at ${NGINX}: run integration/nginx-setup.sh (or set NGINX_BIN)`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'model-waking-'));
  port = await freePort();
  const conf = path.join(tmp, 'nginx.conf');
  fs.writeFileSync(conf, wakeResponderConfig({ port, tmp }));
  nginx = spawn(NGINX, ['-e', '/dev/stderr', '-c', conf, '-g', 'daemon off;'], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (await request('GET', '/healthz').then((r) => r.status === 200, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('nginx did not start');
}, 30_000);

afterAll(() => {
  nginx?.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a completion request gets 503, Retry-After and an error an OpenAI client reads', async () => {
  const r = await request('POST', '/v1/chat/completions', '{"model":"support-bot","messages":[{"role":"user","content":"hi"}]}');
  expect(r.status).toBe(503);
  expect(r.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(r.body).error).toMatchObject({ type: 'model_starting', code: 503 });
});

test('so does any other method or path; only the probes\' /healthz answers 200', async () => {
  for (const [method, url] of [['GET', '/v1/models'], ['GET', '/'], ['DELETE', '/anything'], ['POST', '/v1/completions']]) {
    const r = await request(method, url, method === 'POST' ? '{}' : undefined);
    expect({ method, url, status: r.status, retry: r.headers['retry-after'] }).toEqual({ method, url, status: 503, retry: String(RETRY_AFTER_SECONDS) });
  }
  expect((await request('GET', '/healthz')).status).toBe(200);
});
