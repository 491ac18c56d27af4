/**
 * Typed errors shared by every RASHPA codec (packet, control-symbol, TLP and register codecs),
 * plus helpers that build the conventional field-error message and describe offending values.
 *
 * The byte offsets reported here count from the first byte of the encoded unit being decoded,
 * matching the MSB-first, big-endian numbering used by RapidIO 4.1 Part 6 §2 and the
 * PCI Express header conventions (see docs/reference/pcie.md §0, "Conventions").
 *
 * @module
 */

/** Optional location and diagnosis attached to a {@link CodecError}. */
export interface CodecErrorDetails {
  /** Byte offset (or, for {@link HexError}, character index) at which the problem was found. */
  offset?: number;
  /** Dotted path of the offending field, e.g. `"header.ftype"`. */
  path?: string;
  /** What the codec expected, e.g. `"0..15"` or `"4 bytes"`. */
  expected?: string;
  /** What it found instead, usually produced by {@link describeValue}. */
  found?: string;
}

/**
 * Base class of all codec errors. Carries the optional {@link CodecErrorDetails} as read-only
 * properties; `message` is always the complete human-readable message.
 *
 * @example
 * ```ts
 * try { decode(bytes); } catch (e) { if (e instanceof CodecError) console.log(e.path, e.offset); }
 * ```
 */
export class CodecError extends Error {
  /** Byte offset (or character index for {@link HexError}) of the problem, if known. */
  readonly offset: number | undefined;
  /** Dotted path of the offending field, if known. */
  readonly path: string | undefined;
  /** Description of the expected value, if known. */
  readonly expected: string | undefined;
  /** Description of the value actually found, if known. */
  readonly found: string | undefined;

  /**
   * @param message - the complete error message.
   * @param details - optional location and diagnosis.
   */
  constructor(message: string, details?: CodecErrorDetails) {
    super(message);
    this.name = "CodecError";
    this.offset = details?.offset;
    this.path = details?.path;
    this.expected = details?.expected;
    this.found = details?.found;
  }
}

/**
 * Thrown when bytes cannot be decoded: a field holds a reserved or out-of-range value, the input
 * is truncated, a CRC does not match, and so on.
 *
 * @example
 * ```ts
 * throw new DecodeError("truncated packet", { offset: 12, expected: "16 bytes", found: "12 bytes" });
 * ```
 */
export class DecodeError extends CodecError {
  /** Always `"DecodeError"`. */
  override readonly name = "DecodeError";

  /**
   * @param message - the complete error message.
   * @param details - optional location and diagnosis.
   */
  constructor(message: string, details?: CodecErrorDetails) {
    super(message, details);
  }
}

/**
 * Thrown when a value cannot be encoded: a field is out of range, of the wrong type, or the
 * combination of fields is not representable.
 *
 * @example
 * ```ts
 * throw encodeFieldError("header.length", "0..1023", describeValue(2000));
 * ```
 */
export class EncodeError extends CodecError {
  /** Always `"EncodeError"`. */
  override readonly name = "EncodeError";

  /**
   * @param message - the complete error message.
   * @param details - optional location and diagnosis.
   */
  constructor(message: string, details?: CodecErrorDetails) {
    super(message, details);
  }
}

/**
 * Thrown by {@link fromHex} for malformed hexadecimal text. `offset` is the character index
 * (not a byte offset) of the offending character.
 *
 * @example
 * ```ts
 * try { fromHex("12g4"); } catch (e) { (e as HexError).offset; } // 2
 * ```
 */
export class HexError extends CodecError {
  /** Always `"HexError"`. */
  override readonly name = "HexError";

  /**
   * @param message - the complete error message.
   * @param details - optional location (character index) and diagnosis.
   */
  constructor(message: string, details?: CodecErrorDetails) {
    super(message, details);
  }
}

/**
 * Builds the conventional field-error message: `"<path>" expected <expected>, got <found>`,
 * followed by ` at byte <offset>` (decimal) when an offset is given.
 *
 * @param path - dotted field path.
 * @param expected - description of the accepted values.
 * @param found - description of the offending value (see {@link describeValue}).
 * @param offset - optional byte offset of the field.
 * @returns the message text.
 * @example
 * ```ts
 * fieldMessage("hdr.tt", "0 or 1", "2 (0x2)", 1); // '"hdr.tt" expected 0 or 1, got 2 (0x2) at byte 1'
 * ```
 */
export function fieldMessage(
  path: string,
  expected: string,
  found: string,
  offset?: number,
): string {
  const base = `"${path}" expected ${expected}, got ${found}`;
  return offset === undefined ? base : `${base} at byte ${offset}`;
}

