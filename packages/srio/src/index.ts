/**
 * `@rashpa/srio`: Serial RapidIO 4.1 — packets of the logical, common transport and LP-Serial
 * physical layers, CRC-16 placement, size/wdptr encodings, control symbols, the Xilinx HELLO
 * header, the CAR/CSR register map, SWRITE segmentation and a link throughput model. Facts
 * from the RapidIO Interconnect Specification rev 4.1, digested in `docs/reference/srio.md`.
 *
 * @packageDocumentation
 */
import type { AnyFormatInfo } from "@rashpa/bits";
import { controlSymbolFormats } from "./gen/control-symbol.js";
import { helloFormats } from "./gen/hello.js";

export * from "./gen/control-symbol.js";
export * from "./control-symbol.js";
export * from "./gen/hello.js";
export * from "./hello.js";
export * from "./gen/car-csr.js";

/** Every SRIO format, in spec order. */
export const srioFormats: readonly AnyFormatInfo[] = [...controlSymbolFormats, ...helloFormats];
export * from "./swrite-stream.js";
export * from "./throughput.js";
export * from "./priority.js";
export * from "./transactions.js";
export * from "./arbiter.js";
