/**
 * What each BTH opcode carries: the extension headers after the BTH, and the RDMA WRITE
 * opcodes by position in a message (docs/reference/roce.md §3, from Linux `ib_pack.h`); the UDP
 * port and header sizes of the RoCEv2 encapsulation (docs/reference/roce.md §1, §2).
 *
 * @module
 */
import { AETH_BYTES, BTH_BYTES, DETH_BYTES, IMMDT_BYTES, RETH_BYTES } from "./gen/transport.js";
import type { Opcode } from "./gen/transport.js";

/** UDP destination port of RoCEv2, `ROCE_V2_UDP_DPORT` (docs/reference/roce.md §1). */
export const ROCE_UDP_PORT = 4791;
/** Bytes of the ICRC at the end of every packet (`IB_ICRC_BYTES`, docs/reference/roce.md §0). */
export const ICRC_BYTES = 4;

/** The extension headers an opcode puts after the BTH (docs/reference/roce.md §3 table). */
export interface ExtensionHeaders {
  /** RETH (16 bytes): RDMA WRITE First/Only, READ Request. */
  readonly reth: boolean;
  /** ImmDt (4 bytes): the "with Immediate" opcodes. */
  readonly immdt: boolean;
  /** AETH (4 bytes): ACKNOWLEDGE, READ Response First/Last/Only. */
  readonly aeth: boolean;
  /** DETH (8 bytes): UD SEND Only. */
  readonly deth: boolean;
  /** Bytes of all of them together. */
  readonly bytes: number;
}

function headers(reth: boolean, immdt: boolean, aeth: boolean, deth: boolean): ExtensionHeaders {
  const bytes =
    (reth ? RETH_BYTES : 0) +
    (immdt ? IMMDT_BYTES : 0) +
    (aeth ? AETH_BYTES : 0) +
    (deth ? DETH_BYTES : 0);
  return Object.freeze({ reth, immdt, aeth, deth, bytes });
}

const NONE = headers(false, false, false, false);
const RETH = headers(true, false, false, false);
const RETH_IMMDT = headers(true, true, false, false);
const IMMDT = headers(false, true, false, false);
const AETH = headers(false, false, true, false);

/**
 * The extension headers that follow the BTH for `opcode` (docs/reference/roce.md §3).
 *
 * @example
 * ```ts
 * extensionHeaders("rc-rdma-write-only-with-immediate").bytes; // 20 (RETH + ImmDt)
 * ```
 */
export function extensionHeaders(opcode: Opcode): ExtensionHeaders {
  switch (opcode) {
    case "rc-rdma-write-first":
    case "rc-rdma-write-only":
    case "rc-rdma-read-request":
    case "uc-rdma-write-first":
    case "uc-rdma-write-only":
      return RETH;
    case "rc-rdma-write-only-with-immediate":
    case "uc-rdma-write-only-with-immediate":
      return RETH_IMMDT;
    case "rc-send-last-with-immediate":
    case "rc-send-only-with-immediate":
    case "rc-rdma-write-last-with-immediate":
    case "uc-send-last-with-immediate":
    case "uc-send-only-with-immediate":
    case "uc-rdma-write-last-with-immediate":
      return IMMDT;
    case "rc-acknowledge":
    case "rc-rdma-read-response-first":
    case "rc-rdma-read-response-last":
    case "rc-rdma-read-response-only":
      return AETH;
    case "ud-send-only":
      return headers(false, false, false, true);
    case "ud-send-only-with-immediate":
      return headers(false, true, false, true);
    default:
      return NONE;
  }
}

/** Bytes from the start of the BTH to the start of the payload for `opcode`. */
export function transportHeaderBytes(opcode: Opcode): number {
  return BTH_BYTES + extensionHeaders(opcode).bytes;
}

/** Position of a packet in an RDMA WRITE message (docs/reference/roce.md §3). */
export type RdmaWritePosition = "first" | "middle" | "last" | "only";

/** Service the RDMA WRITE opcodes belong to: reliable or unreliable connection. */
export type ConnectedService = "rc" | "uc";

/**
 * The RDMA WRITE opcode of a packet at `position`, with immediate data on Last/Only when
 * `withImmediate` (docs/reference/roce.md §3: RC 0x06–0x0B, UC 0x26–0x2B).
 *
 * @example
 * ```ts
 * rdmaWriteOpcode("last", true); // "rc-rdma-write-last-with-immediate" (0x09)
 * ```
 */
export function rdmaWriteOpcode(
  position: RdmaWritePosition,
  withImmediate: boolean,
  service: ConnectedService = "rc",
): Opcode {
  const imm = withImmediate && (position === "last" || position === "only");
  const suffix = imm ? `${position}-with-immediate` : position;
  return `${service}-rdma-write-${suffix}` as Opcode;
}

/** Service, position and immediate flag of an RDMA WRITE opcode. */
export interface RdmaWriteOpcodeInfo {
  /** RC or UC. */
  readonly service: ConnectedService;
  /** Position of the packet in its message. */
  readonly position: RdmaWritePosition;
  /** Whether the packet carries an ImmDt. */
  readonly withImmediate: boolean;
}

const WRITE_OPCODES = new Map<Opcode, RdmaWriteOpcodeInfo>();
for (const service of ["rc", "uc"] as const)
  for (const position of ["first", "middle", "last", "only"] as const)
    for (const withImmediate of [false, true])
      if (!withImmediate || position === "last" || position === "only")
        WRITE_OPCODES.set(
          rdmaWriteOpcode(position, withImmediate, service),
          Object.freeze({ service, position, withImmediate }),
        );

/**
 * The position and service of an RDMA WRITE opcode, or `undefined` for any other opcode
 * (docs/reference/roce.md §3).
 *
 * @example
 * ```ts
 * rdmaWritePosition("uc-rdma-write-middle"); // { service: "uc", position: "middle", withImmediate: false }
 * ```
 */
export function rdmaWritePosition(opcode: Opcode): RdmaWriteOpcodeInfo | undefined {
  return WRITE_OPCODES.get(opcode);
}

/** The path MTUs of InfiniBand (`enum ib_mtu`, docs/reference/roce.md §3). */
export type Pmtu = 256 | 512 | 1024 | 2048 | 4096;

/** Every {@link Pmtu}, ascending. */
export const PMTUS: readonly Pmtu[] = [256, 512, 1024, 2048, 4096];

/** Whether `n` is one of the path MTUs (docs/reference/roce.md §3). */
export function isPmtu(n: unknown): n is Pmtu {
  return n === 256 || n === 512 || n === 1024 || n === 2048 || n === 4096;
}

/** Pad bytes after a payload of `n` bytes: `(−n) & 3` (docs/reference/roce.md §1). */
export function padBytes(n: number): number {
  return -n & 3;
}
