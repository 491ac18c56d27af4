/**
 * The first field where an implementation's JSON answer differs from the reference value, for
 * `rashpa conform`. The comparison follows the reference value's types and accepts every
 * spelling `rashpa encode` reads (`@rashpa/bits` format.ts): integers as numbers or decimal /
 * `0x` strings, bools as 0/1, byte strings in any hex case with separators.
 *
 * @module
 */
import { fromHex, toHex, valueToJson } from "@rashpa/bits";
import type { JsonValue } from "@rashpa/bits";

/** Where an answer differs from the reference. */
export interface Difference {
  /** Dotted path of the field (`""` for the whole answer). */
  readonly path: string;
  /** The reference value there in the JSON shape, or `null` for a field it does not have. */
  readonly expected: JsonValue;
  /** What the answer holds there (`undefined` for a missing field). */
  readonly got: unknown;
}

const INTEGER = /^(0x[0-9a-f]+|[0-9]+)$/i;

function asBigInt(j: unknown): bigint | undefined {
  if (typeof j === "number") return Number.isSafeInteger(j) ? BigInt(j) : undefined;
  if (typeof j === "string" && INTEGER.test(j.trim())) return BigInt(j.trim());
  return undefined;
}

function sameLeaf(expected: unknown, got: unknown): boolean {
  if (typeof expected === "number" || typeof expected === "bigint")
    return asBigInt(got) === BigInt(expected);
  if (typeof expected === "boolean")
    return got === expected || (typeof got === "number" && got === (expected ? 1 : 0));
  if (expected instanceof Uint8Array) {
    if (typeof got !== "string") return false;
    try {
      return toHex(fromHex(got)) === toHex(expected);
    } catch {
      return false;
    }
  }
  return got === expected;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/**
 * The first difference between a reference value (as decoded by the generated codec) and an
 * answer parsed from JSON, in the reference's field order; extra fields of the answer come
 * last. `undefined` when they agree.
 */
export function firstDifference(
  expected: unknown,
  got: unknown,
  path = "",
): Difference | undefined {
  if (isRecord(expected)) {
    if (!isRecord(got)) return { path, expected: valueToJson(expected), got };
    for (const [k, v] of Object.entries(expected)) {
      const d = firstDifference(v, got[k], path === "" ? k : `${path}.${k}`);
      if (d) return d;
    }
    for (const k of Object.keys(got))
      if (!(k in expected))
        return { path: path === "" ? k : `${path}.${k}`, expected: null, got: got[k] };
    return undefined;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(got) || got.length !== expected.length)
      return { path, expected: valueToJson(expected), got };
    for (let i = 0; i < expected.length; i++) {
      const d = firstDifference(expected[i], got[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  return sameLeaf(expected, got) ? undefined : { path, expected: valueToJson(expected), got };
}
