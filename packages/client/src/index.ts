/**
 * `@rashpa/client` (librashpa): the host library's configuration and memory management
 * (docs/system.md "RASHPA", host middleware layers) — the acquisition description with its
 * io-ts codecs and checks, the physical allocator over each receiver's memory arena, the
 * virtual allocator that maps client buffers onto physical chunks and ATU entries, and the
 * programming of the controller through its generated register map.
 *
 * @packageDocumentation
 */

export * from "./errors.js";
export * from "./codecs.js";
export * from "./config.js";
export * from "./physical.js";
export * from "./virtual.js";
export * from "./program.js";
export * from "./acquisition.js";
export * from "./links/link.js";
export * from "./links/pcie-emulator.js";
export * from "./links/roce-emulator.js";
export * from "./links/srio-emulator.js";
export * from "./links/remote-receivers.js";
export * from "./links/roce-connections.js";
