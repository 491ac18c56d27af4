/**
 * The codec laws every generated format obeys (ARCHITECTURE.md § Codec conventions), as a
 * reusable Vitest suite driven by fast-check:
 *
 * 1. `decode(encode(v))` equals `v` for every valid `v` (also at an offset, with bytes
 *    around it), and `encode(decode(b))` equals `b` for every canonical `b`;
 * 2. `byteLength`, `encodeInto` (at any offset, touching nothing else) and `encode` agree;
 *    a too-small target is refused without a write;
 * 3. on any byte array the decoder returns a value or throws `DecodeError`, nothing else, and
 *    stays usable; a returned value is valid and re-encodes to what was read;
 * 4. encoders reject out-of-range values with an `EncodeError` naming the field, and `is`
 *    rejects them too;
 * 5. the JSON shape round-trips (`fromJson(JSON.parse(JSON.stringify(toJson(v))))` equals `v`).
 *
 * Seeds: every suite prints the seed it runs with; set `FC_SEED` to replay one, `FC_RUNS` to
 * change the number of runs.
 *
 * @module
 */
import { DecodeError, EncodeError, valueToJson } from "@rashpa/bits";
import type { FieldInfo, FormatInfo } from "@rashpa/bits";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/** Options of {@link codecLaws}. */
export interface CodecLawOptions {
  /**
   * Runs per property.
   * @defaultValue `FC_RUNS` from the environment, else 200
   */
  readonly numRuns?: number;
  /**
   * Seed of every property.
   * @defaultValue `FC_SEED` from the environment, else a fresh random seed (printed)
   */
  readonly seed?: number;
}

