import { spawn, type ChildProcess } from "node:child_process";
import { projectRoot } from "../shared/projectRoot.js";
import { waitForOutput } from "./childProcess.js";

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
  const { value: ready } = await waitForOutput(
    child,
    "The stack",
    (text) => {
      const line = text.split("\n").find((l) => l.startsWith('{"webcti":"ready"'));
      return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
    },
    60_000,
  );
  return {
    ...(ready as unknown as Omit<RunningStack, "stop">),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
