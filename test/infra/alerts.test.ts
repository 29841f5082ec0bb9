import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Node } from "web-tree-sitter";
import { declarations, declaredObject, objectProperties, parseBicep, root, walk } from "./bicep.js";
import { timerFunctions } from "../../functions/index.js";
import { attr } from "../../shared/telemetry/tracing.js";

interface Rule {
  name: string;
  severity: number;
  operator: string;
  threshold: number;
  fields: Map<string, Node>;
}

const unquote = (text: string) => text.replace(/^'|'$/g, "");
const symbols: Record<string, string> = { GreaterThan: ">", GreaterThanOrEqual: "≥", LessThan: "<" };

/** The objects of an array variable (alerts.bicep keeps its rules in `metricRules` and `logRules`). */
function ruleObjects(declaration: Node): Rule[] {
  const array = declaration.namedChildren.find((c): c is Node => c?.type === "array")!;
  return [...walk(array)]
    .filter((n) => n.type === "object" && n.parent && (n.parent.id === array.id || n.parent.parent?.id === array.id))
    .map((object) => {
      const fields = objectProperties(object);
      return {
        name: unquote(fields.get("name")!.text),
        severity: Number(fields.get("severity")!.text),
        operator: unquote(fields.get("operator")!.text),
        threshold: Number(fields.get("threshold")!.text),
        fields,
      };
    });
}

/** docs/operations.md's alert table: rule name → its cells. */
async function documentedAlerts(): Promise<Map<string, string[]>> {
  const doc = await readFile(join(root, "docs/operations.md"), "utf8");
  const section = doc.split("## Alerts: what each one means and what to do")[1]?.split("\n## ")[0] ?? "";
  const rows = section.split("\n").filter((line) => /^\| `webcti-/.test(line));
  return new Map(rows.map((row) => {
    const cells = row.split(" | ").map((c) => c.replace(/^\| |\s*\|$/g, "").trim());
    return [cells[0]!.replace(/`/g, ""), cells];
  }));
}

