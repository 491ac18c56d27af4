/**
 * Rules that tie the fields of one TLP together, beyond what the bit-exact codec checks
 * (docs/reference/pcie.md §1.1, §1.2, §1.5, §1.6, §4.1–§4.4, §8). Each rule cites the section
 * it implements; a broken rule is a {@link TlpRuleError} naming the field.
 *
 * Not checked, because pcie.md leaves them open or they need more than one TLP: AtomicOp byte
 * enables and operand alignment (§1.6 "open points"), completion Byte Count against the request
 * (§4.4, needs the request), Byte Count 4 / Lower Address 0 of I/O and configuration completions
 * (a completion does not say what it answers), the reserved part of the 10-bit tag range (§1.8,
 * unconfirmed).
 *
 * @module
 */
import { CodecError, fieldMessage } from "@rashpa/bits";
import type { Tlp } from "./gen/tlp.js";

// Bytes in a 4 KiB page: memory requests must not cross one (pcie.md §8.1).
const PAGE_BYTES = 4096;

/** Options of {@link checkTlpRules}. */
export interface TlpRuleOptions {
  /**
   * Max_Payload_Size in bytes: the largest payload of a TLP carrying data (pcie.md §8.1, §8.2).
   * @defaultValue 4096
   */
  readonly maxPayloadBytes?: number;
  /**
   * Max_Read_Request_Size in bytes: the largest Length of a memory read request (pcie.md §8.1).
   * @defaultValue 4096
   */
  readonly maxReadRequestBytes?: number;
  /**
   * Read completion boundary in bytes (64 or 128): when given, a completion with data that is
   * not the last of its request must end on an RCB-aligned address (pcie.md §8.2).
   * @defaultValue undefined (not checked)
   */
  readonly rcbBytes?: 64 | 128;
  /**
   * Accept the 4-DW (64-bit) address form for addresses below 4 GiB, as verilog-pcie's
   * `TLP_FORCE_64_BIT_ADDR` produces (pcie.md §1.2).
   * @defaultValue false
   */
  readonly allow64BitFormBelow4GiB?: boolean;
}

/**
 * A TLP broken rule: `path` names the field, `expected`/`found` say why, `offset` is the byte
 * offset of the field in the header, `section` the pcie.md section of the rule. The message is
 * `"<field>" expected X, got Y at byte N`.
 *
 * @example
 * ```ts
 * try { assertTlpRules(tlp); } catch (e) { if (e instanceof TlpRuleError) console.log(e.path); }
 * ```
 */
export class TlpRuleError extends CodecError {
  /** Always `"TlpRuleError"`. */
  override readonly name = "TlpRuleError";
  /** The pcie.md section of the broken rule, e.g. `"§4.2"`. */
  readonly section: string;

  /**
   * @param path - the offending field.
   * @param expected - what the rule requires.
   * @param found - the value found.
   * @param offset - byte offset of the field in the TLP.
   * @param section - the pcie.md section of the rule.
   */
  constructor(path: string, expected: string, found: string, offset: number, section: string) {
    super(fieldMessage(path, expected, found, offset), { path, expected, found, offset });
    this.section = section;
  }
}

// Byte offsets of header fields (pcie.md §1.1, §1.3, §1.4, §1.5).
const AT_LENGTH_OFFSET = 2;
const TYPE_OFFSET = 0;
const BE_OFFSET = 7;
const BYTE_COUNT_OFFSET = 6;
const LOWER_ADDRESS_OFFSET = 11;
const ADDRESS_OFFSET = 8;

const FIRST_BE_CONTIGUOUS = new Set([0b1111, 0b1110, 0b1100, 0b1000]);
const LAST_BE_CONTIGUOUS = new Set([0b0001, 0b0011, 0b0111, 0b1111]);

