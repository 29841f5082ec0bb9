import { describe, expect, it } from "vitest";
import { declarations, declaredObject, objectProperties, parseBicep } from "./bicep.js";

/**
 * App Service Authentication must be on in a deployment: only it strips a forged x-ms-client-principal
 * header, and the app refuses agent sessions when App Service says it is off (issue 16, item 8;
 * shared/auth/agentPrincipal.ts refuseSessionWithoutEasyAuth).
 */
describe("infra: App Service Authentication (authsettingsV2)", async () => {
  const tree = await parseBicep("infra/modules/functionapp.bicep");
  const auth = declarations(tree, "resource_declaration").get("auth");

  it("is a sites/config authsettingsV2 of the Function App", () => {
    expect(auth).toBeDefined();
    expect(auth!.text).toContain("'Microsoft.Web/sites/config@");
    const body = objectProperties(declaredObject(auth!));
    expect(body.get("parent")!.text).toBe("site");
    expect(body.get("name")!.text).toBe("'authsettingsV2'");
  });

  it("turns the platform on, with the Entra ID provider enabled", () => {
    const properties = objectProperties(objectProperties(declaredObject(auth!)).get("properties")!);
    expect(objectProperties(properties.get("platform")!).get("enabled")!.text).toBe("true");
    const providers = objectProperties(properties.get("identityProviders")!);
    expect(objectProperties(providers.get("azureActiveDirectory")!).get("enabled")!.text).toBe("true");
    // Anonymous requests pass (partner routes); the app checks the principal on agent routes itself.
    expect(objectProperties(properties.get("globalValidation")!).get("unauthenticatedClientAction")!.text).toBe("'AllowAnonymous'");
  });
});
