// Runs the real assets/model-registrar.js, as the model-registrar Job does, against a real
// Strapi 5 (integration/strapi: SQLite, fresh secrets and database, a full-access API token),
// and reads Strapi back through its REST API after each run.
//
// Needs `bash integration/strapi/setup.sh` first. The tests of the first describe block run
// in order on one Strapi and build on each other, like successive syncs of the platform.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadInputs } from '../lib/config/load';
import { projectRoot } from '../lib/paths';
import { ROUTES_CONFIG_MAP } from '../lib/shared/model-registry-sync';
import { synthShared } from '../lib/synth';

interface StrapiHandle {
  readonly url: string;
  readonly token: string;
  output(): string;
  stop(): Promise<void>;
}
interface Harness {
  startStrapi(options?: { port?: number; timeoutMs?: number }): Promise<StrapiHandle>;
}
// eslint-disable-next-line @typescript-eslint/no-var-requires
const ROOT = projectRoot();
const harness: Harness = require(path.join(ROOT, 'integration', 'strapi', 'harness.js'));

// REGISTRAR_SCRIPT only serves to check this test against a deliberately broken copy.
const REGISTRAR = process.env.REGISTRAR_SCRIPT || path.join(ROOT, 'assets', 'model-registrar.js');
const FIELDS = ['model_id', 'workspace', 'endpoint', 'enabled', 'rate_limit', 'allowed_clients'] as const;

interface Model {
  model_id: string;
  workspace: string;
  endpoint: string;
  enabled: boolean;
  rate_limit: number | null;
  allowed_clients: string[] | null;
}
interface StoredModel extends Model {
  id: number;
  documentId: string;
  createdAt: string;
  updatedAt: string;
}
interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** The guide's gateway record (4.8). */
const LLAMA: Model = {
  model_id: 'ft-llama3-8b-v1',
  workspace: 'team-alpha',
  endpoint: 'http://llama-inference-internal.llm-workspace-team-alpha.svc.cluster.local:8000',
  enabled: true,
  rate_limit: 100,
  allowed_clients: ['app-search', 'app-assistant'],
};
const MISTRAL: Model = {
  model_id: 'mistral-7b-instruct-v2',
  workspace: 'team-beta',
  endpoint: 'http://mistral-inference-internal.llm-workspace-team-beta.svc.cluster.local:8000',
  enabled: true,
  rate_limit: 50,
  allowed_clients: ['app-chat'],
};

let strapi: StrapiHandle;
let tmp: string;
let runs = 0;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'registrar-it-'));
  strapi = await harness.startStrapi({ timeoutMs: 90_000 });
}, 120_000);

afterAll(async () => {
  if (strapi) await strapi.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, 30_000);

/** Runs the real script with a routing table of `models`, as the Job does. */
function registrar(models: readonly Model[], env: Record<string, string> = {}): Promise<Run> {
  const routes = path.join(tmp, `routes-${++runs}.json`);
  fs.writeFileSync(routes, `${JSON.stringify({ models }, null, 2)}\n`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [REGISTRAR],
      {
        env: { ...process.env, STRAPI_URL: strapi.url, STRAPI_API_TOKEN: strapi.token, ROUTES_FILE: routes, ...env },
        timeout: 60_000,
        killSignal: 'SIGKILL',
        maxBuffer: 10 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const failure = error as (NodeJS.ErrnoException & { code?: number | string; signal?: string }) | null;
        resolve({
          code: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0,
          signal: failure?.signal ?? null,
          stdout: String(stdout),
          stderr: String(stderr),
        });
      },
    );
  });
}

