/**
 * `@rashpa/roce`: RoCEv2 — the BTH, RETH, AETH, ImmDt and DETH codecs generated from
 * `specs/roce/transport.yaml`, the ICRC exactly as Linux Soft-RoCE computes it, RDMA WRITE
 * segmentation and reassembly, and a reliable connection (go-back-N requester, in-order
 * responder writing into a registered memory region) over real UDP sockets. Facts from
 * `docs/reference/roce.md`.
 *
 * @packageDocumentation
 */
import type { AnyFormatInfo } from "@rashpa/bits";
import { transportFormats } from "./gen/transport.js";

export * from "./gen/transport.js";
export * from "./psn.js";
export * from "./opcode.js";
export * from "./icrc.js";
export * from "./datagram.js";
export * from "./segment.js";
export * from "./clock.js";
export * from "./transport.js";
export * from "./rc.js";
export * from "./lossy-relay.js";
export * from "./pcap.js";

/** Every RoCEv2 format of `specs/roce/transport.yaml`: `roce.bth`, `roce.reth`, `roce.aeth`, `roce.immdt`, `roce.deth`, `roce.packet`. */
export const roceFormats: readonly AnyFormatInfo[] = transportFormats;
