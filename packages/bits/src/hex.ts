/**
 * Hexadecimal text helpers for test vectors, golden files and diagnostics.
 *
 * Byte dumps are in transmission order, the order in which RapidIO 4.1 Part 6 §2 and the PCIe
 * conventions of docs/reference/pcie.md §0 number the bytes of a packet (byte 0 first);
 * `hexNumber` renders field values the way the specifications write them (`0x` + hexadecimal,
 * RapidIO 4.1 Part 1 §1.6 "Conventions").
 *
 * @module
 */

import { HexError } from "./errors.js";

const HEX_LOWER: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, "0"),
);
const HEX_UPPER: readonly string[] = HEX_LOWER.map((s) => s.toUpperCase());

/** Nibble value of each ASCII code, −1 for non-hex characters. */
const NIBBLE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) table[0x30 + i] = i;
  for (let i = 0; i < 6; i++) {
    table[0x41 + i] = 10 + i;
    table[0x61 + i] = 10 + i;
  }
  return table;
})();

/**
 * Formats bytes as hexadecimal text, two digits per byte.
 *
 * @param bytes - the bytes to format.
 * @param options - `separator` between bytes (default `""`) and `upper` for upper-case digits.
 * @returns the text, e.g. `"0a1bff"`.
 * @example
 * ```ts
 * toHex(Uint8Array.of(0x0a, 0xff));                                   // "0aff"
 * toHex(Uint8Array.of(0x0a, 0xff), { separator: " ", upper: true }); // "0A FF"
 * ```
 */
export function toHex(
  bytes: Uint8Array,
  options?: { separator?: string; upper?: boolean },
): string {
  const table = options?.upper === true ? HEX_UPPER : HEX_LOWER;
  const separator = options?.separator ?? "";
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    if (i !== 0 && separator !== "") out += separator;
    out += table[bytes[i]!]!;
  }
  return out;
}

function isSeparator(code: number): boolean {
  // whitespace (space, tab, LF, VT, FF, CR), '_' and ':'
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x5f || code === 0x3a;
}

function describeChar(text: string, index: number): string {
  const cp = text.codePointAt(index) ?? 0;
  return cp >= 0x20 && cp !== 0x7f
    ? String.fromCodePoint(cp)
    : `\\u${cp.toString(16).padStart(4, "0")}`;
}

/**
 * Parses hexadecimal text into bytes. Accepts an optional `0x`/`0X` prefix (after optional
 * leading whitespace), upper- or lower-case digits, and whitespace, `_` or `:` separators
 * between bytes (for example `"0x0a1b_2c3d"`, `"0a:1b:2c"`, `"0a 1b\n2c"`). A separator between
 * the two digits of one byte is rejected, as is an odd number of digits.
 *
 * @param text - the hexadecimal text.
 * @returns the parsed bytes (empty for empty input).
 * @throws HexError with `offset` = character index, for an invalid character
 *   (`invalid hex digit 'g' at character 5`), a separator inside a byte, or an odd digit count.
 * @example
 * ```ts
 * fromHex("0xdead_beef"); // Uint8Array [0xde, 0xad, 0xbe, 0xef]
 * ```
 */
export function fromHex(text: string): Uint8Array {
  const length = text.length;
  let i = 0;
  while (i < length && isSeparator(text.charCodeAt(i)) && text.charCodeAt(i) <= 0x20) i++;
  if (text.charCodeAt(i) === 0x30 && (text.charCodeAt(i + 1) | 0x20) === 0x78) i += 2;
  const out = new Uint8Array(length >>> 1);
  let count = 0;
  let high = -1; // pending high nibble, or −1
  let highIndex = 0;
  for (; i < length; i++) {
    const code = text.charCodeAt(i);
    const nibble = code < 128 ? NIBBLE[code]! : -1;
    if (nibble >= 0) {
      if (high < 0) {
        high = nibble;
        highIndex = i;
      } else {
        out[count++] = (high << 4) | nibble;
        high = -1;
      }
    } else if (isSeparator(code)) {
      if (high >= 0) {
        throw new HexError(`separator '${describeChar(text, i)}' inside a byte at character ${i}`, {
          offset: i,
          expected: "hex digit",
          found: `'${describeChar(text, i)}'`,
        });
      }
    } else {
      const ch = describeChar(text, i);
      throw new HexError(`invalid hex digit '${ch}' at character ${i}`, {
        offset: i,
        expected: "hex digit",
        found: `'${ch}'`,
      });
    }
  }
  if (high >= 0) {
    throw new HexError(
      `odd number of hex digits: unpaired digit '${text.charAt(highIndex)}' at character ${highIndex}`,
      { offset: highIndex, expected: "an even number of hex digits", found: "an odd number" },
    );
  }
  return count === out.length ? out : out.slice(0, count);
}

/**
 * Formats an unsigned integer as `0x` + zero-padded lower-case hexadecimal with `ceil(bits / 4)`
 * digits.
 *
 * @param value - a non-negative integer (number or bigint) below 2^bits.
 * @param bits - the field width in bits (positive integer).
 * @returns e.g. `"0x00ff"` for `hexNumber(255, 16)`.
 * @throws RangeError if `bits` is not a positive integer or `value` is negative, not an integer,
 *   or does not fit in `bits` bits.
 * @example
 * ```ts
 * hexNumber(5, 5);                   // "0x05"
 * hexNumber(0x1_0000_0000n, 34);     // "0x100000000"
 * ```
 */
export function hexNumber(value: number | bigint, bits: number): string {
  if (!Number.isInteger(bits) || bits < 1) {
    throw new RangeError(`hexNumber: bits must be a positive integer, got ${String(bits)}`);
  }
  const fits =
    typeof value === "bigint"
      ? value >= 0n && value >> BigInt(bits) === 0n
      : Number.isSafeInteger(value) && value >= 0 && value < 2 ** bits;
  if (!fits) {
    throw new RangeError(
      `hexNumber: ${String(value)} is not an unsigned integer that fits in ${bits} bits`,
    );
  }
  return `0x${value.toString(16).padStart(Math.ceil(bits / 4), "0")}`;
}
