/**
 * Rules that tie the fields of one SRIO packet together, beyond what the bit-exact codec
 * (packet.ts) checks: payload against size and wdptr, reserved size and status codes, ATOMIC
 * and maintenance sizes, the maintenance response hop_count, message segments, response data
 * and the priority of requests that need a response. Each rule cites the section it implements;
 * a broken rule is a {@link SrioRuleError} naming the field. Digest in docs/reference/srio.md
 * §3 and §13.
 *
 * Decisions:
 * - **Sub-double-word payloads.** Data payloads are whole double-words (Part 1 §4.1.1), so a
 *   write of 1–8 bytes carries exactly one double-word: the bytes sit in the byte lanes that
 *   wrsize and wdptr name (Part 1 §3.5, Figure 3-9; lane 0 is the most significant byte) and
 *   the other lanes are carried but meaningless. The rules check the length (8 bytes), never
 *   the contents of the other lanes.
 * - **Port-write encoding** (srio.md §13 item 2). The spec gives a port-write the size fields
 *   of a maintenance write (Part 1 §4.1.10, Figure 4-4; the error-reporting payload is 16
 *   bytes, Part 8 §1.4, so wrsize 1011 with wdptr 1). OpenRIO sends wrsize 0 with wdptr 0.
 *   Both are accepted by default, since a port-write has no response and its receiver takes the
 *   length from the packet; {@link SrioRuleOptions.strictPortWrite} accepts the spec encoding
 *   only.
 * - **RETRY** (status 0b0011) is defined for type 13 responses without data and message
 *   responses (Part 2 Table 4-6: doorbell and message responses) and reserved for responses
 *   with data and maintenance responses (Part 1 Tables 4-7 and 4-9).
 *
 * Not checked, because one packet does not say: that a response's data length matches its
 * request (unless {@link SrioRuleOptions.request} gives the request), that a response's
 * priority is above its request's (see `checkResponsePriority` in priority.ts), and the
 * meaningless lanes of a 4-byte maintenance read response (srio.md §13 item 3). Every rdsize
 * and wdptr pair is a defined NREAD size (Part 1 Table 4-3), so NREAD has no size rule.
 *
 * @module
 */
import { CodecError, fieldMessage } from "@rashpa/bits";
import type { AnySrioPacket, SrioAddressSize } from "./packet.js";
import { srioHeaderBytes } from "./packet.js";
import { ftypeValue, transportTypeValue } from "./gen/packet.js";
import { SrioPriorityError, checkRequestPriority } from "./priority.js";
import type { SrioPriorityOptions } from "./priority.js";
import { decodeMessageSegmentSize, decodeReadSize, decodeWriteSize } from "./size.js";
import type { SrioTransferSize } from "./size.js";
import { srioTransactionKind } from "./packet-flow.js";

/** Options of {@link checkSrioPacketRules}. */
export interface SrioRuleOptions extends SrioPriorityOptions {
  /**
   * The system address size, for the byte offsets in the errors (RapidIO 4.1 Part 1 §4.1.1).
   * @defaultValue 34
   */
  readonly addressSize?: SrioAddressSize;
  /**
   * Accept only the spec's port-write size encoding (wrsize/wdptr covering the payload),
   * rejecting OpenRIO's wrsize 0 / wdptr 0 (srio.md §13 item 2).
   * @defaultValue false
   */
  readonly strictPortWrite?: boolean;
  /**
   * The request a response answers: when given, a response with data (type 13 ttype 8 or a
   * maintenance read response) with status DONE must carry the data the request asked for:
   * the read size rounded up to whole double-words, 8 bytes for an ATOMIC (Part 1 §4.1.5,
   * §4.1.10, §4.2.3).
   * @defaultValue undefined (not checked)
   */
  readonly request?: AnySrioPacket;
}

