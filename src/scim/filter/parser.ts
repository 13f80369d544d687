import { COMPARE_OPERATORS, type AttributePath, type CompareOperator, type FilterNode, type FilterValue } from './ast.js';
import { invalidFilter } from './errors.js';
import { tokenize, type Token } from './lexer.js';

/** Deeper nesting than this is refused (it is never needed and would exhaust the stack). */
export const MAX_FILTER_DEPTH = 50;
/** Longer filters are refused before parsing. */
export const MAX_FILTER_LENGTH = 10_000;

const ATTRIBUTE_NAME = /^[A-Za-z$_][A-Za-z0-9$_-]*$/;

/**
 * Parses a SCIM 2.0 filter (RFC 7644 §3.4.2.2): `and` binds tighter than `or`,
 * `not ( … )`, parentheses, value paths `emails[type eq "work"]`, sub-attributes
 * and schema-URN-qualified paths. Operators and keywords are case-insensitive.
 * Throws RosterError('request.invalid', …, { details: { scimType: 'invalidFilter', offset } }).
 */
export function parseFilter(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) throw invalidFilter(`filter longer than ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH);
  const parser = new Parser(tokenize(text));
  return parser.parse();
}

class Parser {
  readonly #tokens: readonly Token[];
  #at = 0;
  #depth = 0;
  #inValuePath = false;

  constructor(tokens: readonly Token[]) {
    this.#tokens = tokens;
  }

  parse(): FilterNode {
    if (this.#peek().kind === 'end') throw invalidFilter('empty filter', this.#peek().offset);
    const node = this.#or();
    const rest = this.#peek();
    if (rest.kind !== 'end') throw invalidFilter(`expected 'and', 'or' or the end of the filter, found ${describe(rest)}`, rest.offset);
    return node;
  }

  #peek(ahead = 0): Token {
    return this.#tokens[Math.min(this.#at + ahead, this.#tokens.length - 1)] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#at += 1;
    return token;
  }

  #isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  #expect(kind: Token['kind'], what: string): Token {
    const token = this.#next();
    if (token.kind !== kind) throw invalidFilter(`expected ${what}, found ${describe(token)}`, token.offset);
    return token;
  }

  #or(): FilterNode {
    let left = this.#and();
    while (this.#isKeyword(this.#peek(), 'or')) {
      const op = this.#next();
      left = { kind: 'or', left, right: this.#and(), offset: op.offset };
    }
    return left;
  }

  #and(): FilterNode {
    let left = this.#unary();
    while (this.#isKeyword(this.#peek(), 'and')) {
      const op = this.#next();
      left = { kind: 'and', left, right: this.#unary(), offset: op.offset };
    }
    return left;
  }

  #unary(): FilterNode {
    const token = this.#peek();
    if (this.#isKeyword(token, 'not') && this.#peek(1).kind === '(') {
      this.#next();
      return { kind: 'not', filter: this.#group(), offset: token.offset };
    }
    if (token.kind === '(') return this.#group();
    if (this.#isKeyword(token, 'not') && !this.#startsAttributeTail(this.#peek(1))) {
      throw invalidFilter("expected '(' after 'not'", this.#peek(1).offset);
    }
    return this.#attributeExpression();
  }

  /** After a word, these make it an attribute name (`not eq "x"`: an attribute called "not"). */
  #startsAttributeTail(token: Token): boolean {
    if (token.kind === '[') return true;
    const word = token.kind === 'word' ? token.text.toLowerCase() : '';
    return word === 'pr' || (COMPARE_OPERATORS as readonly string[]).includes(word);
  }

  #group(): FilterNode {
    const open = this.#expect('(', "'('");
    this.#depth += 1;
    if (this.#depth > MAX_FILTER_DEPTH) throw invalidFilter(`filter nested deeper than ${MAX_FILTER_DEPTH} levels`, open.offset);
    const inner = this.#or();
    this.#expect(')', `')' to close the '(' at offset ${open.offset}`);
    this.#depth -= 1;
    return inner;
  }

  #attributeExpression(): FilterNode {
    const pathToken = this.#next();
    if (pathToken.kind !== 'word') throw invalidFilter(`expected an attribute name, found ${describe(pathToken)}`, pathToken.offset);
    const path = parsePath(pathToken);
    const next = this.#peek();
    if (next.kind === '[') return this.#valuePath(path);
    const operator = this.#next();
    const name = operator.kind === 'word' ? operator.text.toLowerCase() : '';
    if (name === 'pr') return { kind: 'present', path, offset: pathToken.offset };
    if (!(COMPARE_OPERATORS as readonly string[]).includes(name)) {
      throw invalidFilter(
        `expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after '${path.text}', found ${describe(operator)}`,
        operator.offset,
      );
    }
    const value = this.#value();
    return { kind: 'compare', path, operator: name as CompareOperator, value, offset: pathToken.offset };
  }

  #valuePath(path: AttributePath): FilterNode {
    const open = this.#next();
    if (this.#inValuePath) throw invalidFilter('value paths cannot be nested', open.offset);
    if (path.subAttribute !== undefined) throw invalidFilter(`a value path needs a plain attribute, not '${path.text}'`, path.offset);
    this.#inValuePath = true;
    this.#depth += 1;
    if (this.#depth > MAX_FILTER_DEPTH) throw invalidFilter(`filter nested deeper than ${MAX_FILTER_DEPTH} levels`, open.offset);
    const filter = this.#or();
    this.#expect(']', `']' to close the '[' at offset ${open.offset}`);
    this.#depth -= 1;
    this.#inValuePath = false;
    return { kind: 'valuePath', path, filter, offset: path.offset };
  }

  #value(): FilterValue {
    const token = this.#next();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'word') {
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    throw invalidFilter(`expected a value (a "string", a number, true, false or null), found ${describe(token)}`, token.offset);
  }
}

/** `urn:…:User:name.familyName` → { uri, name, subAttribute }. The URN itself may contain dots (`2.0`). */
function parsePath(token: Token): AttributePath {
  let uri: string | undefined;
  let rest = token.text;
  if (/^urn:/i.test(rest)) {
    const colon = rest.lastIndexOf(':');
    uri = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
  }
  const parts = rest.split('.');
  const [name, subAttribute, extra] = parts;
  const restOffset = token.offset + token.text.length - rest.length;
  if (name === undefined || !ATTRIBUTE_NAME.test(name)) throw invalidFilter(`invalid attribute name in '${token.text}'`, restOffset);
  if (subAttribute !== undefined && !ATTRIBUTE_NAME.test(subAttribute)) {
    throw invalidFilter(`invalid sub-attribute name in '${token.text}'`, restOffset + name.length + 1);
  }
  if (extra !== undefined) throw invalidFilter(`too many '.' in attribute path '${token.text}'`, restOffset);
  return {
    ...(uri === undefined ? {} : { uri }),
    name,
    ...(subAttribute === undefined ? {} : { subAttribute }),
    text: token.text,
    offset: token.offset,
  };
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the filter';
  if (token.kind === 'string') return `the string ${JSON.stringify(token.text)}`;
  return `'${token.text}'`;
}
