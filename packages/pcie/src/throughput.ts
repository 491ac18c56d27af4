/**
 * Link throughput model (shared PCIe reference `docs/reference/pcie.md` §11, with the framing
 * and per-packet overhead of §7 and the splitting rules of §8): the payload a PCIe link of
 * generation 1–6 (Gen6 in flit mode) and width x1–x32 can carry in one direction, for posted
 * memory writes (MWr, the DAQ image push) or memory reads (the completions returning the data).
 *
 * The model is steady state with MPS-aligned buffers: every write TLP carries MPS bytes and every
 * read request MRRS bytes at an MRRS-aligned address (the first and last TLPs of a real buffer may
 * be shorter, §11.2.1; {@link planWrite} gives exact TLP counts for one transfer).
 *
 * @example
 * ```ts
 * import { pcieThroughput } from "@rashpa/pcie";
 * const t = pcieThroughput({ generation: 2, width: 4, maxPayloadSize: 256 });
 * t.tlpEfficiency; // 0.9275… = 256 / (256 + 12 + 8), pcie.md §11.3
 * t.payloadGBps; // 1.855…
 * ```
 *
 * @module
 */
import { RCB_BYTES, SIZE_BYTES } from "./split.js";

/** PCIe generations the model knows (§11.1). */
export type PcieGeneration = 1 | 2 | 3 | 4 | 5 | 6;

/** Link widths the model accepts (lanes). */
export const PCIE_WIDTHS: readonly number[] = [1, 2, 4, 8, 12, 16, 32];

/** Raw signalling rate per lane in GT/s, by generation 1–6 (§11.1 table, column "GT/s per lane"). */
export const PCIE_GT_PER_S: Readonly<Record<PcieGeneration, number>> = {
  1: 2.5,
  2: 5.0,
  3: 8.0,
  4: 16.0,
  5: 32.0,
  6: 64.0,
};

/**
 * Line-coding efficiency e_G by generation (§11.1 table, column "efficiency e"): 8b/10b for
 * Gen1/2, 128b/130b for Gen3–5, 1b/1b (PAM4, flit mode) for Gen6.
 */
export const PCIE_ENCODING_EFFICIENCY: Readonly<Record<PcieGeneration, number>> = {
  1: 8 / 10,
  2: 8 / 10,
  3: 128 / 130,
  4: 128 / 130,
  5: 128 / 130,
  6: 1,
};

/** Per-TLP framing F of Gen1–5 in bytes: STP/sequence/LCRC/END or STP token + LCRC (§7, §11.2). */
export const TLP_FRAMING_BYTES = 8;

/** Wire size of one DLLP in bytes, framing included (§7 "DLLP" row). */
export const DLLP_WIRE_BYTES = 8;

/** Gen6 flit size in bytes (§7 "Gen6 flit mode"). */
export const FLIT_BYTES = 256;

/** TLP bytes in one Gen6 flit (§7: 236 B TLP + 6 B DLLP + 8 B CRC + 6 B FEC). */
export const FLIT_TLP_BYTES = 236;

/** DLLP bytes in one Gen6 flit (§7). */
export const FLIT_DLLP_BYTES = 6;

/** An option of {@link pcieThroughput} out of range: names the option. */
export class PcieThroughputError extends Error {
  /** The option at fault. */
  readonly option: string;
  /**
   * @param option - the option at fault
   * @param expected - what was expected
   * @param actual - what was given
   */
  constructor(option: string, expected: string, actual: string) {
    super(`"${option}" expected ${expected}, got ${actual}`);
    this.name = "PcieThroughputError";
    this.option = option;
  }
}

