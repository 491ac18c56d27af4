/**
 * `@rashpa/bits`: the bit-exact packing runtime shared by the RASHPA codecs — MSB-first bit
 * fields up to 64 bits, parameterised CRC engines (RapidIO CRC-5/CRC-13/CRC-24/CRC-16, PCIe DLLP CRC-16,
 * CRC-32), hex helpers and typed codec errors. Sources are cited in each module.
 *
 * @packageDocumentation
 */

export * from "./errors.js";
export * from "./bitfield.js";
export * from "./crc.js";
export * from "./crc-control-symbol.js";
export * from "./hex.js";
export * from "./format.js";