/** Asserts that the run succeeded, and returns its summary line. */
function summary(run: Run): string {
  if (run.code !== 0) {
    throw new Error(`model-registrar.js exited ${run.code} (signal ${run.signal})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
  return run.stdout.trim();
}

function counts(created: number, updated: number, disabled: number, unchanged: number): string {
  return `model registry: ${created} created, ${updated} updated, ${disabled} disabled, ${unchanged} unchanged`;
}

async function api<T>(pathAndQuery: string): Promise<T> {
  const response = await fetch(`${strapi.url}${pathAndQuery}`, {
    headers: { Authorization: `Bearer ${strapi.token}` },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${pathAndQuery} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Every model record Strapi holds, read back through its REST API. */
async function stored(): Promise<StoredModel[]> {
  const all: StoredModel[] = [];
  for (let page = 1; page <= 1000; page++) {
    const reply = await api<{ data: StoredModel[]; meta: { pagination: { pageCount: number } } }>(
      `/api/models?pagination[page]=${page}&pagination[pageSize]=100&sort=id:asc`,
    );
    all.push(...reply.data);
    if (page >= reply.meta.pagination.pageCount) break;
  }
  return all;
}

/** The records with this model_id, through Strapi's filter. */
async function byModelId(modelId: string): Promise<StoredModel[]> {
  const reply = await api<{ data: StoredModel[] }>(
    `/api/models?filters[model_id][$eq]=${encodeURIComponent(modelId)}&pagination[pageSize]=100`,
  );
  return reply.data;
}

async function one(modelId: string): Promise<StoredModel> {
  const found = await byModelId(modelId);
  expect(found).toHaveLength(1);
  return found[0];
}

function fields(record: Model): Model {
  return Object.fromEntries(FIELDS.map((f) => [f, record[f]])) as unknown as Model;
}

describe('model-registrar.js against a real Strapi 5', () => {
  let firstLlama: StoredModel;
  let firstMistral: StoredModel;

  test('a first run on an empty Strapi creates every record', async () => {
    expect(await stored()).toEqual([]);

    expect(summary(await registrar([LLAMA, MISTRAL]))).toBe(counts(2, 0, 0, 0));

    const all = await stored();
    expect(all).toHaveLength(2);
    firstLlama = await one(LLAMA.model_id);
    firstMistral = await one(MISTRAL.model_id);
    expect(fields(firstLlama)).toEqual(LLAMA);
    expect(fields(firstMistral)).toEqual(MISTRAL);
    expect(firstLlama.documentId).toEqual(expect.any(String));
  });

  test('a second run with the same table changes nothing', async () => {
    expect(summary(await registrar([LLAMA, MISTRAL]))).toBe(counts(0, 0, 0, 2));

    expect(await one(LLAMA.model_id)).toEqual(firstLlama);
    expect(await one(MISTRAL.model_id)).toEqual(firstMistral);
    expect(await stored()).toHaveLength(2);
  });

  test('a changed record is updated in place', async () => {
    const changed: Model = { ...LLAMA, rate_limit: 200, allowed_clients: ['app-search'] };

    expect(summary(await registrar([changed, MISTRAL]))).toBe(counts(0, 1, 0, 1));

    const llama = await one(LLAMA.model_id);
    expect(fields(llama)).toEqual(changed);
    expect(llama.documentId).toBe(firstLlama.documentId);
    expect(llama.id).toBe(firstLlama.id);
    expect(llama.updatedAt).not.toBe(firstLlama.updatedAt);
    expect(await one(MISTRAL.model_id)).toEqual(firstMistral);
    expect(await stored()).toHaveLength(2);

    // ...and the changed table is then stable.
    expect(summary(await registrar([changed, MISTRAL]))).toBe(counts(0, 0, 0, 2));
  });

  test('a record removed from the table is disabled, not deleted', async () => {
    const llama: Model = { ...LLAMA, rate_limit: 200, allowed_clients: ['app-search'] };
    const llamaBefore = await one(LLAMA.model_id);

    expect(summary(await registrar([llama]))).toBe(counts(0, 0, 1, 1));

    const mistral = await one(MISTRAL.model_id);
    expect(fields(mistral)).toEqual({ ...MISTRAL, enabled: false });
    expect(mistral.documentId).toBe(firstMistral.documentId);
    expect(await one(LLAMA.model_id)).toEqual(llamaBefore);
    expect(await stored()).toHaveLength(2);

    // Already disabled: the next run leaves it alone.
    expect(summary(await registrar([llama]))).toBe(counts(0, 0, 0, 2));
    expect((await one(MISTRAL.model_id)).updatedAt).toBe(mistral.updatedAt);
  });

  test('a record put back into the table is enabled again, in place', async () => {
    const llama: Model = { ...LLAMA, rate_limit: 200, allowed_clients: ['app-search'] };

    expect(summary(await registrar([llama, MISTRAL]))).toBe(counts(0, 1, 0, 1));

    const mistral = await one(MISTRAL.model_id);
    expect(fields(mistral)).toEqual(MISTRAL);
    expect(mistral.documentId).toBe(firstMistral.documentId);
    expect(await stored()).toHaveLength(2);
  });

  test('a table entry that leaves out enabled means enabled, and settles', async () => {
    const llama: Model = { ...LLAMA, rate_limit: 200, allowed_clients: ['app-search'] };
    const { enabled: _enabled, ...withoutEnabled } = MISTRAL;
    expect(summary(await registrar([llama]))).toBe(counts(0, 0, 1, 1));
    expect(summary(await registrar([llama, withoutEnabled as Model]))).toBe(counts(0, 1, 0, 1));
    expect(fields(await one(MISTRAL.model_id))).toEqual({ ...MISTRAL, enabled: true });
    expect(summary(await registrar([llama, withoutEnabled as Model]))).toBe(counts(0, 0, 0, 2));
  });

  test('a wrong token makes it exit non-zero, naming the failing request, and changes nothing', async () => {
    const before = await stored();

    const run = await registrar([LLAMA], { STRAPI_API_TOKEN: 'not-a-valid-token' });

    expect(run.signal).toBeNull();
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.stderr).toContain('GET /api/models');
    expect(run.stderr).toMatch(/answered 401/);
    expect(run.stdout).not.toContain('created');
    expect(await stored()).toEqual(before);
  });

  test('no model_id is ever duplicated', async () => {
    const all = await stored();
    const ids = all.map((r) => r.model_id).sort();
    expect(ids).toEqual([LLAMA.model_id, MISTRAL.model_id].sort());
    for (const id of ids) expect(await byModelId(id)).toHaveLength(1);
  });

  test('more records than one page (100) are paged through, created once and then left alone', async () => {
    const many: Model[] = Array.from({ length: 130 }, (_, i) => ({
      model_id: `bulk-model-${String(i).padStart(3, '0')}`,
      workspace: `team-${i % 3}`,
      endpoint: `http://bulk-${i}-inference.llm-workspace-team-${i % 3}.svc.cluster.local:8000`,
      enabled: true,
      rate_limit: 10 + i,
      allowed_clients: [`app-${i}`],
    }));
    const table = [LLAMA, MISTRAL, ...many];

    // LLAMA goes back to the guide's values: one update; the bulk records are new.
    expect(summary(await registrar(table))).toBe(counts(130, 1, 0, 1));
    expect(summary(await registrar(table))).toBe(counts(0, 0, 0, 132));

    // Dropping the first 110 bulk records disables them all, across pages.
    expect(summary(await registrar([LLAMA, MISTRAL, ...many.slice(110)]))).toBe(counts(0, 0, 110, 22));

    const all = await stored();
    expect(all).toHaveLength(132);
    expect(new Set(all.map((r) => r.model_id)).size).toBe(132);
    const disabled = all.filter((r) => !r.enabled).map((r) => r.model_id).sort();
    expect(disabled).toEqual(many.slice(0, 110).map((m) => m.model_id));
    for (const model of table) {
      const record = all.find((r) => r.model_id === model.model_id);
      expect(record && fields(record)).toEqual(
        many.indexOf(model) >= 0 && many.indexOf(model) < 110 ? { ...model, enabled: false } : model,
      );
    }
  }, 120_000);
});

