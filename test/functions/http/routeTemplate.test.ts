import { describe, expect, it } from "vitest";
import { compileRoute } from "../../../functions/http/routeTemplate.js";

/** Picks the route the local functions host would run for a path: most specific first, then the first match. */
function pick(templates: string[], path: string): { template: string; params: Record<string, string> } | undefined {
  const ordered = templates.map(compileRoute).sort((a, b) => b.specificity - a.specificity);
  for (const route of ordered) {
    const params = route.match(path);
    if (params) return { template: route.template, params };
  }
  return undefined;
}

/** Both registration orders must give the same answer: specificity decides, not the order of the table. */
function pickEitherOrder(templates: string[], path: string) {
  const forward = pick(templates, path);
  const backward = pick([...templates].reverse(), path);
  expect(backward).toEqual(forward);
  return forward;
}

describe("compileRoute: literal segments", () => {
  const route = compileRoute("v1/directory/lookup");

  it.each([
    ["v1/directory/lookup"],
    ["/v1/directory/lookup"],
    ["/v1/directory/lookup/"],
    ["V1/Directory/LOOKUP"],
  ])("matches %j with no parameters", (path) => {
    expect(route.match(path)).toEqual({});
  });

  it.each([
    ["v1/directory"],
    ["v1/directory/lookup/more"],
    ["v1/directory/lookups"],
    ["v2/directory/lookup"],
    [""],
    ["/"],
  ])("does not match %j", (path) => {
    expect(route.match(path)).toBeUndefined();
  });

  it("compares literals without case also when the template is written in capitals", () => {
    expect(compileRoute("V1/Screen-Pops").match("v1/screen-pops")).toEqual({});
    expect(compileRoute("V1/Screen-Pops").match("V1/SCREEN-POPS")).toEqual({});
  });

  it("an empty template matches only the root", () => {
    expect(compileRoute("").match("/")).toEqual({});
    expect(compileRoute("").match("")).toEqual({});
    expect(compileRoute("").match("/x")).toBeUndefined();
  });
});

describe("compileRoute: parameters", () => {
  const route = compileRoute("v1/directory/{collection}/{recordId}");

  it("reads each parameter from its segment, keeping its case", () => {
    expect(route.match("v1/directory/contacts/C-Alice")).toEqual({ collection: "contacts", recordId: "C-Alice" });
  });

  it("needs every parameter", () => {
    expect(route.match("v1/directory/contacts")).toBeUndefined();
    expect(route.match("v1/directory/contacts/c-alice/extra")).toBeUndefined();
  });

  it.each([
    ["a%20b", "a b"],
    ["caf%C3%A9", "café"],
    ["a%7Cb", "a|b"],
    ["a%2Fb", "a/b"],
    ["a+b", "a+b"],
    ["%2e%2e", ".."],
  ])("URL-decodes %j to %j", (raw, decoded) => {
    expect(route.match(`v1/directory/contacts/${raw}`)).toEqual({ collection: "contacts", recordId: decoded });
  });

  it("does not match (rather than throw) a malformed percent-encoding", () => {
    expect(() => route.match("v1/directory/contacts/%E0%A4%A")).not.toThrow();
    expect(route.match("v1/directory/contacts/%E0%A4%A")).toBeUndefined();
    expect(route.match("v1/directory/contacts/100%")).toBeUndefined();
  });

  it("a parameter may stand first and between literals", () => {
    expect(compileRoute("{tenant}/screen-pops/{popId}/ack").match("acme/screen-pops/42/ack")).toEqual({ tenant: "acme", popId: "42" });
    expect(compileRoute("{tenant}/screen-pops/{popId}/ack").match("acme/screen-pops/42/nack")).toBeUndefined();
  });
});