/**
 * A broken packet rule: `path` names the field, `expected`/`found` say why, `offset` is the
 * byte offset of the field in the packet (ackID byte = 0), `section` the RapidIO 4.1 section
 * of the rule. The message is `"<field>" expected X (RapidIO 4.1 <section>), got Y at byte N`.
 *
 * @example
 * ```ts
 * try { assertSrioPacketRules(p); } catch (e) { if (e instanceof SrioRuleError) e.section; }
 * ```
 */
export class SrioRuleError extends CodecError {
  /** Always `"SrioRuleError"`. */
  override readonly name = "SrioRuleError";
  /** The section of the broken rule, e.g. `"Part 1 §4.1.7"`. */
  readonly section: string;

  /**
   * @param path - the offending field.
   * @param expected - what the rule requires.
   * @param found - the value found.
   * @param offset - byte offset of the field in the packet.
   * @param section - the RapidIO 4.1 section of the rule, e.g. `"Part 1 §4.1.7"`.
   */
  constructor(path: string, expected: string, found: string, offset: number, section: string) {
    const full = `${expected} (RapidIO 4.1 ${section})`;
    super(fieldMessage(path, full, found, offset), { path, expected: full, found, offset });
    this.section = section;
  }
}

/** The fields the rules read, whatever the variant (absent fields are undefined). */
interface LoosePacket {
  readonly ftype: string;
  readonly ttype?: string;
  readonly tt: string;
  readonly prio: number;
  readonly crf: number;
  readonly vc: number;
  readonly rdsize?: number;
  readonly wrsize?: number;
  readonly wdptr?: number;
  readonly sizeOrStatus?: number;
  readonly status?: number;
  readonly hopCount?: number;
  readonly msglen?: number;
  readonly ssize?: number;
  readonly msgseg?: number;
  readonly payload?: Uint8Array;
}

const ATOMIC_REQUEST = new Set(["atomic-inc", "atomic-dec", "atomic-set", "atomic-clr"]);
const ATOMIC_WRITE = new Set(["atomic-swap", "atomic-compare-and-swap", "atomic-test-and-swap"]);

/** Status codes that are not reserved (Part 1 Tables 4-7, 4-9; Part 2 Table 4-6). */
function statusDefined(status: number, retry: boolean): boolean {
  return status === 0 || status === 7 || status >= 12 || (retry && status === 3);
}

function bin4(v: number): string {
  return `0b${v.toString(2).padStart(4, "0")}`;
}

function sizeText(code: number, wdptr: number): string {
  return `${bin4(code)} with wdptr ${wdptr}`;
}

/**
 * Checks every rule one SRIO packet can be checked against and returns the broken ones (an
 * empty array when the packet is legal), in this order:
 * - request priority: a request that needs a response is not at priority 3 and, without
 *   `vcPriority`, uses VC0 (Part 6 §6.12, through `checkRequestPriority` of priority.ts);
 * - NWRITE / NWRITE_R: wrsize/wdptr not reserved (96/160/192/224 are read-only sizes); a
 *   sub-double-word size carries exactly one double-word, a multi-double-word size at most its
 *   maximum (Part 1 §4.1.7, Table 4-4);
 * - SWRITE: whole double-words, 8–256 bytes (Part 1 §4.1.8);
 * - ATOMIC: 1, 2 or 4 bytes, naturally aligned (Part 1 §4.1.5, §4.1.7); compare-and-swap
 *   carries 16 bytes, swap and test-and-swap one double-word (§4.1.7);
 * - maintenance: 4, 8 or up to 64 bytes (16, 32, 64) for reads and writes, a write payload
 *   within its size, status not reserved and hop_count 0xFF on responses, data on a DONE read
 *   response (Part 1 §4.1.10, Table 4-7; Part 3 §2.5); port-writes as decided in the module
 *   documentation;
 * - MESSAGE: ssize defined, msgseg ≤ msglen, payload ≤ ssize and exactly ssize on every
 *   segment but the last (Part 2 §4.2.5, Table 4-4);
 * - RESPONSE: status not reserved, no data with ERROR, data with DONE when ttype is 8, and the
 *   requested length when {@link SrioRuleOptions.request} is given (Part 1 §4.2.3, Part 2
 *   §4.3.3).
 *
 * @param packet - a decoded (or hand-built) packet of any address size.
 * @param options - see {@link SrioRuleOptions}.
 * @returns the broken rules.
 * @example
 * ```ts
 * checkSrioPacketRules({ ...nwrite, wrsize: 0b1101, wdptr: 0 }).map((e) => e.path); // ["wrsize"]
 * ```
 */
