/**
 * The runtime side of generated codecs: the {@link FormatInfo} record every generated format
 * exports, JSON conversion of field values, and the small helpers generated code calls for
 * errors. Generated code imports only from this package.
 *
 * JSON shape (stable; the `rashpa` CLI prints and reads it):
 * - fields of at most 32 bits: numbers; wider fields (`bigint` in TypeScript): strings `"0x…"`;
 * - `bool` fields: `true`/`false`; `enum` fields: the member name;
 * - `bytes` fields and payloads: lower-case hex strings;
 * - variant tags: the case name.
 * On input, integers may also be given as decimal or `0x` strings, enum fields as their
 * numeric value, bool fields as 0/1 and hex strings may contain spaces.
 *
 * @module
 */
import { describeValue, EncodeError, DecodeError, fieldMessage } from "./errors.js";
import { fromHex, toHex } from "./hex.js";

/** A JSON value. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Field types of the spec language (see `specs/README.md`). */
export type FieldKind = "uint" | "bool" | "enum" | "bytes" | "payload";

/** Metadata of one value field of a format variant. */
export interface FieldInfo {
  /** Property name in values and JSON. */
  readonly name: string;
  /** Field type, or `payload` for a variable-length payload. */
  readonly kind: FieldKind;
  /** Width in bits (0 for payloads, whose length varies). */
  readonly bits: number;
  /** Enum members (name → value), for `enum` fields. */
  readonly enum?: Readonly<Record<string, number>>;
  /** Description from the spec; empty when it has none. */
  readonly doc: string;
}