describe("infra: alert rules (infra/modules/alerts.bicep)", async () => {
  const tree = await parseBicep("infra/modules/alerts.bicep");
  const variables = declarations(tree, "variable_declaration");
  const metricRules = ruleObjects(variables.get("metricRules")!);
  const logRules = ruleObjects(variables.get("logRules")!);
  const documented = await documentedAlerts();

  it("has the metric rules on Web PubSub connections and drops, storage availability and throttling", () => {
    const byMetric = new Map(metricRules.map((r) => [unquote(r.fields.get("metricName")!.text), r]));
    expect(byMetric.get("ConnectionQuotaUtilization")).toMatchObject({ operator: "GreaterThanOrEqual", threshold: 80 });
    expect(unquote(byMetric.get("ConnectionQuotaUtilization")!.fields.get("metricNamespace")!.text)).toBe("Microsoft.SignalRService/WebPubSub");
    expect(byMetric.get("ConnectionCloseCount")).toMatchObject({ operator: "GreaterThan", threshold: 50 });
    expect(byMetric.get("ConnectionCloseCount")!.fields.get("dimensions")!.text).toContain("ConnectionCloseCategory");
    expect(byMetric.get("Availability")).toMatchObject({ operator: "LessThan", threshold: 99 });
    expect(byMetric.get("Transactions")).toMatchObject({ operator: "GreaterThan", threshold: 100 });
    expect(byMetric.get("Transactions")!.fields.get("dimensions")!.text).toMatch(/ResponseType[\s\S]*ClientThrottlingError[\s\S]*ServerBusyError/);
    for (const metric of ["Availability", "Transactions"]) {
      expect(byMetric.get(metric)!.fields.get("scope")!.text).toBe("tableService.id");
    }
  });

  it("has the log rules: 5xx rate, 503 by code, idempotency conflicts, failing timers, projection stopped, webhooks given up", () => {
    const byName = new Map(logRules.map((r) => [r.name, r]));
    expect(byName.get("webcti-http-5xx-rate")).toMatchObject({ operator: "GreaterThan", threshold: 5 });
    expect(byName.get("webcti-http-503-by-code")).toMatchObject({ operator: "GreaterThan", threshold: 20 });
    expect(byName.get("webcti-idempotency-conflicts")).toMatchObject({ operator: "GreaterThan", threshold: 50 });
    expect(byName.get("webcti-timers-failing")).toMatchObject({ operator: "GreaterThan", threshold: 5 });
    expect(byName.get("webcti-webhooks-given-up")).toMatchObject({ operator: "GreaterThan", threshold: 0 });
    expect(byName.get("webcti-items-parked")).toMatchObject({ operator: "GreaterThan", threshold: 0 });
    expect(byName.get("webcti-pops-not-acknowledged")).toMatchObject({ operator: "GreaterThan", threshold: 20 });
    expect(byName.get("webcti-projection-not-running")).toMatchObject({ operator: "LessThan", threshold: 1 });
    // The queries name what the app really logs: its error-code attribute, its timers, its retry line.
    const query = (name: string) => byName.get(name)!.fields.get("query")!.text;
    expect(query("webcti-http-503-by-code")).toContain(attr.errorCode);
    expect(query("webcti-idempotency-conflicts")).toContain(attr.errorCode);
    // The pop spans the app makes, and the attribute both carry.
    expect(query("webcti-pops-not-acknowledged")).toContain(`customDimensions["${attr.popId}"]`);
    for (const timer of timerFunctions) expect(query("webcti-timers-failing")).toContain(`"${timer.name}"`);
    expect(timerFunctions.map((t) => t.name)).toContain("runKpiProjection");
    expect(query("webcti-projection-not-running")).toContain('name == "runKpiProjection" and success == true');
  });

  it("the webhook query reads the line runWebhookRetries logs", async () => {
    const source = await readFile(join(root, "functions/runWebhookRetries.ts"), "utf8");
    expect(source).toContain("log(`webhook retries: ");
    expect(source).toMatch(/\$\{run\.failed\} given up/);
    expect(source).toMatch(/\$\{run\.parked\} parked`/);
  });

  it("the pops query names the spans the app makes when it stores a pop and when a desktop acknowledges it", async () => {
    const stored = await readFile(join(root, "shared/screenPop/deliverPop.ts"), "utf8");
    const acked = await readFile(join(root, "functions/ackScreenPop.ts"), "utf8");
    expect(stored).toContain('withSpan("webcti.pop.store", { [attr.popId]: pop.id }');
    expect(acked).toContain('withSpan("webcti.pop.ack", { [attr.popId]: params.popId');
  });

  it("the parked-items query reads the line runKpiProjection logs (and runWebhookRetries, above)", async () => {
    const source = await readFile(join(root, "functions/runKpiProjection.ts"), "utf8");
    expect(source).toContain("log(`kpis: ");
    expect(source).toMatch(/\$\{run\.parked\} parked`/);
  });

  it("every rule notifies the action group, and so does the availability alert", async () => {
    const resources = declarations(tree, "resource_declaration");
    for (const name of ["metricAlerts", "logAlerts"]) expect(resources.get(name)!.text).toContain("actionGroup.id");
    const availability = await parseBicep("infra/modules/availability.bicep");
    const alert = objectProperties(objectProperties(declaredObject(declarations(availability, "resource_declaration").get("healthAlert")!)).get("properties")!);
    expect(alert.get("actions")!.text).toContain("actionGroupId");
    const main = await parseBicep("infra/main.bicep");
    const params = objectProperties(objectProperties(declaredObject(declarations(main, "module_declaration").get("availability")!)).get("params")!);
    expect(params.get("actionGroupId")!.text).toBe("alerts.outputs.actionGroupId");
  });

  it("docs/operations.md lists every rule with its severity and threshold, and no other", () => {
    const rules = [...metricRules, ...logRules];
    expect([...documented.keys()].filter((name) => name !== "webcti-health-failing").sort()).toEqual(rules.map((r) => r.name).sort());
    expect(documented.has("webcti-health-failing")).toBe(true);
    for (const rule of rules) {
      const [, severity, when] = documented.get(rule.name)!;
      expect(severity, rule.name).toBe(String(rule.severity));
      expect(when, rule.name).toContain(`${symbols[rule.operator]} ${rule.threshold}`);
    }
  });
});
