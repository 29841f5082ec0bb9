import { describe, expect, it } from "vitest";
import { declarations, declaredObject, objectProperties, parseBicep } from "./bicep.js";
import { httpFunctions } from "../../functions/index.js";

/** The availability test and its alert call the readiness endpoint the app serves (issue 16, item 13). */
describe("infra: availability test on GET /api/health", async () => {
  const module = await parseBicep("infra/modules/availability.bicep");
  const resources = declarations(module, "resource_declaration");
  const main = await parseBicep("infra/main.bicep");

  it("is a standard web test that GETs /api/health and expects 200", () => {
    const test = resources.get("healthTest")!;
    expect(test.text).toContain("'Microsoft.Insights/webtests@");
    const properties = objectProperties(objectProperties(declaredObject(test)).get("properties")!);
    expect(properties.get("Kind")!.text).toBe("'standard'");
    const request = objectProperties(properties.get("Request")!);
    expect(request.get("RequestUrl")!.text).toBe("'${appUrl}/api/health'");
    expect(request.get("HttpVerb")!.text).toBe("'GET'");
    expect(objectProperties(properties.get("ValidationRules")!).get("ExpectedHttpStatusCode")!.text).toBe("200");
  });

  it("targets a route the app serves anonymously", () => {
    const health = httpFunctions.find((d) => d.route === "health");
    expect(health).toMatchObject({ method: "GET", auth: "anonymous" });
  });

  it("alerts when the test fails from two locations, and main.bicep deploys it with the app's URL", () => {
    const alert = objectProperties(objectProperties(declaredObject(resources.get("healthAlert")!)).get("properties")!);
    const criteria = objectProperties(alert.get("criteria")!);
    expect(criteria.get("odata.type")!.text).toContain("WebtestLocationAvailabilityCriteria");
    expect(criteria.get("webTestId")!.text).toBe("healthTest.id");
    const availability = declarations(main, "module_declaration").get("availability")!;
    const params = objectProperties(objectProperties(declaredObject(availability)).get("params")!);
    expect(params.get("appUrl")!.text).toBe("functionApp.outputs.url");
  });
});
