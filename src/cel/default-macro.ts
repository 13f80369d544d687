import type { ASTNode } from '@marcbachmann/cel-js';

/**
 * `default(value, fallback)`: the value, or the fallback when the value is a
 * missing map key (`identity.phone` where the record has no phone), null or
 * the empty string (an empty CSV cell). It is a macro so that the missing key
 * is caught before it becomes an evaluation error.
 *
 * Type: when the value is `dyn` (every identity attribute is), the fallback's
 * type is taken as the expression's type, so `default(identity.contractor, false)`
 * is a bool condition; a value of another type then fails at evaluation.
 */

// The checker and evaluator objects are internal to cel-js and not typed in
// its .d.ts: we describe only the two methods we call.
interface MacroChecker {
  check(node: ASTNode, ctx: unknown): { readonly name: string };
}
interface MacroEvaluator {
  run(node: ASTNode, ctx: unknown): unknown;
}
interface DefaultMacro {
  readonly args: readonly [ASTNode, ASTNode];
}

function isMissingKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'no_such_key';
}

export function expandDefault({ args }: { readonly args: readonly [ASTNode, ASTNode] }): object {
  return {
    args,
    async: false,
    typeCheck(checker: MacroChecker, macro: DefaultMacro, ctx: unknown) {
      const value = checker.check(macro.args[0], ctx);
      const fallback = checker.check(macro.args[1], ctx);
      return value.name === 'dyn' ? fallback : value;
    },
    evaluate(evaluator: MacroEvaluator, macro: DefaultMacro, ctx: unknown) {
      let value: unknown;
      try {
        value = evaluator.run(macro.args[0], ctx);
      } catch (error) {
        if (!isMissingKey(error)) throw error;
        value = undefined;
      }
      if (value === undefined || value === null || value === '') return evaluator.run(macro.args[1], ctx);
      return value;
    },
  };
}
