import * as fs from 'fs';
import * as path from 'path';
import { platformSchema } from '../lib/config/platform-schema';
import { workspaceSchema } from '../lib/config/workspace-schema';
import { synthWorkspace } from '../lib/synth';
import { referenceSection } from '../scripts/reference';
import { ROOT, sandbox, shippedInputs } from './helpers';

const shippedFiles = [
  'platform.yaml',
  ...fs.readdirSync(path.join(ROOT, 'workspaces')).filter((f) => /\.ya?ml$/.test(f)).map((f) => `workspaces/${f}`),
];

describe('shipped inputs', () => {
  test('every workspace file synthesizes', () => {
    const inputs = shippedInputs();
    expect(inputs.workspaces.map((w) => `workspaces/${w.name}.yaml`)).toEqual(shippedFiles.slice(1));
    for (const w of inputs.workspaces) expect(synthWorkspace(inputs.platform, w).length).toBeGreaterThan(0);
  });

  test.each(shippedFiles)('%s starts with the schema line for editors', (file) => {
    const schema = file === 'platform.yaml' ? 'schemas/platform.schema.json' : '../schemas/workspace.schema.json';
    expect(fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n')[0]).toBe(`# yaml-language-server: $schema=${schema}`);
  });
});

describe('schemas', () => {
  /** Every property schema of a schema, with its path. */
  function properties(node: any, at = ''): [string, any][] {
    const own = Object.entries(node.properties ?? {}).flatMap(([k, v]) => [[`${at}${k}`, v] as [string, any], ...properties(v, `${at}${k}.`)]);
    return node.items ? [...own, ...properties(node.items, `${at}[].`)] : own;
  }

  test.each([['platform', platformSchema], ['workspace', workspaceSchema]] as const)('every %s field is described, and every default stated', (_n, schema) => {
    for (const [field, node] of properties(schema)) {
      expect({ field, described: typeof node.description === 'string' && node.description.length > 10 }).toEqual({ field, described: true });
      const scalarDefault = node.default !== undefined && typeof node.default !== 'object';
      if (scalarDefault) expect({ field, description: node.description }).toEqual({ field, description: expect.stringContaining(`Default: ${node.default}`) });
    }
  });

  test('a minimal workspace is only its name; the schema fills in the rest', () => {
    const box = sandbox({ 'team-min.yaml': 'name: team-min\n' });
    try {
      const [ws] = box.load().workspaces;
      expect(ws).toEqual({
        name: 'team-min',
        state: 'active',
        storage: { size: '200Gi', storageClassName: 'premium-rwo', accessMode: 'ReadWriteOnce' },
        mlflow: { resources: { cpu: { request: '500m', limit: '2' }, memory: { request: '1Gi', limit: '4Gi' } } },
        webui: { enabled: true, resources: { cpu: { request: '2', limit: '4' }, memory: { request: '8Gi', limit: '16Gi' } } },
        training: { runs: [] },
        quota: { gpus: 2, cpu: '32', memory: '256Gi', storage: '1Ti', persistentVolumeClaims: 4 },
        inference: { models: [] },
      });
    } finally {
      fs.rmSync(box.dir, { recursive: true, force: true });
    }
  });

  test('a partly given nested value keeps the defaults of the rest', () => {
    const box = sandbox({ 'team-p.yaml': 'name: team-p\ninference:\n  models:\n    - name: m\n      resources:\n        memory: { limit: 64Gi }\n' });
    try {
      const model = box.load().workspaces[0].inference.models[0];
      expect(model).toEqual({
        name: 'm', version: 'latest', template: 'llama3', gpus: 1, replicas: 1,
        resources: { cpu: { request: '4', limit: '8' }, memory: { request: '16Gi', limit: '64Gi' } },
        gateway: { enabled: true, rateLimit: 100, allowedClients: [] },
      });
    } finally {
      fs.rmSync(box.dir, { recursive: true, force: true });
    }
  });
});

describe('README', () => {
  test('its file reference is the one the schemas make (npm run docs)', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(referenceSection());
  });

  test('starts with exactly the two commands', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme.split('\n').slice(2, 6)).toEqual(['```sh', 'npm ci && npm run synth', 'npm test', '```']);
  });
});
