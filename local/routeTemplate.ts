/**
 * Azure Functions route templates ("v1/screen-pops/{popId}", "{id:int}", "{name?}", "{*rest}") as the
 * local host matches them. Literal segments win over parameters, as in the Functions host's ASP.NET
 * routing, so "v1/agent/search" is never read as "v1/agent/{collection}".
 */
export interface CompiledRoute {
  template: string;
  /** Higher is more specific; used to order routes before matching. */
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
  if (!param) return { literal: text.toLowerCase() };
  const [, star, name, constraint, optional] = param;
  return { name: name as string, catchAll: Boolean(star), optional: Boolean(optional), ...(constraint ? { constraint } : {}) };
}

export function compileRoute(template: string): CompiledRoute {
  const segments = template.split("/").filter(Boolean).map(parseSegment);
  const specificity = segments.reduce((sum, s) => sum * 4 + (s.literal !== undefined ? 3 : s.catchAll ? 0 : s.optional ? 1 : 2), 0);
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
          params[segment.name as string] = parts.slice(i).map(decodeURIComponent).join("/");
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

function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
