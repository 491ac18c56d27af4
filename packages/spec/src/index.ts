/**
 * `@rashpa/spec`: the spec language of the RASHPA monorepo. YAML spec files describing
 * bit-packed formats and register maps are validated (io-ts, then semantic checks) into one
 * typed model that every generator reads. The language is documented in `specs/README.md`.
 *
 * @packageDocumentation
 */
export * from "./model.js";
export * from "./diagnostics.js";
export * from "./layout.js";
export { loadSpecText, loadSpecFile, loadSpecDir } from "./load.js";
export type { LoadSpecOptions } from "./load.js";
