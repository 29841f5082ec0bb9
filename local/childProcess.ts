import type { ChildProcess } from "node:child_process";

/**
 * Waits until a child process's output says it is ready: `ready` is called with everything the child has
 * written so far and returns a value once it sees what it waits for. Fails with that output when the child
 * exits first or `timeoutMs` passes (and then kills it). Removes only its own listeners.
 */
export function waitForOutput<T>(
  child: ChildProcess,
  what: string,
  ready: (output: string) => T | undefined,
  timeoutMs: number,
): Promise<{ value: T; output: () => string }> {
  let output = "";
  return new Promise((resolve, reject) => {
    const cleanUp = () => {
      clearTimeout(timer);
      child.stdout?.off("data", onStdout);
      child.off("exit", onExit);
      child.off("error", fail);
    };
    const fail = (error: Error) => {
      cleanUp();
      child.kill();
      reject(error);
    };
    const onStdout = (chunk: Buffer) => {
      output += chunk.toString();
      const value = ready(output);
      if (value === undefined) return;
      cleanUp();
      resolve({ value, output: () => output });
    };
    const onExit = (code: number | null) => fail(new Error(`${what} exited with code ${code}:\n${output}`));
    const timer = setTimeout(() => fail(new Error(`${what} did not start within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    child.stdout?.on("data", onStdout);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", onExit);
    child.once("error", fail);
  });
}
