/**
 * fast-check arbitraries of every descriptor format and of the bridge instruction word (needs the optional peer dependency
 * `fast-check`).
 *
 * @packageDocumentation
 */
export * from "./gen/descriptors.arb.js";
export * from "./gen/instructions.arb.js";
