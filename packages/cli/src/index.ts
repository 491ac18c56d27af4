/**
 * `@rashpa/cli`: the `rashpa` command (formats, decode, encode, throughput, demo) and its format registry.
 *
 * @packageDocumentation
 */
export { runCli, CliError } from "./cli.js";
export type { CliIo } from "./cli.js";
export { ALL_FORMATS, findFormat } from "./registry.js";
