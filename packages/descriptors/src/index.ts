/**
 * `@rashpa/descriptors`: the RASHPA Block Transfer Descriptor (BTD), ATU entries,
 * event-channel records and BTD FIFO window words — codecs generated from
 * `specs/rashpa/descriptors.yaml` plus the window mapping — and the PCIe–SRIO bridge
 * instruction word (`bridge.instruction`, `specs/bridge/instructions.yaml`; its formats are
 * `instructionsFormats`). Arbitraries for property tests are in
 * `@rashpa/descriptors/arbitraries`.
 *
 * @example
 * ```ts
 * import { decodeBtd, encodeBtd } from "@rashpa/descriptors";
 * const bytes = encodeBtd({ size: 4096, kind: "image", channel: 0, sof: true, eof: false, eoa: false,
 *   notify: false, block: 0, layout: "dma", source: 0x1000n, frame: 7, atuIndex: 2, offset: 0n });
 * decodeBtd(bytes).frame; // 7
 * ```
 *
 * @packageDocumentation
 */
export * from "./gen/descriptors.js";
export * from "./gen/instructions.js";
export * from "./window.js";
