import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { KubeObject } from '../lib/kube-object';

/*
 * KubeObject renders plain props in one pass instead of cdk8s's three (issue #12): its
 * JSON must be what cdk8s's own ApiObject makes of the same props, field for field.
 */

/** A deep copy that keeps undefined fields and class instances (structuredClone's objects come from another realm under jest). */
function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)]));
  return v;
}

function both(props: Record<string, unknown>, after?: (o: ApiObject) => void): [unknown, unknown] {
  const render = (make: (chart: Chart) => ApiObject) => {
    const chart = new Chart(new App({ outdir: '/dev/null' }), 'c', { namespace: 'ns', disableResourceNameHashes: true });
    const o = make(chart);
    after?.(o);
    return o.toJson();
  };
  // Each object gets its own copy: cdk8s keeps (and edits) the metadata options it is given.
  const copy = () => ({ apiVersion: 'v1', kind: 'ConfigMap', ...clone(props) as object });
  return [render((c) => new KubeObject(c, 'o', copy() as never)), render((c) => new ApiObject(c, 'o', copy() as never))];
}

test.each([
  ['unsorted keys, nested', { metadata: { name: 'x', labels: { b: '1', a: '2' } }, data: { z: '1', a: '2' }, spec: { b: [{ y: 1, x: 2 }], a: true } }],
  ['null and undefined fields dropped', { metadata: { name: 'x' }, data: { a: null, b: undefined, c: '' }, spec: { list: [], map: {} } }],
  ['empty metadata maps and lists dropped', { metadata: { name: 'x', labels: {}, annotations: {}, finalizers: [], ownerReferences: [] } }],
  ['metadata attributes cdk8s does not hold in fields', { metadata: { name: 'x', generateName: 'x-', uid: 'u', labels: { a: '1' } } }],
  ['finalizers and owner references', { metadata: { name: 'x', finalizers: ['f'], ownerReferences: [{ kind: 'K', name: 'n', apiVersion: 'v1', uid: 'u' }] } }],
])('renders as ApiObject does: %s', (_what, props) => {
  const [ours, theirs] = both(props);
  expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
});

test('renders as ApiObject does after labels, annotations, attributes and patches are added', () => {
  const [ours, theirs] = both({ metadata: { name: 'x' }, data: { a: '1' } }, (o) => {
    o.metadata.addLabel('z', '1');
    o.metadata.addLabel('a', '2');
    o.metadata.addAnnotation('note', 'n');
    o.metadata.add('generateName', 'g-');
    o.addJsonPatch(JsonPatch.add('/data/b', '2'));
  });
  expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
  expect((ours as { metadata: Record<string, unknown> }).metadata.generateName).toBe('g-');
});

test('Quantity and IntOrString become their value, as the generated classes write them', () => {
  const [ours] = both({ metadata: { name: 'x' }, spec: { cpu: k8s.Quantity.fromString('500m'), gpu: k8s.Quantity.fromNumber(1), port: k8s.IntOrString.fromNumber(80) } });
  expect((ours as { spec: unknown }).spec).toEqual({ cpu: '500m', gpu: 1, port: 80 });
});

test('anything else that is not plain data is refused, naming the construct', () => {
  const chart = new Chart(new App({ outdir: '/dev/null' }), 'c', { disableResourceNameHashes: true });
  const o = new KubeObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { when: new Date(0) } } as never);
  expect(() => o.toJson()).toThrow("Failed serializing construct at path 'c/o' with name 'x': can't render non-simple object of type 'Date'");
});
