/**
 * `@rashpa/cli`: the `rashpa` command (formats, decode, encode, vectors, conform, throughput,
 * regs, model, acquire, emulate, demo) and its format registry.
 *
 * @packageDocumentation
 */
export { runCli, CliError } from "./cli.js";
export type { CliIo } from "./cli.js";
export { ALL_FORMATS, findFormat } from "./registry.js";
export { CONFORM_EXIT, MAX_RUNS, DEFAULT_TIMEOUT_MS } from "./conform.js";
export { MAX_VECTORS } from "./vectors.js";