describe('model-registrar.js when Strapi cannot be reached', () => {
  test('exits non-zero', async () => {
    // A port that was just free: nothing listens there.
    const { freePort } = require(path.join(ROOT, 'integration', 'strapi', 'harness.js')) as {
      freePort(): Promise<number>;
    };
    const port = await freePort();
    const run = await registrar([LLAMA], { STRAPI_URL: `http://127.0.0.1:${port}` });
    expect(run.signal).toBeNull();
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.stderr).toMatch(/^model registry: GET \/api\/models\?\S* failed: ECONNREFUSED/m);
  });
});

describe('the routing table synth generates', () => {
  test('registers the test fixtures\' models, the guide\'s record among them, and is then stable', async () => {
    const inputs = loadInputs({ platformFile: 'platform.yaml', workspacesDir: 'workspaces', cwd: path.join(ROOT, 'test', 'fixtures') });
    const routes = (synthShared(inputs.platform, inputs.workspaces).find((o) => o.kind === 'ConfigMap' && o.metadata.name === ROUTES_CONFIG_MAP) as any).data['routes.json'];
    const models = JSON.parse(routes).models as Model[];
    // Strapi already holds the records of the tests above: whatever they were, the table wins.
    expect(summary(await registrar(models))).toMatch(/^model registry: \d+ created, \d+ updated, \d+ disabled, \d+ unchanged$/);
    for (const m of models) expect(fields(await one(m.model_id))).toEqual(m);
    expect(fields(await one('ft-llama3-8b-v1'))).toEqual({
      model_id: 'ft-llama3-8b-v1',
      workspace: 'team-alpha',
      endpoint: 'http://llama-inference-internal.llm-workspace-team-alpha.svc.cluster.local:8000',
      enabled: true,
      rate_limit: 100,
      allowed_clients: ['app-search', 'app-assistant'],
    });
    expect(summary(await registrar(models))).toMatch(/^model registry: 0 created, 0 updated, 0 disabled, \d+ unchanged$/);
  });
});
