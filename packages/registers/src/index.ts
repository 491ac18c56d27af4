/**
 * `@rashpa/registers`: the runtime behind every generated register map — typed access over a
 * 32-bit {@link Bus} (synchronous or asynchronous), read-modify-write that respects each field's
 * SystemRDL access properties (never writing back a write-one-to-clear bit, never reading a
 * clear-on-read register to modify it, never reading back a write-only field), decoding of
 * register values into named fields, and `describeRegister` for humans.
 *
 * Generated maps (`src/gen/<spec>.ts` of the package named by the spec) export the map's
 * description (`<MAP>_MAP`) and typed factories built on {@link bindRegisters}.
 *
 * @packageDocumentation
 */
export * from "./info.js";
export * from "./bus.js";
export * from "./errors.js";
export * from "./fields.js";
export * from "./locate.js";
export * from "./bind.js";
export * from "./table.js";
export * from "./register-file.js";
export * from "./gen/controller.js";
export * from "./controller.js";
export * from "./gen/registers.js";
