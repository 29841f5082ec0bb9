import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { declarations, declaredObject, objectProperties, parseBicep, root, walk } from "./bicep.js";

/**
 * What the code does with Azure, and the built-in role that allows it. Role definition ids from the
 * Azure built-in roles reference (learn.microsoft.com/azure/role-based-access-control/built-in-roles:
 * storage, integration (Web PubSub) and monitor sections).
 */
const needed = [
  {
    operations: "tables: read and write rows, create missing tables at start-up (shared/storage/tables.ts)",
    role: "storageTableDataContributor",
    name: "Storage Table Data Contributor",
    id: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
    module: "storage",
  },
  {
    operations: "Functions host storage and the Flex Consumption deployment package (blobs)",
    role: "storageBlobDataOwner",
    name: "Storage Blob Data Owner",
    id: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    module: "storage",
  },
  {
    operations: "Web PubSub: send to agents' groups, sign client access tokens (negotiate) (shared/realtime)",
    role: "webPubSubServiceOwner",
    name: "Web PubSub Service Owner",
    id: "12cf5a90-567b-43ae-8102-96cf46c7d9b4",
    module: "webPubSub",
  },
  {
    operations: "telemetry ingestion with Entra ID (APPLICATIONINSIGHTS_AUTHENTICATION_STRING)",
    role: "monitoringMetricsPublisher",
    name: "Monitoring Metrics Publisher",
    id: "3913510d-42f4-4e42-8a64-420c390055eb",
    module: "monitoring",
  },
] as const;

describe("role assignments: every role the code's operations need goes to the app identity", async () => {
  const tree = await parseBicep("infra/main.bicep");
  const roles = objectProperties(declaredObject(declarations(tree, "variable_declaration").get("roles")!));
  const modules = declarations(tree, "module_declaration");

  it.each(needed)("$name for $operations", async ({ role, id, module }) => {
    expect(roles.get(role)?.text).toBe(`'${id}'`);
    const declaration = modules.get(module);
    expect(declaration, `module ${module}`).toBeDefined();
    const params = objectProperties(objectProperties(declaredObject(declaration!)).get("params")!);
    // given to the app's identity...
    expect(params.get("principalId")?.text).toBe("identity.outputs.principalId");
    const assigned = params.get("roleDefinitionIds");
    expect(assigned?.type).toBe("array");
    expect([...walk(assigned!)].map((n) => n.text)).toContain(`roles.${role}`);
    // ...and the module really assigns each role it is given to that principal, on its resource.
    const path = declaration!.namedChildren[1]!.text.replace(/^'|'$/g, "");
    const source = await readFile(join(root, "infra", path), "utf8");
    expect(source).toMatch(
      /resource \w+ 'Microsoft\.Authorization\/roleAssignments@[\d-]+' = \[\s*for roleId in roleDefinitionIds: \{[\s\S]*?roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', roleId\)[\s\S]*?principalId: principalId/,
    );
  });

  it("assigns no role the table above does not explain", () => {
    expect([...roles.keys()].sort()).toEqual(needed.map((n) => n.role).sort());
  });
});
