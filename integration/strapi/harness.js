'use strict';
// Starts the minimal Strapi 5 app of this folder for an integration test, and stops it.
//
//   const { startStrapi } = require('./harness');
//   const strapi = await startStrapi({ port });   // port optional: a free one is picked
//   ... strapi.url, strapi.token ...
//   await strapi.stop();
//
// Every run gets fresh random secrets (APP_KEYS, API_TOKEN_SALT, ADMIN_JWT_SECRET,
// TRANSFER_TOKEN_SALT, JWT_SECRET, ENCRYPTION_KEY), a new SQLite database in a temp folder,
// and a full-access API token that src/index.js creates at bootstrap and writes to
// STRAPI_TOKEN_FILE. Strapi listens on 127.0.0.1 only. Nothing here waits forever: start
// gives up after `timeoutMs` (default 60 s) with the last lines of Strapi's output, and
// stop() escalates from SIGTERM to SIGKILL on the whole process group.

const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const APP_DIR = __dirname;
const STRAPI_BIN = path.join(APP_DIR, 'node_modules', '@strapi', 'strapi', 'bin', 'strapi.js');
const HOST = '127.0.0.1';
const LOG_LINES = 80;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `promise` settles or after `ms`, leaving no timer behind. */
function within(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
const secret = () => crypto.randomBytes(32).toString('base64');

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function checkInstalled() {
  if (!fs.existsSync(STRAPI_BIN)) {
    throw new Error(
      `Strapi is not installed in ${APP_DIR} (no ${path.relative(APP_DIR, STRAPI_BIN)}): ` +
        'run `bash integration/strapi/setup.sh` from the repository root first',
    );
  }
}

/** Signals every process of the group that `pid` leads (spawned with detached: true). */
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

/**
 * Starts Strapi and resolves once `GET /_health` answers and the API token is written.
 * @param {{ port?: number, timeoutMs?: number, log?: (line: string) => void }} [options]
 * @returns {Promise<{ url: string, token: string, port: number, logFile: string, output: () => string, stop: () => Promise<void> }>}
 */
async function startStrapi({ port, timeoutMs = 60_000, log } = {}) {
  checkInstalled();
  if (!port) port = await freePort();
  const url = `http://${HOST}:${port}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'strapi-it-'));
  const tokenFile = path.join(tmp, 'api.token');
  const logFile = path.join(tmp, 'strapi.log');
  // The upload plugin wants public/uploads; it is gitignored, so make it here.
  fs.mkdirSync(path.join(APP_DIR, 'public', 'uploads'), { recursive: true });

  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    // Nothing of the caller's (jest sets NODE_ENV=test) may steer this Strapi.
    if (/^(DATABASE_|STRAPI_|NODE_OPTIONS$|NODE_ENV$)/.test(name)) delete env[name];
  }
  Object.assign(env, {
    NODE_ENV: 'production',
    HOST,
    PORT: String(port),
    APP_KEYS: [secret(), secret(), secret(), secret()].join(','),
    API_TOKEN_SALT: secret(),
    ADMIN_JWT_SECRET: secret(),
    TRANSFER_TOKEN_SALT: secret(),
    JWT_SECRET: secret(),
    ENCRYPTION_KEY: secret(),
    DATABASE_FILENAME: path.join(tmp, 'data.db'),
    STRAPI_TOKEN_FILE: tokenFile,
    STRAPI_TELEMETRY_DISABLED: 'true',
    BROWSER: 'none',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
  });

  const child = spawn(process.execPath, [STRAPI_BIN, 'start'], {
    cwd: APP_DIR,
    env,
    detached: true, // its own process group, so stop() reaches everything it started
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;

  const lines = [];
  const logStream = fs.createWriteStream(logFile);
  const keep = (line) => {
    // eslint-disable-next-line no-control-regex
    line = line.replace(/\x1b\[[0-9;]*m/g, '');
    if (!line.trim()) return;
    lines.push(line);
    if (lines.length > LOG_LINES) lines.shift();
    if (log) log(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.on('data', (chunk) => {
      logStream.write(chunk);
      const parts = (pending + chunk.toString('utf8')).split(/\r?\n/);
      pending = parts.pop();
      parts.forEach(keep);
    });
    stream.on('end', () => {
      if (pending) keep(pending);
      pending = '';
    });
  }

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    // 'close': the process has exited and its output is read to the end.
    child.on('close', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
    child.on('error', (error) => {
      exited = { code: null, signal: null, error };
      resolve();
    });
  });

  // Should the test process die without calling stop(), do not leave Strapi running.
  const onExit = () => killGroup(pid, 'SIGKILL');
  process.on('exit', onExit);

  let stopped = null;
  const stop = () => {
    if (!stopped) {
      stopped = (async () => {
        if (pid && !exited) {
          killGroup(pid, 'SIGTERM');
          await within(exitPromise, 10_000);
          if (!exited) {
            killGroup(pid, 'SIGKILL');
            await within(exitPromise, 5_000);
          }
        }
        // The leader is gone; anything else left in its group goes too.
        killGroup(pid, 'SIGKILL');
        process.removeListener('exit', onExit);
        await new Promise((resolve) => logStream.end(resolve));
        fs.rmSync(tmp, { recursive: true, force: true });
      })();
    }
    return stopped;
  };

  const output = () => lines.join('\n');
  const fail = async (reason) => {
    const tail = output();
    await stop();
    return new Error(`Strapi did not start: ${reason}\n--- last lines of Strapi's output ---\n${tail || '(none)'}`);
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      throw await fail(
        exited.error
          ? `could not run ${STRAPI_BIN}: ${exited.error.message}`
          : `the process exited (code ${exited.code}, signal ${exited.signal})`,
      );
    }
    if (Date.now() > deadline) throw await fail(`GET ${url}/_health did not answer within ${timeoutMs} ms`);
    let healthy = false;
    try {
      const response = await fetch(`${url}/_health`, { signal: AbortSignal.timeout(2_000) });
      healthy = response.status === 204 || response.status === 200;
    } catch {
      // not listening yet
    }
    if (healthy) {
      if (!fs.existsSync(tokenFile)) throw await fail(`it answers /_health but wrote no API token to ${tokenFile}`);
      const token = fs.readFileSync(tokenFile, 'utf8').trim();
      if (!token) throw await fail(`the API token file ${tokenFile} is empty`);
      return { url, port, token, logFile, output, stop };
    }
    await sleep(250);
  }
}

module.exports = { startStrapi, freePort, APP_DIR };
