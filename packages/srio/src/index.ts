/**
 * `@rashpa/srio`: Serial RapidIO 4.1 — packets of the logical, common transport and LP-Serial
 * physical layers, CRC-16 placement, size/wdptr encodings, control symbols, the Xilinx HELLO
 * header, the CAR/CSR register map, SWRITE segmentation and a link throughput model. Facts
 * from the RapidIO Interconnect Specification rev 4.1, digested in `docs/reference/srio.md`.
 *
 * Packets: `specs/srio/packet.yaml` gives the CRC-free packet stream (formats `srio.stream`,
 * `srio.stream-50`, `srio.stream-66`, one per system address size); {@link decodeSrioPacket}
 * and {@link encodeSrioPacket} add the physical framing (CRC-16, early CRC, pad) and are the
 * format records `srio.packet`, `srio.packet-50` and `srio.packet-66`.
 *
 * @example
 * ```ts
 * import { decodeSrioPacket, encodeSrioPacket } from "@rashpa/srio";
 * const bytes = encodeSrioPacket({ ackId: 0, vc: 0, crf: 0, prio: 1, tt: "dev8",
 *   ftype: "doorbell", destinationId: 1, sourceId: 2, srcTid: 3, info: 0x1234 });
 * // 004a0102 00031234 (Part 2 Figure 4-1), CRC 5429, pad 0000 (Part 6 §2.4.1)
 * const p = decodeSrioPacket(bytes);
 * if (p.ftype === "doorbell" && "info" in p) p.info; // 0x1234
 * ```
 *
 * @packageDocumentation
 */
import type { AnyFormatInfo } from "@rashpa/bits";
import { controlSymbolFormats } from "./gen/control-symbol.js";
import { helloFormats } from "./gen/hello.js";
import { packetFormats } from "./gen/packet.js";
import { SRIO_PACKET_50_FORMAT, SRIO_PACKET_66_FORMAT, SRIO_PACKET_FORMAT } from "./packet.js";

export * from "./gen/packet.js";
export * from "./packet.js";
export * from "./crc.js";
export * from "./size.js";
export * from "./address.js";
export * from "./gen/control-symbol.js";
export * from "./control-symbol.js";
export * from "./gen/hello.js";
export * from "./hello.js";
export * from "./gen/car-csr.js";
export * from "./swrite-stream.js";
export * from "./throughput.js";
export * from "./priority.js";
export * from "./transactions.js";
export * from "./arbiter.js";
export * from "./rules.js";
export * from "./hello-packet.js";
export * from "./swrite-packets.js";
export * from "./packet-flow.js";

/**
 * Every SRIO format: the physical packets (`srio.packet`, `srio.packet-50`, `srio.packet-66`),
 * the CRC-free streams of `specs/srio/packet.yaml`, the control symbols and the HELLO header.
 */
export const srioFormats: readonly AnyFormatInfo[] = [
  SRIO_PACKET_FORMAT,
  SRIO_PACKET_50_FORMAT,
  SRIO_PACKET_66_FORMAT,
  ...packetFormats,
  ...controlSymbolFormats,
  ...helloFormats,
];