/** The seed a law suite runs with: `FC_SEED` if set, else a fresh one. */
export function lawSeed(): number {
  const env = process.env["FC_SEED"];
  if (env !== undefined && env !== "") {
    const n = Number(env);
    if (!Number.isInteger(n))
      throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(env)}`);
    return n;
  }
  return (Math.random() * 0x7fffffff) | 0;
}

function lawRuns(): number {
  const env = process.env["FC_RUNS"];
  return env !== undefined && env !== "" ? Number(env) : 200;
}

/** A value of the wrong type or out of range for a field, with what it tests. */
function badValuesFor(field: FieldInfo, current: unknown): unknown[] {
  switch (field.kind) {
    case "uint":
      if (field.bits > 32) return [1n << BigInt(field.bits), -1n, 1, "0"];
      return [2 ** field.bits, -1, 0.5, Number.NaN, "1", 1n];
    case "bool":
      return [1, "true", null];
    case "enum":
      return ["no-such-member", 0, undefined];
    case "bytes":
      return [
        new Uint8Array(field.bits / 8 + 1),
        new Uint8Array(Math.max(0, field.bits / 8 - 1)),
        "00",
      ];
    case "payload":
      return current instanceof Uint8Array ? ["00", [0], undefined] : [undefined];
  }
}

/** Byte arrays that stress a decoder: random, and valid encodings mutated or truncated. */
function hostileBytes<T>(format: FormatInfo<T>, arb: fc.Arbitrary<T>): fc.Arbitrary<Uint8Array> {
  const valid = arb.map((v) => format.encode(v));
  return fc.oneof(
    fc.uint8Array({ maxLength: 96 }),
    fc.tuple(valid, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([b, i, x]) => {
      const c = b.slice();
      if (c.length > 0) c[i % c.length] = c[i % c.length]! ^ x;
      return c;
    }),
    fc.tuple(valid, fc.nat()).map(([b, n]) => b.slice(0, b.length === 0 ? 0 : n % b.length)),
    fc.tuple(valid, fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([b, tail]) => {
      const c = new Uint8Array(b.length + tail.length);
      c.set(b);
      c.set(tail, b.length);
      return c;
    }),
  );
}

/** fast-check parameters of one law check. */
export interface LawParams {
  /** fast-check seed, for replaying a failure. */
  readonly seed: number;
  /** Values generated per property. */
  readonly numRuns: number;
}

/** One codec law: a name and a check that throws (with fast-check's seed and counterexample) when the codec breaks it. */
export interface CodecLaw {
  /** What the law states; used as the test name. */
  readonly name: string;
  /** @throws Error describing the counterexample when `format` breaks the law */
  check<T>(format: FormatInfo<T>, arb: fc.Arbitrary<T>, params: LawParams): void;
}

/** The codec laws, in the order {@link codecLaws} runs them. */
export const CODEC_LAWS: readonly CodecLaw[] = [
  {
    name: "decode(encode(v)) equals v, and encode(decode(b)) equals b",
    check<T>(format: FormatInfo<T>, arb: fc.Arbitrary<T>, params: LawParams): void {
      fc.assert(
        fc.property(arb, (v) => {
          expect(format.is(v)).toBe(true);
          const b = format.encode(v);
          const d = format.decode(b);
          expect(d).toEqual(v);
          expect(format.encode(d)).toEqual(b);
          expect(format.variantOf(v)).toBeGreaterThanOrEqual(0);
          expect(format.variants[format.variantOf(v)]).toBeDefined();
          if (format.fixedBytes !== undefined) expect(b.length).toBe(format.fixedBytes);
        }),
        params,
      );
    },
  },
  {
    name: "decodes at an offset with bytes around the value",
    check<T>(format: FormatInfo<T>, arb: fc.Arbitrary<T>, params: LawParams): void {
      fc.assert(
        fc.property(
          arb,
          fc.uint8Array({ maxLength: 16 }),
          fc.uint8Array({ maxLength: 16 }),
          (v, before, after) => {
            const b = format.encode(v);
            const whole = new Uint8Array(before.length + b.length + after.length);
            whole.set(before);
            whole.set(b, before.length);
            whole.set(after, before.length + b.length);
            const remainder = format.fixedBytes === undefined && after.length > 0;
            // Formats ending with a remainder payload take every byte after them.
            const d = format.decode(
              remainder ? whole.subarray(0, before.length + b.length) : whole,
              before.length,
            );
            expect(d).toEqual(v);
          },
        ),
        params,
      );
    },
  },
  {
    name: "byteLength, encodeInto and encode agree; other bytes stay untouched",
    check<T>(format: FormatInfo<T>, arb: fc.Arbitrary<T>, params: LawParams): void {
      fc.assert(
        fc.property(
          arb,
          fc.nat({ max: 13 }),
          fc.integer({ min: 0, max: 255 }),
          (v, offset, fill) => {
            const b = format.encode(v);
            expect(format.byteLength(v)).toBe(b.length);
            const buf = new Uint8Array(offset + b.length + 5).fill(fill);
            const n = format.encodeInto(new DataView(buf.buffer), offset, v);
            expect(n).toBe(b.length);
            expect(buf.subarray(offset, offset + n)).toEqual(b);
            expect(buf.subarray(0, offset).every((x) => x === fill)).toBe(true);
            expect(buf.subarray(offset + n).every((x) => x === fill)).toBe(true);
          },
        ),
        params,
      );
    },
  },
  {
    name: "refuses a too-small target without writing to it",
    check<T>(format: FormatInfo<T>, arb: fc.Arbitrary<T>, params: LawParams): void {
      fc.assert(
        fc.property(arb, (v) => {
          const need = format.byteLength(v);
          if (need === 0) return;
          const buf = new Uint8Array(need - 1).fill(0xa5);
          expect(() => format.encodeInto(new DataView(buf.buffer), 0, v)).toThrow(EncodeError);
          expect(buf.every((x) => x === 0xa5)).toBe(true);
        }),
        params,
      );
    },
  },
  {
    name: "on any bytes returns a valid value or throws DecodeError, and stays usable",
    check<T>(format: FormatInfo<T>, arb: fc.Arbitrary<T>, params: LawParams): void {
      const reference = fc.sample(arb, { seed: params.seed, numRuns: 1 })[0]!;
      const referenceBytes = format.encode(reference);
      fc.assert(
        fc.property(hostileBytes(format, arb), (bytes) => {
          let decoded: T | undefined;
          try {
            decoded = format.decode(bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(DecodeError);
            expect((e as DecodeError).message).toMatch(/expected .*, got /);
          }
          if (decoded !== undefined) {
            expect(format.is(decoded)).toBe(true);
            expect(format.decode(format.encode(decoded))).toEqual(decoded);
          }
          expect(format.decode(referenceBytes)).toEqual(reference);
        }),
        params,
      );
    },
  },
  {
    name: "rejects out-of-range and ill-typed fields with an EncodeError naming the field",
    check<T>(format: FormatInfo<T>, arb: fc.Arbitrary<T>, params: LawParams): void {
      fc.assert(
        fc.property(arb, fc.nat(), fc.nat(), (v, fieldPick, badPick) => {
          const variant = format.variants[format.variantOf(v)]!;
          if (variant.fields.length === 0) return;
          const info = variant.fields[fieldPick % variant.fields.length]!;
          const name = info.name;
          const record = v as unknown as Record<string, unknown>;
          const bads = badValuesFor(info, record[name]);
          const bad = { ...record, [name]: bads[badPick % bads.length] };
          expect(format.is(bad)).toBe(false);
          let err: unknown;
          try {
            format.encode(bad as T);
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(EncodeError);
          expect((err as EncodeError).path).toBe(name);
          expect((err as EncodeError).message).toContain(`"${name}" expected`);
        }),
        params,
      );
    },
  },
  {
    name: "round-trips through the JSON shape",
    check<T>(format: FormatInfo<T>, arb: fc.Arbitrary<T>, params: LawParams): void {
      fc.assert(
        fc.property(arb, (v) => {
          const json = JSON.parse(JSON.stringify(valueToJson(v))) as unknown;
          expect(format.fromJson(json)).toEqual(v);
        }),
        params,
      );
    },
  },
];

/**
 * Checks every law on one format, outside any test runner.
 *
 * @throws Error naming the law, with fast-check's seed, path and counterexample
 */
export function checkCodecLaws<T>(
  format: FormatInfo<T>,
  arb: fc.Arbitrary<T>,
  params: LawParams,
): void {
  for (const law of CODEC_LAWS) {
    try {
      law.check(format, arb, params);
    } catch (e) {
      throw new Error(`${format.id} breaks the law "${law.name}": ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
}

/**
 * Registers the law suite of one format with Vitest (call it at the top level of a test file).
 *
 * @param format - the generated `FormatInfo` record
 * @param arb - the generated arbitrary of valid values
 * @param options - runs and seed
 * @example
 * ```ts
 * import { codecLaws } from "@rashpa/laws";
 * import { BTD_FORMAT } from "@rashpa/descriptors";
 * import { arbBtd } from "@rashpa/descriptors/arbitraries";
 * codecLaws(BTD_FORMAT, arbBtd);
 * ```
 */
export function codecLaws<T>(
  format: FormatInfo<T>,
  arb: fc.Arbitrary<T>,
  options: CodecLawOptions = {},
): void {
  const seed = options.seed ?? lawSeed();
  const numRuns = options.numRuns ?? lawRuns();
  const params = { seed, numRuns };

  describe(`codec laws of ${format.id} (seed ${seed}; replay with FC_SEED=${seed})`, () => {
    it("prints its seed", () => {
      console.log(`[laws] ${format.id}: seed=${seed} runs=${numRuns} (replay: FC_SEED=${seed})`);
      expect(Number.isInteger(seed)).toBe(true);
    });
    for (const law of CODEC_LAWS) it(law.name, () => law.check(format, arb, params));
  });
}
