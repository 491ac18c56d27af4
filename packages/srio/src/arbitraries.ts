/**
 * fast-check arbitraries of every SRIO format (needs the optional peer dependency
 * `fast-check`): the generated ones of the CRC-free streams, and those of the physical packets
 * (`srio.packet`, `-50`, `-66`), whose payloads are cut to whole double-words within the bounds
 * the physical codec enforces (RapidIO 4.1 Part 1 §4.1.1, Part 6 §2.5), and the generated ones
 * of the control symbols (Part 6 §3) and of the HELLO header.
 *
 * @packageDocumentation
 */
import type fc from "fast-check";
import { controlSymbolArbitraries } from "./gen/control-symbol.arb.js";
import { helloArbitraries } from "./gen/hello.arb.js";
import { arbStream, arbStream50, arbStream66, packetArbitraries } from "./gen/packet.arb.js";
import type { SrioPacket, SrioPacket50, SrioPacket66 } from "./packet.js";

export * from "./gen/packet.arb.js";
export * from "./gen/control-symbol.arb.js";
export * from "./gen/hello.arb.js";

function payloadMax(v: Record<string, unknown>): number {
  return v["ftype"] === "maintenance" ? 64 : 256;
}

function payloadMin(v: Record<string, unknown>): number {
  if (v["ftype"] === "response") return 0;
  if (v["ftype"] === "maintenance" && v["ttype"] === "read-response") return 0;
  return 8;
}

/** Cuts or extends a payload to whole double-words within the packet type's bounds. */
function framable<T>(value: T): T {
  const v = value as unknown as Record<string, unknown>;
  const payload = v["payload"];
  if (!(payload instanceof Uint8Array)) return value;
  const n = payload.length - (payload.length % 8);
  const want = Math.min(payloadMax(v), Math.max(payloadMin(v), n));
  const fixed = new Uint8Array(want);
  fixed.set(payload.subarray(0, Math.min(want, payload.length)));
  return { ...v, payload: fixed } as unknown as T;
}

/** Valid physical packets of a system with 34-bit addresses (`srio.packet`). */
export const arbSrioPacket: fc.Arbitrary<SrioPacket> = arbStream.map(framable);
/** Valid physical packets of a system with 50-bit addresses (`srio.packet-50`). */
export const arbSrioPacket50: fc.Arbitrary<SrioPacket50> = arbStream50.map(framable);
/** Valid physical packets of a system with 66-bit addresses (`srio.packet-66`). */
export const arbSrioPacket66: fc.Arbitrary<SrioPacket66> = arbStream66.map(framable);

/** Arbitraries of every SRIO format, by format id. */
export const srioArbitraries: { readonly [id: string]: fc.Arbitrary<unknown> } = {
  "srio.packet": arbSrioPacket,
  "srio.packet-50": arbSrioPacket50,
  "srio.packet-66": arbSrioPacket66,
  ...packetArbitraries,
  ...controlSymbolArbitraries,
  ...helloArbitraries,
};
