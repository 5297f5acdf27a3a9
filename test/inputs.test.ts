import { platformSchema } from '../lib/config/platform-schema';
import { workspaceSchema } from '../lib/config/workspace-schema';
import { sandbox } from './helpers';

describe('schemas', () => {
  /** Every property schema of a schema, with its path. */
  function properties(node: any, at = ''): [string, any][] {
    const own = Object.entries(node.properties ?? {}).flatMap(([k, v]) => [[`${at}${k}`, v] as [string, any], ...properties(v, `${at}${k}.`)]);
    return node.items ? [...own, ...properties(node.items, `${at}[].`)] : own;
  }

  test('every field of both files is described, and every default stated', () => {
    const fields = [['platform', platformSchema], ['workspace', workspaceSchema]].flatMap(([file, schema]) => properties(schema).map(([f, node]) => [`${file}: ${f}`, node] as const));
    expect(fields.length).toBeGreaterThan(60);
    expect(fields.filter(([, node]) => !(typeof node.description === 'string' && node.description.length > 10)).map(([f]) => f)).toEqual([]);
    expect(fields.filter(([, node]) => node.default !== undefined && typeof node.default !== 'object' && !node.description.includes(`Default: ${node.default}`)).map(([f]) => f)).toEqual([]);
  });

  test('a minimal workspace is only its name; the schema fills in the rest', () => {
    const box = sandbox({ 'team-min.yaml': 'name: team-min\n' });
    try {
      const [ws] = box.load().workspaces;
      expect(ws).toEqual({
        name: 'team-min',
        members: [],
        admins: [],
        state: 'active',
        storage: { size: '200Gi', storageClassName: 'premium-rwo', accessMode: 'ReadWriteOnce', podVolumeClass: 'premium-rwo' },
        mlflow: { resources: { cpu: { request: '500m', limit: '2' }, memory: { request: '1Gi', limit: '4Gi' }, ephemeralStorage: { request: '1Gi', limit: '4Gi' } } },
        webui: { enabled: true, resources: { cpu: { request: '2', limit: '4' }, memory: { request: '8Gi', limit: '16Gi' }, ephemeralStorage: { request: '4Gi', limit: '20Gi' } } },
        training: { datasets: [], runs: [] },
        quota: { gpus: 2, borrowGpus: 0, cpu: '32', memory: '256Gi', ephemeralStorage: '200Gi', storage: '1Ti', persistentVolumeClaims: 16 },
        inference: { models: [] },
      });
    } finally {
      box.remove();
    }
  });

  test('a partly given nested value keeps the defaults of the rest', () => {
    const box = sandbox({ 'team-p.yaml': 'name: team-p\ninference:\n  models:\n    - name: m\n      resources:\n        memory: { limit: 64Gi }\n' });
    try {
      const model = box.load().workspaces[0].inference.models[0];
      expect(model).toEqual({
        name: 'm', version: 'latest', template: 'llama3', gpus: 1, maxModelLen: 4096, replicas: 1, cacheSize: '100Gi',
        resources: { cpu: { request: '4', limit: '8' }, memory: { request: '16Gi', limit: '64Gi' }, ephemeralStorage: { request: '4Gi', limit: '20Gi' } },
        gateway: { enabled: true, rateLimit: 100, allowedClients: [] },
      });
    } finally {
      box.remove();
    }
  });
});
