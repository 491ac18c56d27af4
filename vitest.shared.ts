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
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
