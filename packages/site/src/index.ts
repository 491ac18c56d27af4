/**
 * `@rashpa/site` (private): the reference site — plots drawn from the throughput models, the
 * site build (TypeDoc API reference, the spec pages of `@rashpa/codegen`, the guides under
 * `docs/guides/`), a static server, and the check of the built site in headless Chromium
 * (`src/site.test.ts`).
 *
 * @packageDocumentation
 */
export * from "./chart.js";
export * from "./plots.js";
export * from "./build.js";
export * from "./server.js";
