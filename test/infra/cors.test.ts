import { describe, expect, it } from "vitest";
import { declarations, declaredObject, objectProperties, parseBicep } from "./bicep.js";

/**
 * App Service's own CORS, when it lists any origin, answers preflights itself and overwrites the app's
 * Access-Control-* headers: it must stay off so the per-tenant CORS of functions/http/cors.ts is what
 * browsers see.
 */
describe("the Function App's platform CORS", async () => {
  const tree = await parseBicep("infra/modules/functionapp.bicep");
  const site = declarations(tree, "resource_declaration").get("site");

  it("lists no origin and allows no credentials", () => {
    expect(site).toBeDefined();
    const properties = objectProperties(objectProperties(declaredObject(site!)).get("properties")!);
    const cors = objectProperties(objectProperties(properties.get("siteConfig")!).get("cors")!);
    expect(cors.get("allowedOrigins")?.text.replace(/\s/g, "")).toBe("[]");
    expect(cors.get("supportCredentials")?.text).toBe("false");
  });
});
