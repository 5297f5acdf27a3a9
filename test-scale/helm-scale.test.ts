import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { SHARED_CHART_NAME, workspaceChartName } from '../lib/helm/chart-files';
import { ensureHelm, helmMajor } from '../scripts/helm';
import { scaleWorkspaceName, writeScalePlatform } from '../scripts/scale-fixture';
import { manifestDifferences as differences, manifestKey as key, manifestsOf as objects, readDist, runSynth } from '../test/helpers';

/*
 * `npm run test:scale` (run by .ci/run): past the size of one Helm release. At 1000
 * workspaces the umbrella chart's release passes Helm's 1 MiB; the shared chart and each
 * workspace's chart are releases of their own, checked here with a real helm. Apart from
 * `npm test` because synthesizing 1000 workspaces costs what the rest of the suite costs.
 */

const HELM = ensureHelm();

function helm(...args: string[]): string {
  const r = spawnSync(HELM, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

describe('past one release: 1000 workspaces', () => {
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-scale-'));
    writeScalePlatform(dir, 1000);
    const r = await runSynth(dir, ['--no-cache']);
    if (r.status !== 0) throw new Error(`synth of 1000 workspaces failed:\n${r.stderr}`);
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The size of a release as Helm's Secret driver stores it (base64 of the gzipped record); Helm 4 only (Helm 3 needs a cluster for the dry run). */
  const releaseKib = (chart: string) => zlib.gzipSync(helm('install', 'x', chart, '--dry-run=client', '--output', 'json'), { level: 9 }).toString('base64').length / 1024;

  test('the shared chart and a workspace chart each render their dist/ objects as releases of their own, far under 1 MiB', () => {
    // Only the folders compared are read: parsing all of dist/ would take longer than the rest.
    const of = (prefix: string) => new Map(prefix.split('|').flatMap((p) => readDist(path.join(dir, p), dir)).map(({ object }) => [key(object), object]));
    const shared = path.join(dir, 'charts', SHARED_CHART_NAME);
    expect(differences(of('dist/shared/'), objects(helm('template', 'shared', shared, '--skip-tests')))).toEqual([]);
    const one = scaleWorkspaceName(999);
    const wsChart = path.join(dir, 'charts', 'llm-platform', 'charts', workspaceChartName(one));
    expect(differences(of(`dist/workspaces/${one}/|dist/workspace-boundaries/${one}/`), objects(helm('template', `ws-${one}`, wsChart, '--skip-tests')))).toEqual([]);
    if (helmMajor(HELM) === 4) {
      expect(releaseKib(shared)).toBeLessThan(512);
      expect(releaseKib(wsChart)).toBeLessThan(64);
    }
  }, 120_000);
});