export function checkSrioPacketRules(
  packet: AnySrioPacket,
  options: SrioRuleOptions = {},
): SrioRuleError[] {
  const p = packet as unknown as LoosePacket;
  const errors: SrioRuleError[] = [];
  const fail = (path: string, expected: string, found: string, at: number, s: string): void => {
    errors.push(new SrioRuleError(path, expected, found, at, s));
  };
  const tt = transportTypeValue(p.tt);
  // Logical fields start after the physical header (2 bytes) and the two device IDs.
  const l = 2 + 2 * (1 << Math.max(tt, 0));
  const dataAt = srioHeaderBytes(tt, ftypeValue(p.ftype), options.addressSize) ?? l;
  const n = p.payload?.length ?? 0;

  // Part 6 §6.12 rule 2 (priority.ts).
  try {
    checkRequestPriority(srioTransactionKind(packet), p, options);
  } catch (e) {
    if (!(e instanceof SrioPriorityError)) throw e;
    fail(e.path ?? "prio", e.expected ?? "", e.found ?? "", 1, "Part 6 §6.12");
  }

  if (p.ftype === "write" || (p.ftype === "request" && p.ttype !== "nread")) {
    const write = p.ftype === "write";
    const field = write ? "wrsize" : "rdsize";
    const code = (write ? p.wrsize : p.rdsize) ?? 0;
    const wdptr = p.wdptr ?? 0;
    let size: SrioTransferSize | undefined;
    try {
      size = write ? decodeWriteSize(code, wdptr) : decodeReadSize(code, wdptr);
    } catch {
      fail(
        field,
        "a write size (96, 160, 192 and 224 bytes are read-only)",
        `${sizeText(code, wdptr)} (reserved)`,
        l,
        "Part 1 §4.1.7, Table 4-4",
      );
    }
    const atomic = ATOMIC_REQUEST.has(p.ttype ?? "") || ATOMIC_WRITE.has(p.ttype ?? "");
    const atomicSection = write ? "Part 1 §4.1.7" : "Part 1 §4.1.5";
    if (size !== undefined && atomic) {
      const b = size.bytes;
      const aligned = (b === 1 || b === 2 || b === 4) && size.firstLane % b === 0;
      if (!aligned)
        fail(
          field,
          "an ATOMIC size of 1, 2 or 4 bytes, naturally aligned",
          `${sizeText(code, wdptr)} (${b} bytes at lane ${size.firstLane})`,
          l,
          atomicSection,
        );
      if (write) {
        const want = p.ttype === "atomic-compare-and-swap" ? 16 : 8;
        if (n !== want)
          fail(
            "payload",
            want === 16
              ? "16 bytes (compare and swap data) for ATOMIC compare-and-swap"
              : "one double-word for ATOMIC swap and test-and-swap",
            `${n} bytes`,
            dataAt,
            "Part 1 §4.1.7",
          );
      }
    } else if (size !== undefined && write) {
      checkWritePayload(size, n, dataAt, fail, "Part 1 §4.1.7, Table 4-4");
    }
  }

  if (p.ftype === "streaming-write" && (n % 8 !== 0 || n < 8 || n > 256))
    fail("payload", "whole double-words, 8..256 bytes", `${n} bytes`, dataAt, "Part 1 §4.1.8");

  const c: RuleContext = { n, l, at: dataAt, options, fail };
  if (p.ftype === "maintenance") checkMaintenance(p, c);
  if (p.ftype === "message") checkMessage(p, c);
  if (p.ftype === "response") checkResponse(p, c);
  return errors;
}

