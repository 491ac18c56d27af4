/**
 * fast-check arbitraries of every descriptor format (needs the optional peer dependency
 * `fast-check`).
 *
 * @packageDocumentation
 */
export * from "./gen/descriptors.arb.js";
