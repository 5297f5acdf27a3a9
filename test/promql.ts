import { parser } from '@prometheus-io/lezer-promql';
import { KNOWN_METRICS } from '../lib/monitoring/metrics';

/** The problems of a PromQL expression, parsed by Prometheus's own grammar: syntax errors, and metric names the platform does not know. */
export function promqlProblems(expr: string): string[] {
  const problems: string[] = [];
  const tree = parser.parse(expr);
  tree.iterate({
    enter(node) {
      if (node.type.isError) problems.push(`syntax error at ${node.from}: '${expr.slice(Math.max(0, node.from - 10), node.to + 10)}'`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        const metric = expr.slice(node.from, node.to);
        if (!KNOWN_METRICS.has(metric)) problems.push(`unknown metric ${metric}`);
      }
    },
  });
  return problems;
}
