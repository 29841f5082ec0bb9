import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Node } from "web-tree-sitter";
import { describe, expect, it } from "vitest";
import { routePrefix } from "../../functions/http/openApi.js";
import { webPubSubEventsRoute } from "../../functions/webPubSubEvents.js";
import { bicepFiles, declarations, declaredObject, objectProperties, parseBicep, root } from "./bicep.js";

/**
 * The push connection cap in Azure (issue 16, item 7): the hub has one event handler, the app's
 * POST /api/v1/push/events, for connect and disconnected, authenticated with the Web PubSub resource's own
 * managed identity (upstream auth ManagedIdentity), and the app is given what it checks those tokens against
 * (shared/realtime/eventCaller.ts): the directory, the audience the hub asks tokens for, that identity's principal.
 */
const props = (object: Node) => objectProperties(object);
const get = (object: Node, ...path: string[]): Node => {
  let node = object;
  for (const key of path) {
    const next = props(node).get(key);
    if (!next) throw new Error(`no ${key} in ${node.text.slice(0, 80)}`);
    node = next;
  }
  return node;
};

describe("infra: the hub's event handler and its upstream auth", async () => {
  const main = await parseBicep("infra/main.bicep");
  const modules = declarations(main, "module_declaration");
  const moduleParams = (name: string) => {
    const declaration = modules.get(name);
    if (!declaration) throw new Error(`main.bicep declares no module ${name}`);
    return { path: declaration.namedChildren[1]!.text, params: get(declaredObject(declaration), "params") };
  };
  const appSettings = get(moduleParams("functionApp").params, "appSettings");
  const hubModule = moduleParams("webPubSubHub");
  const hubTree = await parseBicep("infra/modules/webpubsubhub.bicep");
  const hub = declaredObject(declarations(hubTree, "resource_declaration").get("hub")!);

  it("gives the Web PubSub resource an identity of its own (not the app's, which holds data roles)", async () => {
    expect(moduleParams("webPubSubIdentity").path).toBe("'modules/identity.bicep'");
    const webPubSub = moduleParams("webPubSub").params;
    expect(get(webPubSub, "serviceIdentityId").text).toBe("webPubSubIdentity.outputs.id");
    expect(get(webPubSub, "principalId").text).toBe("identity.outputs.principalId");
    const service = declaredObject(declarations(await parseBicep("infra/modules/webpubsub.bicep"), "resource_declaration").get("service")!);
    expect(get(service, "identity", "type").text).toBe("'UserAssigned'");
    expect([...props(get(service, "identity", "userAssignedIdentities")).keys()]).toEqual(["${serviceIdentityId}"]);
  });

  it("configures the hub (after the app and the service: no cycle) with one handler: the app's events route, connect and disconnected", () => {
    expect(hubModule.path).toBe("'modules/webpubsubhub.bicep'");
    expect(get(hubModule.params, "webPubSubName").text).toBe("webPubSub.outputs.name");
    expect(get(hubModule.params, "hubName").text).toBe("hubName");
    expect(get(hubModule.params, "eventHandlerUrl").text).toBe(`'\${functionApp.outputs.url}/${routePrefix}/${webPubSubEventsRoute}'`);
    expect(get(hub, "parent").text).toBe("service");
    expect(get(hub, "name").text).toBe("hubName");
    expect(get(hub, "properties", "anonymousConnectPolicy").text).toBe("'deny'");
    const handlers = get(hub, "properties", "eventHandlers").namedChildren.filter((n) => n?.type === "object");
    expect(handlers).toHaveLength(1);
    const handler = handlers[0]!;
    expect(get(handler, "urlTemplate").text).toBe("eventHandlerUrl");
    expect(get(handler, "systemEvents").namedChildren.map((n) => n!.text)).toEqual(["'connect'", "'disconnected'"]);
  });

  it("authenticates the handler with the service's managed identity, for the app registration's client id", () => {
    const handler = get(hub, "properties", "eventHandlers").namedChildren.find((n) => n?.type === "object")!;
    expect(get(handler, "auth", "type").text).toBe("'ManagedIdentity'");
    expect(get(handler, "auth", "managedIdentity", "resource").text).toBe("eventHandlerAudience");
    expect(get(hubModule.params, "eventHandlerAudience").text).toBe("authClientId");
  });

  it("gives the app what it checks the service's tokens against, matching the hub and the identity", () => {
    expect(get(appSettings, "WEBCTI_PUSH_EVENTS_TENANT_ID").text).toBe("tenant().tenantId");
    // the audience the hub asks tokens for...
    expect(get(appSettings, "WEBCTI_PUSH_EVENTS_AUDIENCE").text).toBe(get(hubModule.params, "eventHandlerAudience").text);
    // ...of the identity the service is given
    expect(get(appSettings, "WEBCTI_PUSH_EVENTS_CALLER_OID").text).toBe("webPubSubIdentity.outputs.principalId");
  });

  it("lets the service's tokens through App Service Authentication (its audience is an allowed one)", async () => {
    const functionApp = await parseBicep("infra/modules/functionapp.bicep");
    const auth = declaredObject(declarations(functionApp, "resource_declaration").get("auth")!);
    const audiences = get(auth, "properties", "identityProviders", "azureActiveDirectory", "validation", "allowedAudiences");
    expect(audiences.namedChildren.map((n) => n!.text)).toContain("authClientId");
  });

  it("declares the hub once, in webpubsubhub.bicep", async () => {
    const declaring = [];
    for (const file of await bicepFiles()) {
      if ((await readFile(join(root, file), "utf8")).includes("'Microsoft.SignalRService/webPubSub/hubs@")) declaring.push(file);
    }
    expect(declaring).toEqual(["infra/modules/webpubsubhub.bicep"]);
  });
});
