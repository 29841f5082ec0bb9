import { describe, expect, it } from "vitest";
import type { Node } from "web-tree-sitter";
import { declarations, declaredObject, objectProperties, parseBicep, walk } from "./bicep.js";

/**
 * The Function App's outbound traffic goes through a subnet whose network security group refuses private,
 * shared and link-local destinations and lets the Internet through (issue 16, item 4; infra/modules/egress.bicep).
 */
describe("infra: outbound restrictions (egress)", async () => {
  const egress = await parseBicep("infra/modules/egress.bicep");
  const main = await parseBicep("infra/main.bicep");
  const functionApp = await parseBicep("infra/modules/functionapp.bicep");
  const strings = (node: Node) => [...walk(node)].filter((n) => n.type === "string").map((n) => n.text.replace(/^'|'$/g, ""));
  const variable = (name: string) => strings(declarations(egress, "variable_declaration").get(name)!);

  /** The NSG's rules: name, priority, access, direction and destinations (prefixes resolved from the variables). */
  function rules() {
    const nsg = declarations(egress, "resource_declaration").get("nsg")!;
    expect(nsg.text).toContain("'Microsoft.Network/networkSecurityGroups@");
    const list = objectProperties(objectProperties(declaredObject(nsg)).get("properties")!).get("securityRules")!;
    return list.namedChildren
      .flatMap((item) => (item?.type === "object" ? [item] : item?.namedChildren.filter((c): c is Node => c?.type === "object") ?? []))
      .map((rule) => {
        const p = objectProperties(objectProperties(rule).get("properties")!);
        const many = p.get("destinationAddressPrefixes")?.text;
        const one = p.get("destinationAddressPrefix")?.text.replace(/^'|'$/g, "");
        return {
          name: objectProperties(rule).get("name")!.text.replace(/^'|'$/g, ""),
          priority: Number(p.get("priority")!.text),
          access: p.get("access")!.text,
          direction: p.get("direction")!.text,
          destinations: many ? variable(many) : [one!],
        };
      });
  }

  it("denies every private, shared, link-local and loopback range before it allows the Internet", () => {
    const all = rules();
    expect(all.every((r) => r.direction === "'Outbound'")).toBe(true);
    const denied = all.filter((r) => r.access === "'Deny'");
    const deniedPrefixes = denied.flatMap((r) => r.destinations);
    for (const prefix of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "fc00::/7", "VirtualNetwork"]) {
      expect(deniedPrefixes, prefix).toContain(prefix);
    }
    const internet = all.find((r) => r.destinations.includes("Internet"))!;
    expect(internet.access).toBe("'Allow'");
    expect(Math.max(...denied.map((r) => r.priority))).toBeLessThan(internet.priority);
    // Allowed before the denials: only the app's own subnet and Azure's DNS resolver.
    const earlyAllows = all.filter((r) => r.access === "'Allow'" && r.priority < Math.min(...denied.map((d) => d.priority)));
    expect(earlyAllows.map((r) => r.destinations[0])).toEqual(["subnetPrefix", "168.63.129.16"]);
  });

  it("puts the NSG on a subnet delegated to Flex Consumption (Microsoft.App/environments)", () => {
    const vnet = declarations(egress, "resource_declaration").get("vnet")!;
    expect(vnet.text).toContain("networkSecurityGroup: { id: nsg.id }");
    expect(strings(vnet)).toContain("Microsoft.App/environments");
  });

  it("main.bicep deploys it unless egress is 'open' and the Function App integrates with its subnet", () => {
    expect(main.rootNode.text).toMatch(/@allowed\(\['', 'restricted', 'open'\]\)\s*param egress string = ''/);
    expect(declarations(main, "variable_declaration").get("restrictEgress")!.text).toMatch(/egress != 'open'/);
    const module = declarations(main, "module_declaration").get("egressNetwork")!;
    expect(module.text).toMatch(/= if \(restrictEgress\)/);
    const app = objectProperties(objectProperties(declaredObject(declarations(main, "module_declaration").get("functionApp")!)).get("params")!);
    expect(app.get("virtualNetworkSubnetId")!.text).toBe("restrictEgress ? egressNetwork.outputs.subnetId : ''");
    const site = objectProperties(objectProperties(declaredObject(declarations(functionApp, "resource_declaration").get("site")!)).get("properties")!);
    expect(site.get("virtualNetworkSubnetId")!.text).toBe("empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId");
  });
});
