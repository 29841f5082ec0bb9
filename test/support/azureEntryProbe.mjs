// Loads the Azure Functions entry (dist/functions/azure.js) under plain Node, the way the Functions
// host does, and records what it registers with app.http and app.timer. With an invocation it then
// calls one registered handler with the library's own objects and prints the outcome:
//   "<functionName> <method> <url>"  an HTTP function, with an HttpRequest; prints the response
//   "timer <functionName>"           a timer function, with a Timer; prints whether it completed
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const root = process.argv[2];
const invoke = process.argv[3];
const lib = createRequire(join(root, "package.json"))("@azure/functions");
const registered = new Map();
const timers = new Map();
lib.app.http = (name, options) => void registered.set(name, options);
lib.app.timer = (name, options) => void timers.set(name, options);
await import(pathToFileURL(join(root, "dist", "functions", "azure.js")).href);

const out = {
  registrations: [...registered].map(([name, o]) => ({ name, methods: o.methods, route: o.route, authLevel: o.authLevel })),
  timers: [...timers].map(([name, o]) => ({ name, schedule: o.schedule })),
};
if (invoke?.startsWith("timer ")) {
  const name = invoke.slice("timer ".length);
  const logs = [];
  const context = new lib.InvocationContext({ invocationId: "probe", functionName: name, logHandler: (level, ...args) => logs.push(`${level}: ${args.join(" ")}`) });
  const timer = { isPastDue: false, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
  out.timerRun = await timers.get(name).handler(timer, context).then(() => ({ ok: true, logs }), (error) => ({ ok: false, error: String(error), logs }));
} else if (invoke) {
  const [name, method, url] = invoke.split(" ");
  const request = new lib.HttpRequest({ method, url, headers: {}, query: {}, params: {} });
  const context = new lib.InvocationContext({ invocationId: "probe", functionName: name, logHandler: () => {} });
  const response = new lib.HttpResponse(await registered.get(name).handler(request, context));
  out.response = {
    status: response.status,
    contentType: response.headers.get("content-type"),
    headers: Object.fromEntries(response.headers),
    body: await response.json(),
  };
}
console.log(JSON.stringify(out));
