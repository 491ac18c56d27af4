/**
 * MSB-first bit fields over a `DataView`.
 *
 * Bit numbering follows the RapidIO convention ("big-endian with bit 0 the most significant
 * bit", RapidIO 4.1 Part 1 §5.4; packet and control-symbol fields are numbered from bit 0 in
 * Part 6 §2 and §3) and the PCIe wire order of header DWs (PCI Express Base Spec §2.2, see
 * docs/reference/pcie.md §0 "Conventions": each DW big-endian, bit 31 of DW n is the MSB of
 * byte 4n). Bit offset 0 is therefore the most significant bit of the byte at `byteOffset` 0 of
 * the view, and a field spanning several bytes is read big-endian.
 *
 * All functions work byte-wise (or with one aligned `getUint8/16/32` / `getBigUint64` call) and
 * allocate nothing for widths up to 32 bits.
 *
 * @module
 */

/** 2^n for n = 0..32, exact. */
const POW2: readonly number[] = Array.from({ length: 33 }, (_, n) => 2 ** n);

function checkRange(
  view: DataView,
  bitOffset: number,
  width: number,
  maxWidth: number,
  fn: string,
): void {
  if (!Number.isInteger(width) || width < 1 || width > maxWidth) {
    throw new RangeError(`${fn}: width must be an integer 1..${maxWidth}, got ${String(width)}`);
  }
  if (!Number.isInteger(bitOffset) || bitOffset < 0) {
    throw new RangeError(
      `${fn}: bitOffset must be a non-negative integer, got ${String(bitOffset)}`,
    );
  }
  const totalBits = view.byteLength * 8;
  if (bitOffset + width > totalBits) {
    throw new RangeError(
      `${fn}: bits ${bitOffset}..${bitOffset + width - 1} are out of bounds ` +
        `for a ${view.byteLength}-byte view (${totalBits} bits)`,
    );
  }
}

/**
 * Returns `2^width − 1` as an unsigned number.
 *
 * @param width - field width, integer 0..32.
 * @returns the mask with the low `width` bits set.
 * @throws RangeError if `width` is not an integer in 0..32.
 * @example
 * ```ts
 * maskOf(5);  // 0x1f
 * maskOf(32); // 0xffffffff
 * ```
 */
export function maskOf(width: number): number {
  if (!Number.isInteger(width) || width < 0 || width > 32) {
    throw new RangeError(`maskOf: width must be an integer 0..32, got ${String(width)}`);
  }
  return (POW2[width] as number) - 1;
}

/**
 * Reads an unsigned MSB-first bit field of 1..32 bits.
 *
 * @param view - the bytes to read from.
 * @param bitOffset - bit index of the field's most significant bit (0 = MSB of byte 0).
 * @param width - field width in bits, 1..32.
 * @returns the field value, 0..2^width − 1.
 * @throws RangeError if the width is invalid or the bit range lies outside the view.
 * @example
 * ```ts
 * const v = new DataView(Uint8Array.of(0b1010_1100, 0xff).buffer);
 * readBits(v, 2, 4); // 0b1011
 * ```
 */
export function readBits(view: DataView, bitOffset: number, width: number): number {
  checkRange(view, bitOffset, width, 32, "readBits");
  const lead = bitOffset % 8;
  let byte = (bitOffset - lead) / 8;
  if (lead === 0) {
    if (width === 8) return view.getUint8(byte);
    if (width === 16) return view.getUint16(byte);
    if (width === 32) return view.getUint32(byte);
  }
  let acc = view.getUint8(byte) & (0xff >>> lead);
  let bits = 8 - lead;
  while (bits < width) {
    acc = acc * 256 + view.getUint8(++byte);
    bits += 8;
  }
  const extra = bits - width;
  // acc has at most 39 significant bits; `>>>` is exact while it fits in 32.
  return bits <= 32 ? acc >>> extra : Math.floor(acc / (POW2[extra] as number));
}

/**
 * Writes an unsigned MSB-first bit field of 1..32 bits, preserving every other bit of the view.
 *
 * @param view - the bytes to modify.
 * @param bitOffset - bit index of the field's most significant bit (0 = MSB of byte 0).
 * @param width - field width in bits, 1..32.
 * @param value - integer 0..2^width − 1.
 * @throws RangeError if the width is invalid, the bit range lies outside the view, or the value
 *   is not an integer that fits in `width` bits.
 * @example
 * ```ts
 * const v = new DataView(new ArrayBuffer(2));
 * writeBits(v, 4, 8, 0xab); // bytes 0x0a 0xb0
 * ```
 */
export function writeBits(view: DataView, bitOffset: number, width: number, value: number): void {
  checkRange(view, bitOffset, width, 32, "writeBits");
  if (!Number.isInteger(value) || value < 0 || value > (POW2[width] as number) - 1) {
    throw new RangeError(
      `writeBits: value ${String(value)} does not fit in an unsigned ${width}-bit field`,
    );
  }
  const lead = bitOffset % 8;
  const first = (bitOffset - lead) / 8;
  if (lead === 0) {
    if (width === 8) return view.setUint8(first, value);
    if (width === 16) return view.setUint16(first, value);
    if (width === 32) return view.setUint32(first, value);
  }
  const end = bitOffset + width;
  let byte = (end - 1 - ((end - 1) % 8)) / 8;
  let shift = byte * 8 + 8 - end; // unused low bits of the last byte
  let remaining = width;
  let v = value;
  while (remaining > 0) {
    const avail = 8 - shift;
    const n = remaining < avail ? remaining : avail;
    const mask = ((1 << n) - 1) << shift;
    view.setUint8(byte, (view.getUint8(byte) & ~mask) | ((v << shift) & mask));
    v = v >>> n;
    remaining -= n;
    shift = 0;
    byte--;
  }
}