function bin4(v: number): string {
  return `${v.toString(2).padStart(4, "0")}b`;
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** Length in DW of a TLP that carries or refers to data: 0 means 1024 (pcie.md §1.1, §4.1). */
function lengthDw(length: number): number {
  return length === 0 ? 1024 : length;
}

/** Lowest enabled byte index of a BE nibble (0 when none). */
function lowestBit(be: number): number {
  for (let i = 0; i < 4; i++) if ((be >> i) & 1) return i;
  return 0;
}

/** Highest enabled byte index of a BE nibble (0 when none). */
function highestBit(be: number): number {
  for (let i = 3; i >= 0; i--) if ((be >> i) & 1) return i;
  return 0;
}

/**
 * Checks every rule of pcie.md that one TLP can be checked against and returns the broken ones
 * (an empty array when the TLP is legal). Rules: Length reserved (0) for Cpl/CplLk/Msg and 1 for
 * I/O and configuration requests (§1.1, §4.2); payload at most Max_Payload_Size and reads at most
 * Max_Read_Request_Size (§8.1, §8.2); byte-enable rules (§4.2) with the zero-length forms (§4.3);
 * no memory request across a 4 KiB boundary (§8.1); the 4-DW address form only at or above 4 GiB
 * (§1.2); AtomicOp operand sizes (§1.6); reserved AT and message routing values (§1.1, §1.5);
 * completion Length against Byte Count (0 = 4096) and Lower Address, and RCB alignment of
 * non-final completions (§4.1, §4.4, §8.2).
 *
 * @param tlp - a decoded (or hand-built) TLP value.
 * @param options - link parameters; see {@link TlpRuleOptions}.
 * @returns the broken rules, in the order above.
 * @example
 * ```ts
 * checkTlpRules({ ...mwr, firstBe: 0 }).map((e) => e.path); // ["firstBe"] for a 2-DW write
 * ```
 */
export function checkTlpRules(tlp: Tlp, options: TlpRuleOptions = {}): TlpRuleError[] {
  const mps = options.maxPayloadBytes ?? PAGE_BYTES;
  const mrrs = options.maxReadRequestBytes ?? PAGE_BYTES;
  const errors: TlpRuleError[] = [];
  const fail = (path: string, expected: string, found: string, offset: number, s: string): void => {
    errors.push(new TlpRuleError(path, expected, found, offset, s));
  };
  const t = tlp.tlpType;
  const len = lengthDw(tlp.length);

  // §1.1 (AT 11b is reserved).
  if (tlp.at === "reserved")
    fail("at", "00b, 01b or 10b", "11b (reserved)", AT_LENGTH_OFFSET, "§1.1");

  // §1.5: message routing r[2:0] 110b/111b is reserved.
  if (tlp.type === "msg-reserved-6" || tlp.type === "msg-reserved-7")
    fail("type", "a defined message routing (r = 000b..101b)", tlp.type, TYPE_OFFSET, "§1.5");

  // §1.1 / §4.1: Length is reserved (0) in TLPs that neither carry nor refer to data.
  if (t === "cpl" || t === "cpllk" || t === "msg") {
    if (tlp.length !== 0)
      fail(
        "length",
        "0 (reserved in Cpl, CplLk and Msg)",
        String(tlp.length),
        AT_LENGTH_OFFSET,
        "§1.1",
      );
  }

  // §4.2: I/O and configuration requests are always Length 1.
  const ioOrCfg =
    t === "iord" ||
    t === "iowr" ||
    t === "cfgrd0" ||
    t === "cfgrd1" ||
    t === "cfgwr0" ||
    t === "cfgwr1";
  if (ioOrCfg && tlp.length !== 1)
    fail(
      "length",
      "1 (I/O and configuration requests)",
      String(tlp.length),
      AT_LENGTH_OFFSET,
      "§4.2",
    );

  // §1.6: AtomicOp operand sizes — FetchAdd/Swap 4 or 8 B (Length 1, 2), CAS 2 × 4, 8 or 16 B.
  if (t === "fetchadd-32" || t === "fetchadd-64" || t === "swap-32" || t === "swap-64") {
    if (tlp.length !== 1 && tlp.length !== 2)
      fail(
        "length",
        "1 or 2 (one 4- or 8-byte operand)",
        String(tlp.length),
        AT_LENGTH_OFFSET,
        "§1.6",
      );
  } else if (t === "cas-32" || t === "cas-64") {
    if (tlp.length !== 2 && tlp.length !== 4 && tlp.length !== 8)
      fail(
        "length",
        "2, 4 or 8 (two 4-, 8- or 16-byte operands)",
        String(tlp.length),
        AT_LENGTH_OFFSET,
        "§1.6",
      );
  }

  // §8.1, §8.2: a TLP never carries more than Max_Payload_Size bytes.
  if ("data" in tlp && len * 4 > mps)
    fail(
      "length",
      `at most ${mps / 4} DW (Max_Payload_Size ${mps} B)`,
      `${len} DW`,
      AT_LENGTH_OFFSET,
      "§8.1",
    );

  // §8.1: a memory read request asks for at most Max_Read_Request_Size bytes.
  const isRead = t === "mrd-32" || t === "mrd-64" || t === "mrdlk-32" || t === "mrdlk-64";
  if (isRead && len * 4 > mrrs)
    fail(
      "length",
      `at most ${mrrs / 4} DW (Max_Read_Request_Size ${mrrs} B)`,
      `${len} DW`,
      AT_LENGTH_OFFSET,
      "§8.1",
    );

  // §4.2 / §4.3: byte enables of memory, I/O and configuration requests (AtomicOps excluded,
  // §1.6 open point; MRd with TH = 1 carries a steering tag instead, §1.3).
  const isMem = isRead || t === "mwr-32" || t === "mwr-64";
  if ((isMem || ioOrCfg) && "firstBe" in tlp) {
    const { firstBe, lastBe } = tlp;
    if (len === 1) {
      // 1 DW: Last DW BE must be 0000b; any First DW BE (0000b = zero-length read/write, §4.3).
      if (lastBe !== 0) fail("lastBe", "0000b (Length 1)", bin4(lastBe), BE_OFFSET, "§4.2");
    } else {
      // > 1 DW: neither BE may be 0000b (so a zero-length request is always Length 1, §4.3).
      if (firstBe === 0)
        fail("firstBe", "not 0000b (Length > 1)", bin4(firstBe), BE_OFFSET, "§4.2");
      if (lastBe === 0) fail("lastBe", "not 0000b (Length > 1)", bin4(lastBe), BE_OFFSET, "§4.2");
      // Contiguous BEs, except for a QW-aligned memory request of Length 2.
      const qwAligned = "address" in tlp && BigInt(tlp.address) % 2n === 0n; // address in DW
      if (!(isMem && len === 2 && qwAligned)) {
        if (firstBe !== 0 && !FIRST_BE_CONTIGUOUS.has(firstBe))
          fail(
            "firstBe",
            "contiguous (1111b, 1110b, 1100b or 1000b)",
            bin4(firstBe),
            BE_OFFSET,
            "§4.2",
          );
        if (lastBe !== 0 && !LAST_BE_CONTIGUOUS.has(lastBe))
          fail(
            "lastBe",
            "contiguous (0001b, 0011b, 0111b or 1111b)",
            bin4(lastBe),
            BE_OFFSET,
            "§4.2",
          );
      }
    }
  }

  // §8.1: a memory request never crosses a 4 KiB boundary. The enabled bytes run from the first
  // enabled byte of the first DW to the last enabled byte of the last DW (§4.2).
  if (isMem) {
    const base = BigInt(tlp.address) * 4n;
    let first = base;
    let last = base + BigInt(len * 4 - 1);
    if ("firstBe" in tlp) {
      first = base + BigInt(lowestBit(tlp.firstBe));
      last =
        len === 1
          ? base + BigInt(highestBit(tlp.firstBe))
          : base + BigInt((len - 1) * 4 + highestBit(tlp.lastBe));
    }
    const page = BigInt(PAGE_BYTES);
    if (first / page !== last / page) {
      const room = (page - (base % page)) / 4n;
      fail(
        "length",
        `at most ${room} DW (no 4 KiB crossing from ${hex(base)})`,
        `${len} DW`,
        AT_LENGTH_OFFSET,
        "§8.1",
      );
    }
  }

  // §1.2: the 4-DW (64-bit) address form is for addresses at or above 4 GiB.
  if (
    !options.allow64BitFormBelow4GiB &&
    (t === "mrd-64" ||
      t === "mrdlk-64" ||
      t === "mwr-64" ||
      t === "fetchadd-64" ||
      t === "swap-64" ||
      t === "cas-64")
  ) {
    const byteAddress = tlp.address * 4n;
    if (byteAddress < 0x1_0000_0000n)
      fail(
        "address",
        "at least 0x100000000 in the 4-DW form (else the 3-DW form)",
        hex(byteAddress),
        ADDRESS_OFFSET,
        "§1.2",
      );
  }

  // §4.1, §4.4: a completion with data carries no more DW than its remaining bytes need:
  // Length ≤ ceil(((Lower Address & 3) + Byte Count) / 4), Byte Count 0 meaning 4096.
  if (t === "cpld" || t === "cpllkd" || t === "cpl" || t === "cpllk") {
    const byteCount = tlp.byteCount === 0 ? 4096 : tlp.byteCount;
    const need = Math.ceil(((tlp.lowerAddress & 3) + byteCount) / 4);
    if ((t === "cpld" || t === "cpllkd") && tlp.status === "sc") {
      if (len > need)
        fail(
          "byteCount",
          `at least ${len * 4 - 3 - (tlp.lowerAddress & 3)} (Length ${len} DW, Lower Address ${tlp.lowerAddress})`,
          `${tlp.byteCount}${tlp.byteCount === 0 ? " (4096)" : ""}`,
          BYTE_COUNT_OFFSET,
          "§4.4",
        );
      // §8.2: every completion but the last ends on an RCB boundary.
      const rcb = options.rcbBytes;
      if (rcb !== undefined && len < need) {
        const end = (tlp.lowerAddress & 0x7c) + len * 4;
        if (end % rcb !== 0)
          fail(
            "lowerAddress",
            `a non-final completion ending on a ${rcb}-byte boundary (Lower Address + ${len * 4} ≡ 0 mod ${rcb})`,
            String(tlp.lowerAddress),
            LOWER_ADDRESS_OFFSET,
            "§8.2",
          );
      }
    }
  }
  return errors;
}

/**
 * Throws the first broken rule of {@link checkTlpRules}, if any.
 *
 * @param tlp - a decoded (or hand-built) TLP value.
 * @param options - link parameters; see {@link TlpRuleOptions}.
 * @throws TlpRuleError for the first broken rule.
 * @example
 * ```ts
 * assertTlpRules(decodeTlp(bytes), { maxPayloadBytes: 256 });
 * ```
 */
export function assertTlpRules(tlp: Tlp, options?: TlpRuleOptions): void {
  const errors = checkTlpRules(tlp, options);
  if (errors.length > 0) throw errors[0]!;
}
