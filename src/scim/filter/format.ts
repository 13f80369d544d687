import type { FilterNode, FilterValue } from './ast.js';

/** Prints a filter back, fully parenthesised (handy for logs and for checking precedence). */
export function formatFilter(node: FilterNode): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${formatFilter(node.left)} ${node.kind} ${formatFilter(node.right)})`;
    case 'not':
      return `not (${formatFilter(node.filter)})`;
    case 'present':
      return `${node.path.text} pr`;
    case 'compare':
      return `${node.path.text} ${node.operator} ${formatValue(node.value)}`;
    case 'valuePath':
      return `${node.path.text}[${formatFilter(node.filter)}]`;
  }
}

function formatValue(value: FilterValue): string {
  return JSON.stringify(value);
}