/** Inputs of {@link pcieThroughput}. */
export interface PcieThroughputOptions {
  /** PCIe generation 1–6; 6 is modelled in flit mode (§11.1, §11.2.3). */
  readonly generation: number;
  /** Link width in lanes: 1, 2, 4, 8, 12, 16 or 32. */
  readonly width: number;
  /**
   * Max_Payload_Size in bytes (128 << code, 128–4096): payload of each write TLP and the largest
   * completion (§8.1, §8.2).
   * @defaultValue 256
   */
  readonly maxPayloadSize?: number;
  /**
   * Max_Read_Request_Size in bytes (128–4096): bytes asked by each read request (§8.1).
   * @defaultValue 512
   */
  readonly maxReadRequestSize?: number;
  /**
   * Read Completion Boundary in bytes, 64 or 128. The completer is modelled returning one
   * completion per RCB block (cocotbext `split_on_all_rcb`, §8.2; the cases of §11.3's read
   * sanity points), so completions carry RCB bytes each.
   * @defaultValue 64
   */
  readonly readCompletionBoundary?: number;
  /**
   * 64-bit addressing: 4-DW request headers (16 B) instead of 3-DW (12 B) (§11.2 H). Completions
   * keep their 3-DW header.
   * @defaultValue false
   */
  readonly address64?: boolean;
  /**
   * ECRC on every TLP (TD = 1): 4 more bytes per TLP (§11.2 E).
   * @defaultValue false
   */
  readonly ecrc?: boolean;
  /**
   * `"write"` (posted MWr payload) or `"read"` (completion payload of memory reads).
   * @defaultValue "write"
   */
  readonly direction?: "write" | "read";
  /**
   * Ack DLLPs per data TLP sharing the data direction, each 8 B on the wire (§7 "Acks and
   * UpdateFCs"). They acknowledge traffic flowing the other way, so a one-way transfer has none
   * (§11.2.1: reverse-direction Acks do not load the write direction); 1 is UG962's one Ack per
   * TLP for a link loaded both ways. Ignored in Gen6 flit mode, where DLLPs ride in the flit's
   * own 6 DLLP bytes (§7).
   * @defaultValue 0
   */
  readonly acksPerTlp?: number;
  /**
   * UpdateFC DLLPs per data TLP sharing the data direction, 8 B each (§7). 0 for a one-way
   * transfer (§11.2.1); with `acksPerTlp` 1 it gives PLX's "100 % DLLP" (one Ack + one UpdateFC
   * per TLP, §7). Ignored in Gen6 flit mode.
   * @defaultValue 0
   */
  readonly updateFcsPerTlp?: number;
  /**
   * Share of the link taken by SKP ordered sets, s in §11.2 (typically < 1 %, §7; the SKP
   * interval is not quoted by the reference, hence 0).
   * @defaultValue 0
   */
  readonly skpShare?: number;
  /**
   * Read requests the requester keeps outstanding (tags: 32, 256 or up to 1024, and its
   * completion buffer; §11.2.2).
   * @defaultValue 32
   */
  readonly outstandingReads?: number;
  /**
   * Read round trip in nanoseconds, request out to last completion in (§11.2.2; the reference's
   * example uses 1 µs).
   * @defaultValue 1000
   */
  readonly roundTripNs?: number;
}

/** {@link PcieThroughputOptions} with every default filled in. */
export type ResolvedPcieThroughputOptions = {
  readonly [K in keyof PcieThroughputOptions]-?: Exclude<PcieThroughputOptions[K], undefined>;
};

