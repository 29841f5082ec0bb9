import { spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { waitForOutput } from "./childProcess.js";
import { projectRoot } from "../shared/projectRoot.js";

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
const devAccount = "devstoreaccount1";
const devKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Folder for the table data; omitted = in memory (lost when the process ends). */
  location?: string;
  log?: (line: string) => void;
  /**
   * Azurite's OAuth mode over https (files of a PEM certificate and key): it then takes bearer tokens, as
   * Azure does with a managed identity or `az login`, so tests can run the endpoint + credential path.
   */
  oauth?: { certFile: string; keyFile: string };
}

export interface AzuriteTables {
  endpoint: string;
  connectionString: string;
  process: ChildProcess;
  close(): Promise<void>;
}

/** Starts Azurite's table service from the npm package as a child process and waits until it listens. */
export async function startAzuriteTables(options: AzuriteOptions = {}): Promise<AzuriteTables> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port || (await freePort(host));
  const require = createRequire(import.meta.url);
  const main = join(dirname(require.resolve("azurite/package.json")), "dist", "src", "table", "main.js");
  const args = [main, "--tableHost", host, "--tablePort", String(port), "--disableTelemetry", "--skipApiVersionCheck", "--silent"];
  if (options.location) {
    await mkdir(options.location, { recursive: true });
    args.push("--location", options.location);
  } else {
    args.push("--inMemoryPersistence");
  }
  if (options.oauth) args.push("--oauth", "basic", "--cert", options.oauth.certFile, "--key", options.oauth.keyFile);
  // Its own process group: a Ctrl+C in the terminal reaches only the stack, which then stops Azurite
  // once, gracefully. If this process exits without closing it, Azurite is still told to save and stop:
  // at exit by the handler below, and after a kill -9 by azuriteChild.mjs, which sees its stdin end.
  const child = spawn(process.execPath, [join(projectRoot(), "local", "azuriteChild.mjs"), ...args], { stdio: ["pipe", "pipe", "pipe"], detached: true });
  const stopOnExit = () => child.kill("SIGINT");
  process.once("exit", stopOnExit);
  child.once("exit", () => process.off("exit", stopOnExit));
  await waitForOutput(child, "Azurite", (output) => (/successfully (listening|started)/i.test(output) ? true : undefined), 30_000);
  child.stdout!.on("data", (chunk: Buffer) => options.log?.(chunk.toString().trimEnd()));
  const endpoint = `${options.oauth ? "https" : "http"}://${host}:${port}/${devAccount}`;
  return {
    endpoint,
    connectionString: `DefaultEndpointsProtocol=${options.oauth ? "https" : "http"};AccountName=${devAccount};AccountKey=${devKey};TableEndpoint=${endpoint};`,
    process: child,
    // Azurite saves its in-memory database on SIGINT only (SIGTERM drops what its 5 s autosave has
    // not written yet), so stop it with SIGINT and wait; SIGKILL only if it hangs.
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const hang = setTimeout(() => child.kill("SIGKILL"), 15_000);
        child.once("exit", () => {
          clearTimeout(hang);
          resolve();
        });
        child.kill("SIGINT");
      }),
  };
}

export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