/**
 * Convenience constructor for a {@link DecodeError} about one field, with the message built by
 * {@link fieldMessage} and all details filled in.
 *
 * @param path - dotted field path.
 * @param expected - description of the accepted values.
 * @param found - description of the offending value.
 * @param offset - byte offset of the field in the decoded unit.
 * @returns the error (to be thrown by the caller).
 * @example
 * ```ts
 * throw decodeFieldError("ftype", "a defined ftype", describeValue(3), 1);
 * ```
 */
export function decodeFieldError(
  path: string,
  expected: string,
  found: string,
  offset: number,
): DecodeError {
  return new DecodeError(fieldMessage(path, expected, found, offset), {
    path,
    expected,
    found,
    offset,
  });
}

/**
 * Convenience constructor for an {@link EncodeError} about one field, with the message built by
 * {@link fieldMessage} and all details filled in.
 *
 * @param path - dotted field path.
 * @param expected - description of the accepted values.
 * @param found - description of the offending value.
 * @returns the error (to be thrown by the caller).
 * @example
 * ```ts
 * throw encodeFieldError("length", "1..1024", describeValue(0));
 * ```
 */
export function encodeFieldError(path: string, expected: string, found: string): EncodeError {
  return new EncodeError(fieldMessage(path, expected, found), { path, expected, found });
}

const MAX_DESCRIPTION = 60;

function clip(text: string): string {
  return text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1)}…`;
}

function describeNumber(v: number): string {
  if (Object.is(v, -0)) return "-0";
  if (Number.isSafeInteger(v)) {
    const hex = v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
    return `${v} (${hex})`;
  }
  return String(v);
}

function describeBigInt(v: bigint): string {
  const hex = v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
  const full = `${v}n (${hex})`;
  if (full.length <= MAX_DESCRIPTION) return full;
  const dec = `${v}n`;
  return dec.length <= MAX_DESCRIPTION ? dec : `${hex} (${hex.length - 2} hex digits)`;
}

function describeString(v: string): string {
  const full = JSON.stringify(v);
  if (full.length <= MAX_DESCRIPTION) return full;
  const suffix = ` (${v.length} chars)`;
  const room = MAX_DESCRIPTION - suffix.length - 2;
  const head = JSON.stringify(v.slice(0, room)).slice(0, -1).slice(0, room);
  return `${head}…"${suffix}`;
}

function describeObject(v: object): string {
  if (v instanceof Uint8Array) return `<${v.length} ${v.length === 1 ? "byte" : "bytes"}>`;
  if (ArrayBuffer.isView(v)) {
    const name = v.constructor.name || "ArrayBufferView";
    return `<${name} ${v.byteLength} bytes>`;
  }
  if (v instanceof ArrayBuffer) return `<ArrayBuffer ${v.byteLength} bytes>`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
  if (v instanceof Map) return `Map(${v.size})`;
  if (v instanceof Set) return `Set(${v.size})`;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== null && proto !== Object.prototype) {
    const ctor = (v as { constructor?: unknown }).constructor;
    const name = typeof ctor === "function" && ctor.name !== "" ? ctor.name : "object";
    return `${name} object`;
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return "{}";
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] ?? "";
    const piece = (i === 0 ? "" : ", ") + key;
    if (out.length + piece.length + 3 > MAX_DESCRIPTION) return `${out}, …}`;
    out += piece;
  }
  return `${out}}`;
}

/**
 * Describes any JavaScript value briefly for an error message. Integers are shown in decimal and
 * hexadecimal (`70000 (0x11170)`), bigints with an `n` suffix and hexadecimal (`5n (0x5)`),
 * strings as JSON, `Uint8Array`s as `<N bytes>`, other objects by kind. Never throws and never
 * returns more than 60 characters.
 *
 * @param v - any value.
 * @returns a short description.
 * @example
 * ```ts
 * describeValue(70000);                 // "70000 (0x11170)"
 * describeValue(255n);                  // "255n (0xff)"
 * describeValue("abc");                 // '"abc"'
 * describeValue(new Uint8Array(4));     // "<4 bytes>"
 * ```
 */
export function describeValue(v: unknown): string {
  try {
    switch (typeof v) {
      case "number":
        return clip(describeNumber(v));
      case "bigint":
        return clip(describeBigInt(v));
      case "string":
        return clip(describeString(v));
      case "boolean":
        return v ? "true" : "false";
      case "undefined":
        return "undefined";
      case "symbol":
        return clip(v.toString());
      case "function":
        return clip(`function ${v.name === "" ? "(anonymous)" : v.name}`);
      case "object":
        return v === null ? "null" : clip(describeObject(v));
      default:
        return "<unknown value>";
    }
  } catch {
    return "<unprintable value>";
  }
}
