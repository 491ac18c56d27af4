/**
 * Vitest settings shared by every package: source-first resolution of workspace packages
 * (the `@rashpa/source` export condition), tests beside the code, and a JSON report per
 * package that `tools/test-summary.mjs` adds up into one `N passed, N failed` line.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@rashpa/source"] },
  ssr: { resolve: { conditions: ["@rashpa/source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
    // Timeouts only catch a hang: the heaviest tests (C self-checks, property runs of the
    // emulator, sockets) take 30–40 s beside the rest of the suite on two cores.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