/** One variant (resolved layout) of a format. */
export interface VariantInfo {
  /** Case names joined with `-` (empty for formats without variants). */
  readonly name: string;
  /** Value fields of this variant, in wire order (reserved, constant and tag fields excluded). */
  readonly fields: readonly FieldInfo[];
  /** Tag properties and their values for this variant. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Everything a generated format exports, gathered in one record so that tools (the CLI,
 * law tests, benchmarks) handle every format alike.
 *
 * @typeParam T - the decoded value type
 */
export interface FormatInfo<T> {
  /** Global id, e.g. `rashpa.btd`. */
  readonly id: string;
  /** Human-readable title from the spec, e.g. `Block Transfer Descriptor (BTD)`. */
  readonly title: string;
  /** Description from the spec; empty when it has none. */
  readonly doc: string;
  /** Spec file it was generated from, relative to the repository root. */
  readonly spec: string;
  /** Byte size when the layout does not vary, else `undefined`. */
  readonly fixedBytes: number | undefined;
  /** Every variant (a format without variants has one, named ""). */
  readonly variants: readonly VariantInfo[];
  /** Decodes one value at `offset` (bytes after it are ignored). @throws DecodeError */
  decode(bytes: Uint8Array, offset?: number): T;
  /** Encodes a value into a new array. @throws EncodeError */
  encode(value: T): Uint8Array;
  /** Encodes a value at `offset` of `view`; returns the bytes written. @throws EncodeError */
  encodeInto(view: DataView, offset: number, value: T): number;
  /** Bytes `encode(value)` produces. @throws EncodeError */
  byteLength(value: T): number;
  /** Whether `value` is a valid value of the format. */
  is(value: unknown): value is T;
  /** Converts the JSON shape into a value. @throws EncodeError naming the offending path */
  fromJson(json: unknown): T;
  /** Index in {@link variants} of the variant a valid value takes. */
  variantOf(value: T): number;
}

/** Any generated format, whatever its value type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFormatInfo = FormatInfo<any>;

/**
 * Converts a decoded value to the JSON shape (see the module comment).
 *
 * @example
 * ```ts
 * valueToJson({ size: 4, daddr: 0x1000n, data: new Uint8Array([1, 2]) }); // { size: 4, daddr: "0x1000", data: "0102" }
 * ```
 */
export function valueToJson(value: unknown): JsonValue {
  if (typeof value === "bigint") return `0x${value.toString(16)}`;
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(valueToJson);
  if (value !== null && typeof value === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = valueToJson(v);
    return out;
  }
  if (value === undefined) return null;
  return value as JsonValue;
}

/** Error thrown by the JSON readers below. */
function jsonError(path: string, expected: string, found: unknown): EncodeError {
  return new EncodeError(fieldMessage(path, expected, describeValue(found)), {
    path,
    expected,
    found: describeValue(found),
  });
}

const INT_TEXT = /^(0x[0-9a-f]+|0b[01]+|[0-9]+)$/i;

/** Reads a JSON integer (number, decimal or `0x`/`0b` string) as a bigint; `undefined` if not one. */
function jsonInteger(j: unknown): bigint | undefined {
  if (typeof j === "number") return Number.isSafeInteger(j) ? BigInt(j) : undefined;
  if (typeof j === "string") {
    const s = j.trim().replace(/_/g, "");
    return INT_TEXT.test(s) ? BigInt(s) : undefined;
  }
  return undefined;
}

/**
 * Reads an unsigned field of at most 32 bits from JSON.
 * @throws EncodeError naming `path` when `j` is not an integer in range
 */
export function jsonUint(j: unknown, path: string, bits: number): number {
  const v = jsonInteger(j);
  if (v === undefined || v < 0n || v >= 1n << BigInt(bits))
    throw jsonError(path, `an integer 0..${2 ** bits - 1}`, j);
  return Number(v);
}

/**
 * Reads an unsigned field of 33..64 bits from JSON.
 * @throws EncodeError naming `path` when `j` is not an integer in range
 */
export function jsonBigUint(j: unknown, path: string, bits: number): bigint {
  const v = jsonInteger(j);
  const max = (1n << BigInt(bits)) - 1n;
  if (v === undefined || v < 0n || v > max)
    throw jsonError(path, `an integer 0..0x${max.toString(16)}`, j);
  return v;
}

/**
 * Reads a bool field from JSON (`true`/`false`, or 0/1).
 * @throws EncodeError naming `path`
 */
export function jsonBool(j: unknown, path: string): boolean {
  if (typeof j === "boolean") return j;
  if (j === 0 || j === 1) return j === 1;
  throw jsonError(path, "true or false", j);
}

/**
 * Reads an enum field from JSON: a member name, or its numeric value.
 * @param names - member names indexed by value (holes for unused values)
 * @throws EncodeError naming `path` and listing the members
 */
export function jsonEnum<N extends string>(
  j: unknown,
  path: string,
  names: readonly (N | undefined)[],
): N {
  if (typeof j === "string") {
    const found = names.find((n) => n === j);
    if (found !== undefined) return found;
  } else if (typeof j === "number" && Number.isInteger(j) && j >= 0 && j < names.length) {
    const n = names[j];
    if (n !== undefined) return n;
  }
  throw jsonError(path, `one of ${names.filter((n) => n !== undefined).join(", ")}`, j);
}

/**
 * Reads a byte string from JSON hex (`length`: exact size, or `undefined` for any size).
 * @throws EncodeError naming `path`
 */
export function jsonBytes(j: unknown, path: string, length: number | undefined): Uint8Array {
  let bytes: Uint8Array | undefined;
  if (typeof j === "string") {
    try {
      bytes = fromHex(j);
    } catch {
      bytes = undefined;
    }
  }
  if (bytes === undefined || (length !== undefined && bytes.length !== length))
    throw jsonError(
      path,
      length === undefined ? "a hex string" : `a hex string of ${length} bytes`,
      j,
    );
  return bytes;
}

/**
 * Reads the JSON object of a format value.
 * @throws EncodeError when `j` is not an object
 */
export function jsonObject(j: unknown, path: string): Record<string, unknown> {
  if (j === null || typeof j !== "object" || Array.isArray(j))
    throw jsonError(path, "an object", j);
  return j as Record<string, unknown>;
}

/**
 * The error generated decoders throw when the input ends early.
 * @param path - field where the missing bytes start
 * @param need - bytes needed from `offset`
 * @param have - bytes available from `offset`
 */
export function truncatedError(
  path: string,
  need: number,
  have: number,
  offset: number,
): DecodeError {
  const expected = `${need} byte${need === 1 ? "" : "s"}`;
  const found = `${Math.max(have, 0)}`;
  return new DecodeError(fieldMessage(path, expected, found, offset), {
    path,
    expected,
    found,
    offset,
  });
}

let lastBytes: Uint8Array | undefined;
let lastView: DataView | undefined;

/**
 * A `DataView` over exactly the bytes of `bytes` (used by generated decoders). The view of the
 * last array asked for is kept, so a decoder called again and again on the same buffer (a
 * receive buffer, a wire buffer) makes no new view.
 *
 * @param bytes - the input
 * @returns a view of `bytes.buffer` from `bytes.byteOffset`, `bytes.byteLength` long
 */
export function dataViewOf(bytes: Uint8Array): DataView {
  if (bytes === lastBytes && lastView!.byteLength === bytes.byteLength) return lastView!;
  lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  lastBytes = bytes;
  return lastView;
}

let lastWriteView: DataView | undefined;
let lastWriteBytes: Uint8Array | undefined;

/**
 * Copies `src` into `view` at `offset` (used by generated encoders for bytes fields and payloads).
 * The byte array over the last view written to is kept, so encoding again and again into the
 * same view (a wire buffer, {@link encodeScratch}) makes no new array per payload.
 */
export function writeBytes(view: DataView, offset: number, src: Uint8Array): void {
  if (src.length <= 32) {
    for (let i = 0; i < src.length; i++) view.setUint8(offset + i, src[i]!);
    return;
  }
  if (view !== lastWriteView) {
    lastWriteBytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    lastWriteView = view;
  }
  lastWriteBytes!.set(src, offset);
}

let scratchBytes = new Uint8Array(512);
let scratchView = new DataView(scratchBytes.buffer);

/**
 * A shared view of at least `size` bytes that generated `encodeX` functions write into before
 * {@link takeScratch} copies the bytes out: a `DataView` over each new result array would cost
 * more than the encoding itself. Valid until the next call; never hand it out.
 *
 * @param size - bytes needed
 * @returns the scratch view (grown when needed)
 */
export function encodeScratch(size: number): DataView {
  if (size > scratchBytes.length) {
    scratchBytes = new Uint8Array(Math.max(size, 2 * scratchBytes.length));
    scratchView = new DataView(scratchBytes.buffer);
  }
  return scratchView;
}

/**
 * A new array holding the first `size` bytes of the scratch view ({@link encodeScratch}).
 *
 * @param size - bytes to take
 * @returns the new array
 */
export function takeScratch(size: number): Uint8Array {
  const out = new Uint8Array(size);
  if (size <= 64) for (let i = 0; i < size; i++) out[i] = scratchBytes[i]!;
  else out.set(scratchBytes.subarray(0, size));
  return out;
}