/** Output of {@link pcieThroughput}: rates in Gb/s (10^9 bit/s) unless named `GBps` (10^9 byte/s). */
export interface PcieThroughput {
  /** The options with their defaults. */
  readonly options: ResolvedPcieThroughputOptions;
  /** Whether the link is modelled in flit mode (Gen6). */
  readonly flitMode: boolean;
  /** Raw signalling rate R_G · W in Gb/s (§11.1). */
  readonly rawGbps: number;
  /** Line-coding efficiency e_G (§11.1). */
  readonly encodingEfficiency: number;
  /** Rate after line coding, B = R_G · W · e_G, in Gb/s (§11.2). */
  readonly encodedGbps: number;
  /**
   * Payload share of the bytes the data TLPs occupy: P / (P + H + F + E) for writes,
   * L / (L + n_cpl · (12 + F + E)) for reads (§11.2.1, §11.2.2); F = 0 in flit mode (§11.2.3).
   */
  readonly tlpEfficiency: number;
  /**
   * Share of the encoded rate taken by DLLPs in the data direction: the Ack/UpdateFC bytes
   * (Gen1–5), or the flit's 6 DLLP bytes of 256 (Gen6, §7).
   */
  readonly dllpShare: number;
  /** Payload the link can carry with these overheads, in Gb/s. */
  readonly linkPayloadGbps: number;
  /**
   * Reads only: outstanding reads × MRRS / round trip, in Gb/s (§11.2.2); `null` for writes.
   */
  readonly outstandingLimitGbps: number | null;
  /** Achievable payload in Gb/s: `linkPayloadGbps`, or the outstanding-read limit if lower. */
  readonly payloadGbps: number;
  /** Achievable payload in GB/s (`payloadGbps` / 8). */
  readonly payloadGBps: number;
  /** Which limit applied: the link, or the outstanding reads over the round trip. */
  readonly limit: "link" | "outstanding-reads";
}

function oneOf(option: string, v: unknown, allowed: readonly number[]): number {
  if (typeof v !== "number" || !allowed.includes(v))
    throw new PcieThroughputError(option, `one of ${allowed.join(", ")}`, String(v));
  return v;
}

function bool(option: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw new PcieThroughputError(option, "a boolean", String(v));
  return v;
}

function inRange(option: string, v: unknown, min: number, max: number, int: boolean): number {
  if (
    typeof v !== "number" ||
    !Number.isFinite(v) ||
    v < min ||
    v > max ||
    (int && !Number.isInteger(v))
  )
    throw new PcieThroughputError(
      option,
      `${int ? "an integer" : "a number"} in [${min}, ${max}]`,
      String(v),
    );
  return v;
}

/**
 * Checks the options and fills in the defaults.
 *
 * @throws {@link PcieThroughputError} naming the first option out of range
 */
export function resolvePcieThroughputOptions(
  options: PcieThroughputOptions,
): ResolvedPcieThroughputOptions {
  const direction = options.direction ?? "write";
  if (direction !== "write" && direction !== "read")
    throw new PcieThroughputError("direction", `"write" or "read"`, String(direction));
  return {
    generation: oneOf("generation", options.generation, [1, 2, 3, 4, 5, 6]),
    width: oneOf("width", options.width, PCIE_WIDTHS),
    maxPayloadSize: oneOf("maxPayloadSize", options.maxPayloadSize ?? 256, SIZE_BYTES),
    maxReadRequestSize: oneOf("maxReadRequestSize", options.maxReadRequestSize ?? 512, SIZE_BYTES),
    readCompletionBoundary: oneOf(
      "readCompletionBoundary",
      options.readCompletionBoundary ?? 64,
      RCB_BYTES,
    ),
    address64: bool("address64", options.address64 ?? false),
    ecrc: bool("ecrc", options.ecrc ?? false),
    direction,
    acksPerTlp: inRange("acksPerTlp", options.acksPerTlp ?? 0, 0, 16, false),
    updateFcsPerTlp: inRange("updateFcsPerTlp", options.updateFcsPerTlp ?? 0, 0, 16, false),
    skpShare: inRange("skpShare", options.skpShare ?? 0, 0, 0.5, false),
    outstandingReads: inRange("outstandingReads", options.outstandingReads ?? 32, 1, 1024, true),
    roundTripNs: inRange("roundTripNs", options.roundTripNs ?? 1000, 1e-3, 1e9, false),
  };
}

/**
 * The throughput of one direction of a PCIe link (pcie.md §11).
 *
 * @throws {@link PcieThroughputError} naming the option out of range
 */
