/**
 * Packet sequence numbers: 24 bits, modulo 2^24, compared with serial arithmetic
 * (docs/reference/roce.md §4; Linux rxe `BTH_PSN_MASK`, `psn_compare()` in `rxe_verbs.h`).
 *
 * @module
 */

/** Mask of a 24-bit PSN (`BTH_PSN_MASK`, docs/reference/roce.md §2.1). */
export const PSN_MASK = 0xffffff;

/**
 * `psn + n` modulo 2^24 (docs/reference/roce.md §4: `psn = (psn + 1) & 0xFFFFFF`).
 *
 * @example
 * ```ts
 * psnAdd(0xffffff, 1); // 0
 * ```
 */
export function psnAdd(psn: number, n: number): number {
  return (psn + n) & PSN_MASK;
}

/**
 * 24-bit serial comparison, `(s32)((a − b) << 8)` of rxe `psn_compare()`
 * (docs/reference/roce.md §4): positive when `a` is after `b`, 0 when equal, negative before.
 *
 * @example
 * ```ts
 * psnCompare(0, 0xffffff) > 0; // true: 0 follows 0xffffff
 * ```
 */
export function psnCompare(a: number, b: number): number {
  return ((a - b) << 8) >> 8;
}
