import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import azureFunctions from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webFilesHandler } from "../../functions/webFiles.js";
import { notFoundResponse } from "../../functions/http/problem.js";

const { HttpRequest, HttpResponse } = azureFunctions;

describe("the web files function (the desktop and browser bundles in Azure)", () => {
  let dir: string;
  let serve: ReturnType<typeof webFilesHandler>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "webcti-web-"));
    await mkdir(join(dir, "webcti"));
    await writeFile(join(dir, "index.html"), "<!doctype html><title>desk</title>");
    await writeFile(join(dir, "webcti", "agent.js"), "export {};");
    await writeFile(join(tmpdir(), "webcti-secret.txt"), "outside");
    serve = webFilesHandler(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function get(path: string, method = "GET") {
    const response = new HttpResponse(await serve(new HttpRequest({ method, url: `https://app.example${path}` })));
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      nosniff: response.headers.get("x-content-type-options"),
      text: await response.text(),
    };
  }

  it("serves the desktop at / and the bundles under /webcti", async () => {
    expect(await get("/")).toMatchObject({ status: 200, type: "text/html; charset=utf-8", text: expect.stringContaining("desk") });
    expect(await get("/webcti/agent.js")).toMatchObject({ status: 200, type: "text/javascript; charset=utf-8", text: "export {};" });
    expect(await get("/webcti/agent.js", "HEAD")).toMatchObject({ status: 200, text: "" });
    expect((await get("/webcti/agent.js")).nosniff).toBe("nosniff");
  });

  it("answers what is not there with the product's not_found problem, as the local host does", async () => {
    for (const [path, method] of [["/nope.js", "GET"], ["/index.html", "POST"], ["/webcti/agent.js", "DELETE"]] as const) {
      const reply = await get(path, method);
      expect(reply, `${method} ${path}`).toMatchObject({ status: 404, type: "application/problem+json" });
      expect(JSON.parse(reply.text)).toEqual(JSON.parse(notFoundResponse(path).body));
      expect(JSON.parse(reply.text)).toMatchObject({ type: "urn:webcti:problem:not_found", code: "not_found", instance: path });
    }
  });

  it("answers 404 problem+json for what is not there, and never leaves the folder", async () => {
    for (const path of ["/nope.js", "/webcti/", "/../webcti-secret.txt", "/%2e%2e/webcti-secret.txt", "/%E0%A4%A"]) {
      expect(await get(path), path).toMatchObject({ status: 404, type: "application/problem+json" });
    }
  });
});