type Fail = (path: string, expected: string, found: string, at: number, s: string) => void;

/** What the per-ftype checks share: payload length, offsets of the fields and of the data. */
interface RuleContext {
  /** Payload bytes. */
  readonly n: number;
  /** Offset of the first logical field byte (ttype / size / status). */
  readonly l: number;
  /** Offset of the payload. */
  readonly at: number;
  readonly options: SrioRuleOptions;
  readonly fail: Fail;
}

/** Payload of a write against its size: one double-word up to 8 bytes, else within the maximum. */
function checkWritePayload(
  size: SrioTransferSize,
  n: number,
  at: number,
  fail: Fail,
  section: string,
): void {
  if (!size.maximum) {
    if (n !== 8)
      fail(
        "payload",
        `one double-word carrying the ${size.bytes} byte(s) at lane ${size.firstLane}`,
        `${n} bytes`,
        at,
        section,
      );
  } else if (n % 8 !== 0 || n < 8 || n > size.bytes) {
    fail(
      "payload",
      `whole double-words, at most the ${size.bytes}-byte maximum`,
      `${n} bytes`,
      at,
      section,
    );
  }
}

/** Maintenance sizes: 4 bytes (either word), 8 bytes, or 16, 32, 64 bytes (Part 1 §4.1.10). */
function maintenanceSizeOk(size: SrioTransferSize): boolean {
  const b = size.bytes;
  return (b === 4 && size.firstLane % 4 === 0) || b === 8 || b === 16 || b === 32 || b === 64;
}

function checkMaintenance(p: LoosePacket, c: RuleContext): void {
  const { n, l, at, options, fail } = c;
  const code = p.sizeOrStatus ?? 0;
  const wdptr = p.wdptr ?? 0;
  const section = "Part 1 §4.1.10";
  const t = p.ttype;
  if (t === "read-request" || t === "write-request" || t === "port-write") {
    const field = t === "read-request" ? "rdsize" : "wrsize";
    if (t === "port-write" && code === 0 && wdptr === 0 && options.strictPortWrite !== true) return; // OpenRIO's encoding (srio.md §13 item 2): the length is the payload's.
    let size: SrioTransferSize | undefined;
    try {
      size = t === "read-request" ? decodeReadSize(code, wdptr) : decodeWriteSize(code, wdptr);
    } catch {
      size = undefined;
    }
    if (size === undefined || !maintenanceSizeOk(size)) {
      const what = size === undefined ? "reserved" : `${size.bytes} bytes`;
      fail(
        field,
        "a maintenance size: 4 bytes, 8 bytes, or 16, 32 or 64 bytes",
        `${sizeText(code, wdptr)} (${what})`,
        l,
        section,
      );
      return;
    }
    if (t !== "read-request") {
      if (size.bytes <= 8) {
        if (n !== 8)
          fail("payload", `one double-word (${size.bytes}-byte write)`, `${n} bytes`, at, section);
      } else checkWritePayload(size, n, at, fail, section);
    }
    return;
  }
  // Responses (Part 1 Table 4-7; Part 3 §2.5).
  if (!statusDefined(code, false))
    fail(
      "status",
      "DONE (0), ERROR (7) or implementation-defined (12..15)",
      `${code} (reserved)`,
      l,
      "Part 1 §4.1.10, Table 4-7",
    );
  if (p.hopCount !== 0xff)
    fail(
      "hopCount",
      "0xff in a maintenance response",
      `0x${(p.hopCount ?? 0).toString(16).padStart(2, "0")}`,
      l + 2,
      "Part 3 §2.5",
    );
  if (t === "read-response" && code === 0) checkResponseData(n, at, options, fail, section);
}

