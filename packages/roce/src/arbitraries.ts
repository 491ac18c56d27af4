/**
 * fast-check arbitraries of every RoCEv2 format (needs the optional peer dependency
 * `fast-check`), generated from `specs/roce/transport.yaml`.
 *
 * @packageDocumentation
 */
export * from "./gen/transport.arb.js";
