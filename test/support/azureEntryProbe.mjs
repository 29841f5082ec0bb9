// Loads the Azure Functions entry (dist/functions/azure.js) under plain Node, the way the Functions
// host does, and records what it registers with app.http. With --invoke it then calls one registered
// handler with the library's own HttpRequest and prints the response.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const root = process.argv[2];
const invoke = process.argv[3]; // optional: "<functionName> <method> <url>"
const lib = createRequire(join(root, "package.json"))("@azure/functions");
const registered = new Map();
lib.app.http = (name, options) => void registered.set(name, options);
await import(pathToFileURL(join(root, "dist", "functions", "azure.js")).href);

const out = { registrations: [...registered].map(([name, o]) => ({ name, methods: o.methods, route: o.route, authLevel: o.authLevel })) };
if (invoke) {
  const [name, method, url] = invoke.split(" ");
  const request = new lib.HttpRequest({ method, url, headers: {}, query: {}, params: {} });
  const context = new lib.InvocationContext({ invocationId: "probe", functionName: name, logHandler: () => {} });
  const response = new lib.HttpResponse(await registered.get(name).handler(request, context));
  out.response = { status: response.status, contentType: response.headers.get("content-type"), body: await response.json() };
}
console.log(JSON.stringify(out));