/** A DONE response with data carries data, of the request's length when it is known. */
function checkResponseData(
  n: number,
  at: number,
  options: SrioRuleOptions,
  fail: Fail,
  section: string,
): void {
  const want = expectedResponseBytes(options.request);
  if (n === 0) fail("payload", "data with status DONE", "0 bytes", at, section);
  else if (want !== undefined && n !== want)
    fail("payload", `${want} bytes (the request's read size)`, `${n} bytes`, at, section);
}

/** Bytes of data the response to `request` carries, or undefined (unknown or no data). */
function expectedResponseBytes(request: AnySrioPacket | undefined): number | undefined {
  if (request === undefined) return undefined;
  const r = request as unknown as LoosePacket;
  const wdptr = r.wdptr ?? 0;
  try {
    if (r.ftype === "request")
      return r.ttype === "nread" ? roundUp8(decodeReadSize(r.rdsize ?? 0, wdptr).bytes) : 8;
    if (r.ftype === "write" && ATOMIC_WRITE.has(r.ttype ?? "")) return 8;
    if (r.ftype === "maintenance" && r.ttype === "read-request")
      return roundUp8(decodeReadSize(r.sizeOrStatus ?? 0, wdptr).bytes);
  } catch {
    return undefined;
  }
  return undefined;
}

function roundUp8(b: number): number {
  return (b + 7) & ~7;
}

function checkMessage(p: LoosePacket, c: RuleContext): void {
  const { n, l, at, fail } = c;
  const section = "Part 2 §4.2.5, Table 4-4";
  const msglen = p.msglen ?? 0;
  const msgseg = p.msgseg ?? 0;
  let ssize: number | undefined;
  try {
    ssize = decodeMessageSegmentSize(p.ssize ?? 0);
  } catch {
    fail("ssize", "8..256 bytes (0b1001..0b1110)", `${bin4(p.ssize ?? 0)} (reserved)`, l, section);
  }
  // msgseg is the xmbox of a single-packet message (msglen 0): any value.
  if (msglen > 0 && msgseg > msglen)
    fail("msgseg", `at most msglen (${msglen})`, String(msgseg), l + 1, section);
  if (n % 8 !== 0 || n < 8)
    fail("payload", "whole double-words, at least 8 bytes", `${n} bytes`, at, section);
  if (ssize === undefined) return;
  const last = msglen === 0 || msgseg === msglen;
  if (last ? n > ssize : n !== ssize)
    fail(
      "payload",
      last
        ? `at most ssize (${ssize} bytes)`
        : `ssize (${ssize} bytes) on a segment before the last`,
      `${n} bytes`,
      at,
      section,
    );
}

function checkResponse(p: LoosePacket, c: RuleContext): void {
  const { n, l, at, options, fail } = c;
  const status = p.status ?? 0;
  const withData = p.ttype === "with-data";
  if (!statusDefined(status, !withData))
    fail(
      "status",
      withData
        ? "DONE (0), ERROR (7) or implementation-defined (12..15)"
        : "DONE (0), RETRY (3), ERROR (7) or implementation-defined (12..15)",
      `${status} (reserved)`,
      l,
      withData ? "Part 1 §4.2.1, Table 4-9" : "Part 2 §4.3.1, Table 4-6",
    );
  if (!withData) return;
  const section = "Part 1 §4.2.3";
  if (status === 7 && n !== 0) fail("payload", "no data with ERROR", `${n} bytes`, at, section);
  if (status === 0) checkResponseData(n, at, options, fail, section);
}

/**
 * Throws the first broken rule of {@link checkSrioPacketRules}, if any.
 *
 * @param packet - a decoded (or hand-built) packet.
 * @param options - see {@link SrioRuleOptions}.
 * @throws SrioRuleError for the first broken rule.
 * @example
 * ```ts
 * assertSrioPacketRules(decodeSrioPacket(bytes));
 * ```
 */
export function assertSrioPacketRules(packet: AnySrioPacket, options?: SrioRuleOptions): void {
  const errors = checkSrioPacketRules(packet, options);
  if (errors.length > 0) throw errors[0]!;
}