describe("compileRoute: constraints", () => {
  const cases: Array<[constraint: string, accepted: string[], refused: string[]]> = [
    ["int", ["0", "42", "-7", "%34%32"], ["4.2", "x", "4x", "+4", "1e3"]],
    ["long", ["12345678901", "-1"], ["1.0", "one"]],
    ["alpha", ["abc", "ABC", "aBc"], ["abc1", "a-b", "%C3%A9t%C3%A9", "a%20b"]],
    ["bool", ["true", "false", "TRUE", "False"], ["yes", "1", "truee"]],
    [
      "guid",
      ["3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3F2504E04F8911D39A0C0305E82C3301"],
      ["3f2504e0-4f89-11d3-9a0c-0305e82c330", "not-a-guid", "3f2504e0-4f89-11d3-9a0c-0305e82c3301x"],
    ],
  ];

  describe.each(cases)("{id:%s}", (constraint, accepted, refused) => {
    const route = compileRoute(`items/{id:${constraint}}`);
    it.each(accepted)("accepts %j", (value) => {
      expect(route.match(`items/${value}`)).toEqual({ id: decodeURIComponent(value) });
    });
    it.each(refused)("refuses %j", (value) => {
      expect(route.match(`items/${value}`)).toBeUndefined();
    });
  });
});

describe("compileRoute: templates it cannot serve are refused when registered, not misread", () => {
  it.each([
    ["items/{id:itn}"], // a typo in the constraint would otherwise accept anything
    ["items/{id:minlength(3)}"],
    ["files/{name}.{ext}"],
    ["items/{id"],
  ])("%j throws", (template) => {
    expect(() => compileRoute(template)).toThrow(/route/i);
  });

  it("every route of the product compiles", async () => {
    const { httpFunctions } = await import("../../../functions/index.js");
    for (const fn of httpFunctions) expect(() => compileRoute(fn.route)).not.toThrow();
  });
});

describe("compileRoute: optional parameters", () => {
  const route = compileRoute("v1/agent/screen-pops/{popId?}");

  it("matches with the parameter", () => {
    expect(route.match("v1/agent/screen-pops/42")).toEqual({ popId: "42" });
  });

  it("matches without it, leaving it out of the parameters", () => {
    const params = route.match("v1/agent/screen-pops");
    expect(params).toEqual({});
    expect(params && "popId" in params).toBe(false);
  });

  it("still refuses extra segments", () => {
    expect(route.match("v1/agent/screen-pops/42/ack")).toBeUndefined();
  });

  it("keeps its constraint when present", () => {
    const constrained = compileRoute("items/{id:int?}");
    expect(constrained.match("items")).toEqual({});
    expect(constrained.match("items/5")).toEqual({ id: "5" });
    expect(constrained.match("items/five")).toBeUndefined();
  });
});

describe("compileRoute: catch-all parameters", () => {
  const route = compileRoute("files/{*rest}");

  it("takes every remaining segment, decoded, joined with /", () => {
    expect(route.match("files/a/b/c.txt")).toEqual({ rest: "a/b/c.txt" });
    expect(route.match("files/My%20Docs/r%C3%A9sum%C3%A9.pdf")).toEqual({ rest: "My Docs/résumé.pdf" });
    expect(route.match("files/one")).toEqual({ rest: "one" });
  });

  it("matches nothing after the literal as an empty value", () => {
    expect(route.match("files")).toEqual({ rest: "" });
  });

  it("needs the segments before it", () => {
    expect(route.match("other/a/b")).toBeUndefined();
    expect(compileRoute("v1/files/{*rest}").match("v1")).toBeUndefined();
  });

  it("does not match (rather than throw) a malformed percent-encoding", () => {
    expect(() => route.match("files/ok/%E0%A4%A")).not.toThrow();
    expect(route.match("files/ok/%E0%A4%A")).toBeUndefined();
  });
});

