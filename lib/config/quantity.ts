/**
 * Kubernetes quantities as numbers, to compare what a file asks for
 * (a request against its limit).
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Quantities read so far: files repeat the same few (`8`, `32Gi`) many times over. */
const parsed = new Map<string, number>();

/** The value of a quantity like `500m`, `2` or `16Gi` (in cores or bytes). */
export function parseQuantity(quantity: string): number {
  let value = parsed.get(quantity);
  if (value === undefined) {
    const m = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(quantity);
    if (!m) throw new Error(`not a quantity: '${quantity}'`);
    value = Number(m[1]) * SUFFIX[m[2] ?? ''];
    if (parsed.size < 10_000) parsed.set(quantity, value);
  }
  return value;
}
