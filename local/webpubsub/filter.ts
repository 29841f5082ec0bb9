/**
 * The OData `filter` of the send APIs (and add/removeConnectionsToGroups),
 * compiled once per request into a predicate evaluated per connection.
 *
 * Supported subset of the service's grammar: identifiers `userId`,
 * `connectionId`, `groups`; string/number/boolean/null literals; `eq ne gt ge
 * lt le`, `and or not`, parentheses; `in` with a literal list or `groups`;
 * functions `length startswith endswith contains tolower toupper`. String
 * comparisons are case-insensitive, as the service documents. Anything else
 * is rejected with a FilterError (the REST layer answers 400).
 */
export interface FilterTarget {
  readonly userId: string | undefined;
  readonly id: string;
  readonly groups: ReadonlySet<string>;
}
export type ConnectionPredicate = (target: FilterTarget) => boolean;

export class FilterError extends Error {}

type Value = string | number | boolean | null | string[];
type Expr = (t: FilterTarget) => Value;

const TOKEN = /\s*(?:('(?:[^']|'')*')|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([(),]))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(text);
    if (m === null) throw new FilterError(`Invalid filter near '${text.slice(TOKEN.lastIndex)}'.`);
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
  }
  return tokens;
}

const fold = (v: Value): Value => (typeof v === "string" ? v.toLowerCase() : v);

function compare(op: string, a: Value, b: Value): boolean {
  const x = fold(a);
  const y = fold(b);
  switch (op) {
    case "eq": return x === y;
    case "ne": return x !== y;
  }
  if (x === null || y === null || Array.isArray(x) || Array.isArray(y)) return false;
  switch (op) {
    case "gt": return x > y;
    case "ge": return x >= y;
    case "lt": return x < y;
    default: return x <= y;
  }
}

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  length: ([s]) => (typeof s === "string" ? s.length : null),
  startswith: ([s, p]) => typeof s === "string" && typeof p === "string" && s.toLowerCase().startsWith(p.toLowerCase()),
  endswith: ([s, p]) => typeof s === "string" && typeof p === "string" && s.toLowerCase().endsWith(p.toLowerCase()),
  contains: ([s, p]) => typeof s === "string" && typeof p === "string" && s.toLowerCase().includes(p.toLowerCase()),
  tolower: ([s]) => (typeof s === "string" ? s.toLowerCase() : null),
  toupper: ([s]) => (typeof s === "string" ? s.toUpperCase() : null),
};

class Parser {
  private pos = 0;
  constructor(private readonly tokens: string[]) {}

  parse(): ConnectionPredicate {
    const expr = this.or();
    if (this.pos !== this.tokens.length) throw new FilterError(`Unexpected '${this.tokens[this.pos]}' in filter.`);
    return (t) => expr(t) === true;
  }

  private peek(): string | undefined {
    return this.tokens[this.pos];
  }
  private keyword(word: string): boolean {
    if (this.peek()?.toLowerCase() === word) {
      this.pos++;
      return true;
    }
    return false;
  }
  private expect(token: string): void {
    if (this.tokens[this.pos++] !== token) throw new FilterError(`Expected '${token}' in filter.`);
  }

  private or(): Expr {
    let left = this.and();
    while (this.keyword("or")) {
      const l = left, r = this.and();
      left = (t) => l(t) === true || r(t) === true;
    }
    return left;
  }
  private and(): Expr {
    let left = this.unary();
    while (this.keyword("and")) {
      const l = left, r = this.unary();
      left = (t) => l(t) === true && r(t) === true;
    }
    return left;
  }
  private unary(): Expr {
    if (this.keyword("not")) {
      const inner = this.unary();
      return (t) => inner(t) !== true;
    }
    return this.comparison();
  }
  private comparison(): Expr {
    const left = this.value();
    const op = this.peek()?.toLowerCase();
    if (op !== undefined && ["eq", "ne", "gt", "ge", "lt", "le"].includes(op)) {
      this.pos++;
      const right = this.value();
      return (t) => compare(op, left(t), right(t));
    }
    if (this.keyword("in")) {
      const set = this.collection();
      return (t) => {
        const needle = fold(left(t));
        return set(t).some((v) => v.toLowerCase() === needle);
      };
    }
    return left;
  }
  private collection(): (t: FilterTarget) => string[] {
    if (this.peek() === "(") {
      this.pos++;
      const items: Expr[] = [this.value()];
      while (this.peek() === ",") {
        this.pos++;
        items.push(this.value());
      }
      this.expect(")");
      return (t) => items.map((i) => i(t)).filter((v): v is string => typeof v === "string");
    }
    const v = this.value();
    return (t) => {
      const r = v(t);
      return Array.isArray(r) ? r : [];
    };
  }
  private value(): Expr {
    const token = this.tokens[this.pos++];
    if (token === undefined) throw new FilterError("Unexpected end of filter.");
    if (token === "(") {
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    if (token.startsWith("'")) {
      const s = token.slice(1, -1).replace(/''/g, "'");
      return () => s;
    }
    if (/^-?\d/.test(token)) {
      const n = Number(token);
      return () => n;
    }
    const word = token.toLowerCase();
    switch (word) {
      case "null": return () => null;
      case "true": return () => true;
      case "false": return () => false;
      case "userid": return (t) => t.userId ?? null;
      case "connectionid": return (t) => t.id;
      case "groups": return (t) => [...t.groups];
    }
    const fn = FUNCTIONS[word];
    if (fn !== undefined && this.peek() === "(") {
      this.pos++;
      const args: Expr[] = [];
      if (this.peek() !== ")") {
        args.push(this.or());
        while (this.peek() === ",") {
          this.pos++;
          args.push(this.or());
        }
      }
      this.expect(")");
      return (t) => fn(args.map((a) => a(t)));
    }
    throw new FilterError(`Unsupported identifier '${token}' in filter.`);
  }
}

/** Compiles a filter; an empty or missing one matches every connection. */
export function compileFilter(filter: string | null | undefined): ConnectionPredicate | undefined {
  if (filter === null || filter === undefined || filter.trim() === "") {
    return undefined;
  }
  return new Parser(tokenize(filter)).parse();
}
