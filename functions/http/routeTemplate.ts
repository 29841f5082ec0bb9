/**
 * Azure Functions route templates ("v1/screen-pops/{popId}", "{id:int}", "{name?}", "{*rest}") as the
 * local host matches them, and as the Azure entry's API catch-all tells a wrong method from a wrong path. Literal segments win over parameters, as in the Functions host's ASP.NET
 * routing, so "v1/agent/search" is never read as "v1/agent/{collection}".
 */
export interface CompiledRoute {
  template: string;
  /** Higher is more specific; used to order routes before matching (it may be negative). */
  specificity: number;
  match(path: string): Record<string, string> | undefined;
}

interface Segment {
  literal?: string;
  name?: string;
  optional?: boolean;
  catchAll?: boolean;
  constraint?: string;
}

const constraints: Record<string, RegExp> = {
  int: /^-?\d+$/,
  long: /^-?\d+$/,
  alpha: /^[A-Za-z]+$/,
  bool: /^(true|false)$/i,
  guid: /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i,
};

function parseSegment(text: string): Segment {
  const param = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?(\?)?\}$/.exec(text);
  if (!param) {
    // A typo or an unsupported form ("{id:minlength(3)}", "{name}.{ext}") must not silently become a literal.
    if (/[{}]/.test(text)) throw new Error(`Unsupported route segment '${text}'`);
    return { literal: text.toLowerCase() };
  }
  const [, star, name, constraint, optional] = param;
  if (constraint && !constraints[constraint]) throw new Error(`Unknown route constraint '${constraint}' in '${text}'`);
  return { name: name as string, catchAll: Boolean(star), optional: Boolean(optional), ...(constraint ? { constraint } : {}) };
}

export function compileRoute(template: string): CompiledRoute {
  const segments = template.split("/").filter(Boolean).map(parseSegment);
  // ASP.NET's inbound route precedence: segments compare left to right, the first difference decides, and a
  // template that has ended outranks one that continues (with an optional or catch-all segment) on the same path.
  const specificity = -segments.reduce((sum, s, i) => sum + precedenceDigit(s) / 10 ** i, 0);
  return {
    template,
    specificity,
    match(path) {
      const parts = path.split("/").filter(Boolean);
      const params: Record<string, string> = {};
      for (let i = 0; i < segments.length; i += 1) {
        const segment = segments[i] as Segment;
        const part = parts[i];
        if (segment.catchAll) {
          const rest = parts.slice(i).map(safeDecode);
          if (rest.some((value) => value === undefined)) return undefined;
          params[segment.name as string] = rest.join("/");
          return params;
        }
        if (part === undefined) return segment.optional ? params : undefined;
        if (segment.literal !== undefined) {
          if (part.toLowerCase() !== segment.literal) return undefined;
          continue;
        }
        const value = safeDecode(part);
        if (value === undefined) return undefined;
        const rule = segment.constraint ? constraints[segment.constraint] : undefined;
        if (rule && !rule.test(value)) return undefined;
        params[segment.name as string] = value;
      }
      return parts.length === segments.length ? params : undefined;
    },
  };
}

/** Lower is more specific: literal, constrained parameter, parameter, optional parameter, catch-all. */
function precedenceDigit(segment: Segment): number {
  if (segment.literal !== undefined) return 1;
  if (segment.catchAll) return 5;
  if (segment.optional) return 4;
  return segment.constraint ? 2 : 3;
}

function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

export interface RouteEntry<T> {
  methods: string[];
  route: string;
  target: T;
}

/** What a request finds: a target with its parameters, the methods the path allows, or nothing. */
export type RouteLookup<T> = { target: T; params: Record<string, string> } | { allow: string[] } | undefined;

/** Matches a method and path against routes, most specific first, as the Functions host orders them. */
export function createRouter<T>(entries: RouteEntry<T>[]): (method: string, path: string) => RouteLookup<T> {
  const routes = entries
    .map((entry) => ({ entry, compiled: compileRoute(entry.route), methods: entry.methods.map((m) => m.toUpperCase()) }))
    .sort((a, b) => b.compiled.specificity - a.compiled.specificity);
  return (method, path) => {
    const matches = routes
      .map((route) => ({ ...route, params: route.compiled.match(path) }))
      .filter((route): route is typeof route & { params: Record<string, string> } => route.params !== undefined);
    const match = matches.find((route) => route.methods.includes(method.toUpperCase()));
    if (match) return { target: match.entry.target, params: match.params };
    if (matches.length > 0) return { allow: [...new Set(matches.flatMap((route) => route.methods))] };
    return undefined;
  };
}
