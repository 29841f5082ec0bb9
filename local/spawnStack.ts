import { spawn, type ChildProcess } from "node:child_process";
import { projectRoot } from "./stack.js";

/** What `node dist/local/start.js --json` prints when it is ready. */
export interface RunningStack {
  url: string;
  widgetUrl: string;
  apiUrl: string;
  apiKey: string;
  tenantId: string;
  agentId: string;
  signInUser: string;
  tablesConnectionString: string;
  webPubSub: { endpoint: string; connectionString: string; hub: string };
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts the product in a child process as `npm start` does — the built entry under plain `node`, not through the test
 * runner's transform — with tables in memory, and reads the ready line it prints with --json.
 */
export async function startProductionStack(): Promise<RunningStack> {
  const child: ChildProcess = spawn(process.execPath, ["dist/local/start.js", "--memory", "--port", "0", "--widget-port", "0", "--json"], {
    cwd: projectRoot(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The stack did not start within 60 s:\n${output}`)), 60_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((l) => l.startsWith('{"webcti":"ready"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Record<string, unknown>);
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`The stack exited with code ${code}:\n${output}`));
    });
  });
  child.removeAllListeners("exit");
  return {
    ...(ready as unknown as Omit<RunningStack, "output" | "stop">),
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