export function pcieThroughput(options: PcieThroughputOptions): PcieThroughput {
  const o = resolvePcieThroughputOptions(options);
  const gen = o.generation as PcieGeneration;
  const flitMode = gen === 6; // Gen6 in flit mode (§11.1 table, §11.2.3)
  // Raw rate R_G · W and B = R_G · W · e_G (§11.1 link rates, §11.2 first formula).
  const rawGbps = PCIE_GT_PER_S[gen] * o.width;
  const encodingEfficiency = PCIE_ENCODING_EFFICIENCY[gen];
  const encodedGbps = rawGbps * encodingEfficiency;
  // F: 8 B framing + sequence + LCRC per TLP at Gen1–5 (§7 rows 1–2); none in flit mode (§7, §11.2.3).
  const F = flitMode ? 0 : TLP_FRAMING_BYTES;
  // E: 4 B ECRC digest when TD = 1 (§11.2, §6).
  const E = o.ecrc ? 4 : 0;
  // DLLP bytes per data TLP in the data direction: 8 B per Ack/UpdateFC (§7 DLLP row, §11.2.1).
  const D = flitMode ? 0 : (o.acksPerTlp + o.updateFcsPerTlp) * DLLP_WIRE_BYTES;

  let payload: number; // payload bytes per unit (one write TLP, or one read request's completions)
  let tlpBytes: number; // bytes the data TLPs of that unit occupy
  let tlpCount: number; // data TLPs in that unit
  if (o.direction === "write") {
    // §11.2.1: P = MPS per TLP, H = 12 (32-bit) or 16 (64-bit); flit mode: 3-DW base header,
    // one more DW for the upper address bits (§11.2.3, §1.3).
    payload = o.maxPayloadSize;
    tlpBytes = payload + (o.address64 ? 16 : 12) + F + E;
    tlpCount = 1;
  } else {
    // §11.2.2: L = MRRS at an aligned address, completions of C = RCB bytes (§8.2),
    // n_cpl = ceil(((A mod C) + L) / C) with A mod C = 0, each with a 12-byte CplD header.
    payload = o.maxReadRequestSize;
    const C = o.readCompletionBoundary;
    tlpCount = Math.ceil(payload / C);
    tlpBytes = payload + tlpCount * (12 + F + E);
  }
  // Payload share of the TLP bytes: P / (P + H + F + E) (§11.2.1, §11.3) or
  // L / (L + n_cpl · (12 + F + E)) (§11.2.2).
  const tlpEfficiency = payload / tlpBytes;
  // DLLP share: D·n / (TLP bytes + D·n) at Gen1–5 (§11.2.1 "add 8 B per Ack/UpdateFC per TLP");
  // Gen6: the flit's 6 DLLP bytes of 256 (§7).
  const dllpBytes = D * tlpCount;
  const dllpShare = flitMode ? FLIT_DLLP_BYTES / FLIT_BYTES : dllpBytes / (tlpBytes + dllpBytes);
  // T = B · P / (P + H + F + E [+ DLLP]) · (1 − s) (§11.2.1, §11.2.2); flit mode:
  // T = B_flit · P / (P + H_flit [+ E]) with B_flit = B · 236/256 (§11.1 note, §11.2.3).
  const linkPayloadGbps = flitMode
    ? encodedGbps * (FLIT_TLP_BYTES / FLIT_BYTES) * (1 - o.skpShare) * tlpEfficiency
    : encodedGbps * (1 - o.skpShare) * (payload / (tlpBytes + dllpBytes));
  // Reads: T_read ≤ N_outstanding · L / RTT (§11.2.2); bytes/ns = GB/s, × 8 for Gb/s.
  const outstandingLimitGbps =
    o.direction === "read" ? ((o.outstandingReads * payload) / o.roundTripNs) * 8 : null;
  const tagBound = outstandingLimitGbps !== null && outstandingLimitGbps < linkPayloadGbps;
  const payloadGbps = tagBound ? outstandingLimitGbps : linkPayloadGbps;
  return {
    options: o,
    flitMode,
    rawGbps,
    encodingEfficiency,
    encodedGbps,
    tlpEfficiency,
    dllpShare,
    linkPayloadGbps,
    outstandingLimitGbps,
    payloadGbps,
    payloadGBps: payloadGbps / 8,
    limit: tagBound ? "outstanding-reads" : "link",
  };
}
