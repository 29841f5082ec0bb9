import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { declarations, declaredObject, objectProperties, parseBicep, root, walk } from "./bicep.js";

describe("azd: azure.yaml and main.bicep agree", async () => {
  const azureYaml = parse(await readFile(join(root, "azure.yaml"), "utf8")) as {
    name: string;
    services: Record<string, { project: string; language: string; host: string }>;
  };
  const tree = await parseBicep("infra/main.bicep");

  it("azure.yaml deploys this folder as a function app", () => {
    expect(Object.keys(azureYaml.services)).toEqual(["api"]);
    expect(azureYaml.services.api).toMatchObject({ project: ".", host: "function" });
    expect(["ts", "js"]).toContain(azureYaml.services.api!.language);
  });

  it("the Function App is tagged azd-service-name with the service azure.yaml names", () => {
    const functionApp = declarations(tree, "module_declaration").get("functionApp")!;
    const tags = objectProperties(objectProperties(declaredObject(functionApp)).get("params")!).get("tags")!;
    const pairs = [...walk(tags)].filter((n) => n.type === "object_property").map((p) => p.text.replace(/\s+/g, " "));
    expect(pairs).toContain(`'azd-service-name': '${Object.keys(azureYaml.services)[0]}'`);
  });

  it("takes azd's parameters and tags azd-env-name", async () => {
    const params = declarations(tree, "parameter_declaration");
    expect(params.has("environmentName")).toBe(true);
    expect(params.has("location")).toBe(true);
    const json = JSON.parse(await readFile(join(root, "infra/main.parameters.json"), "utf8")) as {
      parameters: Record<string, { value: string }>;
    };
    expect(json.parameters.environmentName?.value).toBe("${AZURE_ENV_NAME}");
    expect(json.parameters.location?.value).toBe("${AZURE_LOCATION}");
    // every parameter the file passes exists in main.bicep
    expect(Object.keys(json.parameters).filter((name) => !params.has(name))).toEqual([]);
    const tags = objectProperties(declaredObject(declarations(tree, "variable_declaration").get("tags")!));
    expect(tags.get("azd-env-name")?.text).toBe("environmentName");
  });

  it("every resource and module gets the tags", async () => {
    for (const file of ["infra/main.bicep", "infra/modules/identity.bicep", "infra/modules/storage.bicep", "infra/modules/webpubsub.bicep", "infra/modules/monitoring.bicep", "infra/modules/functionapp.bicep", "infra/modules/egress.bicep", "infra/modules/alerts.bicep", "infra/modules/webpubsubhub.bicep"]) {
      const t = await parseBicep(file);
      for (const [name, resource] of declarations(t, "resource_declaration")) {
        if (!resource.namedChildren.some((c) => c?.type === "object")) continue; // a for loop: role assignments
        if (/^resource \S+ '[^']+' existing =/.test(resource.text)) continue; // a reference, not deployed here
        const body = objectProperties(declaredObject(resource));
        // child resources (parent:) and role assignments (scope:) take no tags in ARM
        if (body.has("parent") || body.has("scope")) continue;
        expect(body.get("tags")?.text, `${file} ${name}`).toMatch(/^tags$/);
      }
    }
    // Modules that deploy only child resources, which take no tags in ARM.
    const untaggable: Record<string, string> = { webPubSubHub: "the hub (webPubSub/hubs), a child of the Web PubSub resource" };
    for (const [name, module] of declarations(tree, "module_declaration")) {
      if (name in untaggable) continue;
      const params = objectProperties(objectProperties(declaredObject(module)).get("params")!);
      expect(params.get("tags")?.text, name).toMatch(/^(tags|union\(tags, .*\))$/);
    }
  });
});
