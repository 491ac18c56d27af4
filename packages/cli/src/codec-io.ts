/**
 * The reference side of `rashpa decode`, `vectors` and `conform`: a whole byte string decoded
 * by the generated codec (trailing bytes are an error, as in `rashpa decode`), and the JSON
 * shape of codec errors printed by `vectors --invalid` and `conform`.
 *
 * @module
 */
import { CodecError, DecodeError, valueToJson } from "@rashpa/bits";
import type { AnyFormatInfo, JsonValue } from "@rashpa/bits";

/** A value decoded from a byte string, and the bytes it took. */
export interface Decoded {
  /** The decoded value. */
  readonly value: unknown;
  /** Bytes the value takes (`format.byteLength(value)`). */
  readonly used: number;
}

/**
 * Decodes one value from the start of `bytes` and reports the bytes it takes.
 *
 * @throws DecodeError (or another `CodecError`) from the generated decoder
 */
export function decodePrefix(format: AnyFormatInfo, bytes: Uint8Array): Decoded {
  const value: unknown = format.decode(bytes);
  return { value, used: format.byteLength(value) };
}

/** What the reference decoder makes of a whole byte string. */
export type Reference =
  | {
      /** The bytes are exactly one valid value. */
      readonly ok: true;
      /** The value. */
      readonly value: unknown;
      /** Its JSON shape (what `rashpa decode` prints). */
      readonly json: JsonValue;
    }
  | {
      /** The reference decoder rejects the bytes. */
      readonly ok: false;
      /** Why. */
      readonly error: CodecError;
    };

/**
 * Runs the reference decoder on a whole byte string: a value that does not take every byte is
 * rejected with a `DecodeError` at the first unused byte, as `rashpa decode` does without
 * `--allow-trailing`.
 */
export function referenceDecode(format: AnyFormatInfo, bytes: Uint8Array): Reference {
  let decoded: Decoded;
  try {
    decoded = decodePrefix(format, bytes);
  } catch (e) {
    if (e instanceof CodecError) return { ok: false, error: e };
    throw e;
  }
  if (decoded.used !== bytes.length)
    return {
      ok: false,
      error: new DecodeError(
        `"${format.id}" expected ${decoded.used} bytes, got ${bytes.length} at byte ${decoded.used}`,
        {
          offset: decoded.used,
          expected: `${decoded.used} bytes`,
          found: `${bytes.length} bytes`,
        },
      ),
    };
  return { ok: true, value: decoded.value, json: valueToJson(decoded.value) };
}

/** The JSON shape of a codec error (`vectors --invalid`, `conform`). */
export interface ErrorJson {
  /** Error class name, e.g. `DecodeError`. */
  readonly name: string;
  /** The complete message. */
  readonly message: string;
  /** Byte offset of the problem, or `null` when the codec does not know it. */
  readonly offset: number | null;
  /** Dotted path of the offending field, or `null`. */
  readonly field: string | null;
}

/** The JSON shape of a codec error. */
export function errorJson(e: CodecError): ErrorJson {
  return { name: e.name, message: e.message, offset: e.offset ?? null, field: e.path ?? null };
}