describe("route specificity: which registered function serves a path", () => {
  it("a literal beats a parameter (v1/agent/search is never a collection)", () => {
    const routes = ["v1/agent/{collection}", "v1/agent/search"];
    expect(pickEitherOrder(routes, "v1/agent/search")).toEqual({ template: "v1/agent/search", params: {} });
    expect(pickEitherOrder(routes, "v1/agent/Search")).toEqual({ template: "v1/agent/search", params: {} });
    expect(pickEitherOrder(routes, "v1/agent/contacts")).toEqual({ template: "v1/agent/{collection}", params: { collection: "contacts" } });
  });

  it("the product's agent routes do not shadow each other", () => {
    const routes = [
      "v1/agent/me",
      "v1/agent/negotiate",
      "v1/agent/search",
      "v1/agent/screen-pops",
      "v1/agent/screen-pops/{popId}/ack",
      "v1/agent/directory/{collection}",
      "v1/agent/directory/{collection}/{recordId}",
    ];
    expect(pickEitherOrder(routes, "v1/agent/me")?.template).toBe("v1/agent/me");
    expect(pickEitherOrder(routes, "v1/agent/screen-pops")?.template).toBe("v1/agent/screen-pops");
    expect(pickEitherOrder(routes, "v1/agent/screen-pops/1/ack")).toEqual({
      template: "v1/agent/screen-pops/{popId}/ack",
      params: { popId: "1" },
    });
    expect(pickEitherOrder(routes, "v1/agent/directory/contacts/c-1")).toEqual({
      template: "v1/agent/directory/{collection}/{recordId}",
      params: { collection: "contacts", recordId: "c-1" },
    });
    expect(pickEitherOrder(routes, "v1/agent/screen-pops/1")).toBeUndefined();
  });

  it("an earlier literal segment outranks anything after it", () => {
    const routes = ["{tenant}/settings", "v1/{section}"];
    expect(pickEitherOrder(routes, "v1/settings")).toEqual({ template: "v1/{section}", params: { section: "settings" } });
    expect(pickEitherOrder(routes, "acme/settings")).toEqual({ template: "{tenant}/settings", params: { tenant: "acme" } });
  });

  it("a parameter beats an optional parameter and a catch-all", () => {
    const routes = ["items/{*rest}", "items/{id?}", "items/{id}"];
    expect(pickEitherOrder(routes, "items/5")?.template).toBe("items/{id}");
    expect(pickEitherOrder(["items/{*rest}", "items/{id?}"], "items/5")?.template).toBe("items/{id?}");
    expect(pickEitherOrder(routes, "items/5/6")).toEqual({ template: "items/{*rest}", params: { rest: "5/6" } });
  });

  it("a literal beats a catch-all", () => {
    const routes = ["files/{*rest}", "files/readme"];
    expect(pickEitherOrder(routes, "files/readme")?.template).toBe("files/readme");
    expect(pickEitherOrder(routes, "files/readme/more")?.template).toBe("files/{*rest}");
  });

  it("a constrained parameter beats an unconstrained one", () => {
    const routes = ["items/{slug}", "items/{id:int}"];
    expect(pickEitherOrder(routes, "items/42")).toEqual({ template: "items/{id:int}", params: { id: "42" } });
    expect(pickEitherOrder(routes, "items/blue-shoes")).toEqual({ template: "items/{slug}", params: { slug: "blue-shoes" } });
  });

  it("a template that ends where the path ends beats one that continues with an optional or catch-all segment", () => {
    expect(pickEitherOrder(["v1/items/{id?}", "v1/items"], "v1/items")?.template).toBe("v1/items");
    expect(pickEitherOrder(["files/{*rest}", "files"], "files")?.template).toBe("files");
    expect(pickEitherOrder(["{*path}", "{page}"], "home")).toEqual({ template: "{page}", params: { page: "home" } });
    // The longer template still serves the paths only it matches.
    expect(pickEitherOrder(["v1/items/{id?}", "v1/items"], "v1/items/3")).toEqual({ template: "v1/items/{id?}", params: { id: "3" } });
  });

  it("specificity is a number the host can sort by: more specific is higher", () => {
    const literal = compileRoute("v1/agent/search").specificity;
    const param = compileRoute("v1/agent/{collection}").specificity;
    const catchAll = compileRoute("v1/{*rest}").specificity;
    expect(literal).toBeGreaterThan(param);
    expect(param).toBeGreaterThan(catchAll);
    expect(compileRoute("v1/agent/search").specificity).toBe(literal);
  });
});
