// Runs Azurite's table service in this process, and stops it when the process that started it is gone.
//   node local/azuriteChild.mjs <azurite table main.js> [azurite options…]
// The parent holds the other end of this process's stdin: when the parent exits in any way (kill -9
// included), stdin ends, and Azurite is sent SIGINT, on which it saves its database and closes. Plain
// JavaScript, so it runs the same from the sources (tests) and from dist/ (npm start).
import { pathToFileURL } from "node:url";

const [main, ...options] = process.argv.slice(2);
if (!main) {
  console.error("usage: node azuriteChild.mjs <azurite table main.js> [options]");
  process.exit(2);
}
const stop = () => process.kill(process.pid, "SIGINT");
process.stdin.once("end", stop);
process.stdin.once("error", stop);
process.stdin.resume();
// Whoever sends SIGINT (the parent's close(), or the lines above), stdin must not keep this process alive.
process.once("SIGINT", () => process.stdin.destroy());
// Azurite reads its options from process.argv and starts when its main module loads.
process.argv = [process.argv[0], main, ...options];
await import(pathToFileURL(main).href);
