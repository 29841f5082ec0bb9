import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/globalSetup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // *.test-d.ts files are type tests: tsc checks them (and what they import) with their folder's tsconfig.
    typecheck: { enabled: true, include: ["test/client/**/*.test-d.ts"], tsconfig: "test/client/tsconfig.json" },
  },
});