/**
 * Reads an unsigned MSB-first bit field of 1..64 bits as a bigint.
 *
 * @param view - the bytes to read from.
 * @param bitOffset - bit index of the field's most significant bit.
 * @param width - field width in bits, 1..64.
 * @returns the field value, 0n..2^width − 1.
 * @throws RangeError if the width is invalid or the bit range lies outside the view.
 * @example
 * ```ts
 * const v = new DataView(new Uint8Array(8).fill(0xff).buffer);
 * readBitsBig(v, 0, 64); // 0xffffffffffffffffn
 * ```
 */
export function readBitsBig(view: DataView, bitOffset: number, width: number): bigint {
  checkRange(view, bitOffset, width, 64, "readBitsBig");
  if (width <= 32) return BigInt(readBits(view, bitOffset, width));
  if (width === 64 && bitOffset % 8 === 0) return view.getBigUint64(bitOffset / 8);
  const hi = readBits(view, bitOffset, width - 32);
  const lo = readBits(view, bitOffset + width - 32, 32);
  // Below 2^53 the value is exact as a number: one bigint made instead of four.
  if (hi < 0x20_0000) return BigInt(hi * 0x1_0000_0000 + lo);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * Writes an unsigned MSB-first bit field of 1..64 bits from a bigint, preserving every other bit.
 *
 * @param view - the bytes to modify.
 * @param bitOffset - bit index of the field's most significant bit.
 * @param width - field width in bits, 1..64.
 * @param value - 0n..2^width − 1.
 * @throws RangeError if the width is invalid, the bit range lies outside the view, or the value
 *   is not a bigint that fits in `width` bits.
 * @example
 * ```ts
 * const v = new DataView(new ArrayBuffer(8));
 * writeBitsBig(v, 6, 34, 0x3_0000_0001n);
 * ```
 */
export function writeBitsBig(
  view: DataView,
  bitOffset: number,
  width: number,
  value: bigint,
): void {
  checkRange(view, bitOffset, width, 64, "writeBitsBig");
  if (typeof value !== "bigint" || value < 0n || value >= BIG_POW2[width]!) {
    throw new RangeError(
      `writeBitsBig: value ${String(value)} does not fit in an unsigned ${width}-bit field`,
    );
  }
  if (width <= 32) {
    writeBits(view, bitOffset, width, Number(value));
    return;
  }
  if (width === 64 && bitOffset % 8 === 0) {
    view.setBigUint64(bitOffset / 8, value);
    return;
  }
  if (value <= BIG_SAFE) {
    // Exact as a number: the halves without making a bigint.
    const n = Number(value);
    writeBits(view, bitOffset, width - 32, Math.floor(n / 0x1_0000_0000));
    writeBits(view, bitOffset + width - 32, 32, n >>> 0);
    return;
  }
  writeBits(view, bitOffset, width - 32, Number(value >> 32n));
  writeBits(view, bitOffset + width - 32, 32, Number(value & 0xffff_ffffn));
}

/** 2^w for w = 0 … 64 (the bound of a w-bit field), made once. */
const BIG_POW2: readonly bigint[] = Array.from({ length: 65 }, (_, w) => 1n << BigInt(w));
/** The largest bigint that converts to a number exactly. */
const BIG_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Reads a bit field of 1..64 bits, returning a number for widths up to 32 and a bigint above.
 *
 * @param view - the bytes to read from.
 * @param bitOffset - bit index of the field's most significant bit.
 * @param width - field width in bits, 1..64.
 * @returns the field value (`number` if width ≤ 32, otherwise `bigint`).
 * @throws RangeError if the width is invalid or the bit range lies outside the view.
 * @example
 * ```ts
 * readField(view, 0, 12); // number
 * readField(view, 0, 34); // bigint
 * ```
 */
export function readField(view: DataView, bitOffset: number, width: number): number | bigint {
  return width <= 32 ? readBits(view, bitOffset, width) : readBitsBig(view, bitOffset, width);
}

/**
 * Writes a bit field of 1..64 bits from a number or bigint. Either type is accepted for any
 * width as long as the value is a non-negative integer that fits (numbers must additionally be
 * safe integers).
 *
 * @param view - the bytes to modify.
 * @param bitOffset - bit index of the field's most significant bit.
 * @param width - field width in bits, 1..64.
 * @param value - the field value.
 * @throws RangeError if the width is invalid, the bit range lies outside the view, or the value
 *   does not fit.
 * @example
 * ```ts
 * writeField(view, 0, 34, 0x2_0000_0000n);
 * writeField(view, 34, 5, 17);
 * ```
 */
export function writeField(
  view: DataView,
  bitOffset: number,
  width: number,
  value: number | bigint,
): void {
  if (typeof value === "bigint") {
    writeBitsBig(view, bitOffset, width, value);
  } else if (width <= 32) {
    writeBits(view, bitOffset, width, value);
  } else {
    if (!Number.isSafeInteger(value)) {
      checkRange(view, bitOffset, width, 64, "writeField");
      throw new RangeError(
        `writeField: value ${String(value)} is not a safe integer; pass a bigint for ${width}-bit fields`,
      );
    }
    writeBitsBig(view, bitOffset, width, BigInt(value));
  }
}
