/**
 * The OData system query options CIF's searchAndOpenRecords and retrieveRecord take
 * (`?$select=fullname,telephone1&$filter=telephone1 eq '555-0109'&$search=Contoso`), parsed into what
 * WebCTI can act on. `$filter` is read with a small grammar: comparisons `attribute eq|ne literal`, the
 * functions contains / startswith / endswith(attribute, 'text'), joined by `and` / `or`, with parentheses.
 * `$expand` and `$orderby` are accepted and not applied (WebCTI's records have no relations to expand and
 * come in the service's order). Anything else is a syntax error, thrown as an Error whose message says
 * what and where.
 */
export type FilterNode =
  | { kind: "and"; items: FilterNode[] }
  | { kind: "or"; items: FilterNode[] }
  | { kind: "compare"; attribute: string; op: "eq" | "ne"; value: string | number | boolean | null }
  | { kind: "function"; fn: "contains" | "startswith" | "endswith"; attribute: string; value: string };

export interface QueryOptions {
  filter?: FilterNode;
  search?: string;
  select?: string[];
  top?: number;
}

const ignoredOptions = new Set(["$expand", "$orderby"]);

export function parseQueryOptions(query: string): QueryOptions {
  const options: QueryOptions = {};
  for (const part of splitOutsideQuotes(query.trim().replace(/^\?/, ""), "&")) {
    if (!part) continue;
    const at = part.indexOf("=");
    const name = (at < 0 ? part : part.slice(0, at)).trim().toLowerCase();
    const value = decode(at < 0 ? "" : part.slice(at + 1)).trim();
    if (name === "$filter") options.filter = parseFilter(value);
    else if (name === "$search") options.search = value.replace(/^"(.*)"$/, "$1");
    else if (name === "$select") options.select = value.split(",").map((s) => s.trim()).filter(Boolean);
    else if (name === "$top") {
      if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`$top must be a positive whole number; got '${value}'.`);
      options.top = Number(value);
    } else if (!ignoredOptions.has(name)) throw new Error(`Unknown query option '${name}' (WebCTI reads $filter, $search, $select and $top).`);
  }
  return options;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (const char of text) {
    if (char === "'") quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts;
}

type Token = { type: "word" | "string" | "number" | "punct"; text: string; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(')((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)(?![\w])|([A-Za-z_$][\w.@/$]*)|([(),]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    pattern.lastIndex = at;
    const m = pattern.exec(text);
    if (!m) throw new Error(`$filter: cannot read '${text.slice(at).trim().slice(0, 20)}' at character ${at + 1}.`);
    if (m[1]) tokens.push({ type: "string", text: m[2]!.replace(/''/g, "'"), at });
    else if (m[3] !== undefined) tokens.push({ type: "number", text: m[3], at });
    else if (m[4] !== undefined) tokens.push({ type: "word", text: m[4], at });
    else tokens.push({ type: "punct", text: m[5]!, at });
    at = pattern.lastIndex;
  }
  return tokens;
}

export function parseFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const isWord = (word: string) => peek()?.type === "word" && peek()!.text.toLowerCase() === word;
  const fail = (what: string): never => {
    const token = peek();
    throw new Error(`$filter: expected ${what} ${token ? `at '${token.text}' (character ${token.at + 1})` : "at the end"}.`);
  };
  const expect = (text: string) => (peek()?.text === text ? i++ : fail(`'${text}'`));

  function literal(): string | number | boolean | null {
    const token = peek() ?? fail("a value");
    i++;
    if (token.type === "string") return token.text;
    if (token.type === "number") return Number(token.text);
    const word = token.text.toLowerCase();
    if (word === "true" || word === "false") return word === "true";
    if (word === "null") return null;
    i--;
    return fail("a value ('text', a number, true, false or null)");
  }

  function primary(): FilterNode {
    if (peek()?.text === "(") {
      i++;
      const inner = or();
      expect(")");
      return inner;
    }
    const token = peek();
    if (token?.type !== "word") return fail("an attribute name");
    i++;
    const fn = token.text.toLowerCase();
    if (peek()?.text === "(") {
      if (fn !== "contains" && fn !== "startswith" && fn !== "endswith") throw new Error(`$filter: the function '${token.text}' is not supported (contains, startswith, endswith are).`);
      i++;
      const attribute = peek()?.type === "word" ? tokens[i++]!.text.toLowerCase() : fail("an attribute name");
      expect(",");
      const value = peek()?.type === "string" ? tokens[i++]!.text : fail("a 'text' value");
      expect(")");
      return { kind: "function", fn, attribute, value };
    }
    const op = peek()?.type === "word" ? peek()!.text.toLowerCase() : fail("an operator");
    if (op !== "eq" && op !== "ne") throw new Error(`$filter: the operator '${op}' is not supported (eq and ne are).`);
    i++;
    return { kind: "compare", attribute: fn, op, value: literal() };
  }

  function joined(kind: "and" | "or", next: () => FilterNode): FilterNode {
    const items = [next()];
    while (isWord(kind)) {
      i++;
      items.push(next());
    }
    return items.length === 1 ? items[0]! : kind === "and" ? { kind: "and", items } : { kind: "or", items };
  }
  const and = () => joined("and", primary);
  const or = (): FilterNode => joined("or", and);

  if (tokens.length === 0) throw new Error("$filter is empty.");
  const tree = or();
  if (i < tokens.length) fail("'and', 'or' or the end");
  return tree;
}
