/**
 * The MWr TLPs of one CDMA transfer in closed form, for the emulator's bulk fast path: inside
 * one 4 KiB page a write of `n` bytes at `address` is cut by `planWrite` (pcie.md §8.1) into
 * TLPs of MPS bytes, the first one starting off its double-word, and a last one with the rest
 * — so the link sees one run of equal TLPs and a single last one.
 *
 * @module
 */

/** Runs of equal MWr TLPs of one transfer (see {@link mwrRuns}). */
export interface MwrRuns {
  /** TLPs carrying MPS bytes of payload (all but the last). */
  full: number;
  /** Their payload on the wire: MPS. */
  fullBytes: number;
  /** Payload of the last TLP on the wire (whole double-words, 4 … MPS). */
  lastBytes: number;
}

/** A fresh {@link MwrRuns} to reuse. */
export function emptyMwrRuns(): MwrRuns {
  return { full: 0, fullBytes: 0, lastBytes: 0 };
}

/**
 * The TLP runs of a write of `n` bytes (1 ≤ n, not crossing a 4 KiB page) at `address` with
 * MPS `mps`: `count = ⌈(address mod 4 + n) / mps⌉` TLPs, `count − 1` of `mps` bytes and a last
 * one of `⌈(address mod 4 + n − (count − 1) · mps) / 4⌉` double-words. Equal to what
 * `planWrite(address, n, mps)` gives TLP by TLP (property test).
 *
 * @param address - byte address, a safe integer
 * @param n - bytes, ≥ 1, within the page of `address`
 * @param mps - max payload size in bytes
 * @param out - the object to fill (no allocation)
 * @returns `out`
 */
export function mwrRuns(address: number, n: number, mps: number, out: MwrRuns): MwrRuns {
  const total = (address % 4) + n;
  const full = Math.ceil(total / mps) - 1;
  out.full = full;
  out.fullBytes = mps;
  out.lastBytes = Math.ceil((total - full * mps) / 4) * 4;
  return out;
}
