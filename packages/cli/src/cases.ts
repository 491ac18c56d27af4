/**
 * Test cases of a format for `rashpa vectors` and `rashpa conform`: values from the generated
 * fast-check arbitraries (`src/gen/*.arb.ts` of each package), per variant; edge values (every
 * field at 0 and at its maximum, where the variant allows it); boundary payload sizes; and
 * byte strings mutated from valid encodings.
 *
 * Boundaries:
 * - `pcie.tlp`: the Length field counts DWs and 0 means 1024 (docs/reference/pcie.md §4.1), so
 *   the payload sizes 4 B and 4096 B; memory requests that end exactly at a 4 KiB boundary and
 *   that cross one (a requester must not issue the latter, pcie.md §8.1; the TLP codec encodes
 *   it, the rule is checked by `@rashpa/pcie`'s rules);
 * - `srio.packet*`: the payload sizes (whole double-words, 0..256 bytes, RapidIO 4.1 Part 1
 *   §4.1.1) that give the largest packet of at most 80 bytes before its CRC and the smallest
 *   longer one, which takes the early CRC after byte 80 (Part 6 §2.4.1, docs/reference/srio.md
 *   §4); `srio.packet*` and `srio.stream*`: the smallest and largest payload.
 *
 * @module
 */
import { toHex } from "@rashpa/bits";
import type { AnyFormatInfo, FieldInfo } from "@rashpa/bits";
import { descriptorsArbitraries, instructionsArbitraries } from "@rashpa/descriptors/arbitraries";
import { pcieArbitraries } from "@rashpa/pcie/arbitraries";
import { srioArbitraries } from "@rashpa/srio/arbitraries";
import fc from "fast-check";
import { CliError } from "./cli.js";
import { findFormat } from "./registry.js";

/** The arbitraries of every format of the registry, by format id. */
export const ALL_ARBITRARIES: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  ...descriptorsArbitraries,
  ...instructionsArbitraries,
  ...pcieArbitraries,
  ...srioArbitraries,
};

/**
 * The arbitrary of every valid value of a format.
 *
 * @throws CliError when the format has none
 */
export function arbitraryOf(format: AnyFormatInfo): fc.Arbitrary<unknown> {
  const arb = ALL_ARBITRARIES[format.id];
  if (arb === undefined) throw new CliError(`no value generator for ${format.id}`);
  return arb;
}

/** Valid values of one variant (by index in `format.variants`). */
export function variantArbitrary(format: AnyFormatInfo, index: number): fc.Arbitrary<unknown> {
  const arb = arbitraryOf(format);
  return format.variants.length === 1 ? arb : arb.filter((v) => format.variantOf(v) === index);
}

/** One generated value and the edge it stands for (`null` for a random value). */
export interface Case {
  /** Name of the edge (`min`, `max`, `payload-4096`, `4k-cross`, `crc80-above`, …) or `null`. */
  readonly edge: string | null;
  /** The value. */
  readonly value: unknown;
}

/** Whether `value` is a valid, encodable value of variant `index`. */
function valid(format: AnyFormatInfo, index: number, value: unknown): boolean {
  try {
    if (!format.is(value)) return false;
    format.encode(value);
    return format.variantOf(value) === index;
  } catch {
    return false;
  }
}

function fieldEdge(field: FieldInfo, current: unknown, high: boolean): unknown {
  switch (field.kind) {
    case "uint":
      if (field.bits > 32) return high ? (1n << BigInt(field.bits)) - 1n : 0n;
      return high ? 2 ** field.bits - 1 : 0;
    case "bool":
      return high;
    case "enum": {
      const members = Object.entries(field.enum ?? {}).sort((a, b) => a[1] - b[1]);
      return (high ? members.at(-1) : members[0])?.[0] ?? current;
    }
    case "bytes":
      return current instanceof Uint8Array
        ? new Uint8Array(current.length).fill(high ? 0xff : 0)
        : current;
    default:
      return current;
  }
}

/** Every field at its minimum (`high` false) or maximum the variant allows, one field at a time. */
function extreme(format: AnyFormatInfo, index: number, base: unknown, high: boolean): unknown {
  let value = base as Record<string, unknown>;
  for (const field of format.variants[index]!.fields) {
    const next = { ...value, [field.name]: fieldEdge(field, value[field.name], high) };
    if (valid(format, index, next)) value = next;
  }
  return value;
}

function pattern(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = (i * 37 + 11) & 0xff;
  return bytes;
}

function fieldNamed(format: AnyFormatInfo, index: number, name: string): FieldInfo | undefined {
  return format.variants[index]!.fields.find((f) => f.name === name);
}

function payloadField(format: AnyFormatInfo, index: number): FieldInfo | undefined {
  return format.variants[index]!.fields.find((f) => f.kind === "payload");
}

/** PCIe TLP: Length in DWs (0 = 1024) with a payload to match, and 4 KiB crossings. */
function tlpBoundaries(format: AnyFormatInfo, index: number, base: unknown): Case[] {
  const out: Case[] = [];
  const length = fieldNamed(format, index, "length");
  if (length === undefined) return out;
  const payload = payloadField(format, index);
  const withDw = (v: unknown, dw: number): Record<string, unknown> => ({
    ...(v as Record<string, unknown>),
    length: dw === 1024 ? 0 : dw,
    ...(payload ? { [payload.name]: pattern(dw * 4) } : {}),
  });
  const push = (edge: string, v: unknown): void => {
    if (valid(format, index, v)) out.push({ edge, value: v });
  };
  if (payload) {
    push("payload-4", withDw(base, 1));
    push("payload-4096", withDw(base, 1024));
  }
  const address = fieldNamed(format, index, "address");
  if (address !== undefined) {
    // The address field holds the byte address divided by 4 (pcie.md §1.3); the 4-DW form
    // lies above 4 GiB.
    const page = address.bits > 32 ? 0x1_0000_1000 : 0x1000;
    const at = (byteAddress: number): number | bigint =>
      address.bits > 32 ? BigInt(byteAddress / 4) : byteAddress / 4;
    push("4k-end", { ...withDw(base, 2), address: at(page - 8) });
    push("4k-cross", { ...withDw(base, 2), address: at(page - 4) });
  }
  return out;
}

/** SRIO packets and streams: smallest and largest payload, and the 80-byte early-CRC boundary. */
function srioBoundaries(format: AnyFormatInfo, index: number, base: unknown): Case[] {
  const payload = payloadField(format, index);
  if (payload === undefined) return [];
  const stream = findFormat(format.id.replace("srio.packet", "srio.stream"));
  const sizes: { n: number; value: unknown; streamBytes: number }[] = [];
  for (let n = 0; n <= 256; n += 8) {
    const value = { ...(base as Record<string, unknown>), [payload.name]: pattern(n) };
    if (valid(format, index, value))
      sizes.push({ n, value, streamBytes: stream ? stream.byteLength(value) : 0 });
  }
  if (sizes.length === 0) return [];
  const out: Case[] = [
    { edge: `payload-${sizes[0]!.n}`, value: sizes[0]!.value },
    { edge: `payload-${sizes.at(-1)!.n}`, value: sizes.at(-1)!.value },
  ];
  if (format.id.startsWith("srio.packet")) {
    const below = sizes.filter((s) => s.streamBytes <= 80).at(-1);
    const above = sizes.find((s) => s.streamBytes > 80);
    if (below) out.push({ edge: "crc80-below", value: below.value });
    if (above) out.push({ edge: "crc80-above", value: above.value });
  }
  return out;
}

/**
 * The boundary payload sizes and addresses of a variant (see the module comment), derived from
 * one valid value `base` of it; empty for formats without such boundaries.
 */
export function boundaryCases(format: AnyFormatInfo, index: number, base: unknown): Case[] {
  if (format.id === "pcie.tlp") return tlpBoundaries(format, index, base);
  if (format.id.startsWith("srio.packet") || format.id.startsWith("srio.stream"))
    return srioBoundaries(format, index, base);
  return [];
}

/**
 * The edge values of a variant, derived from one valid value `base` of it: `min`, `max`, then
 * the {@link boundaryCases}.
 */
export function edgeCases(format: AnyFormatInfo, index: number, base: unknown): Case[] {
  return [
    { edge: "min", value: extreme(format, index, base, false) },
    { edge: "max", value: extreme(format, index, base, true) },
    ...boundaryCases(format, index, base),
  ];
}

/** Mixes a variant index into a seed, so that each variant draws its own values. */
export function variantSeed(seed: number, index: number): number {
  return (seed ^ Math.imul(index + 1, 0x9e3779b1)) | 0;
}

/**
 * `perVariant` random values of each listed variant, reproducible by `seed`: values of the whole
 * format sorted by variant (the generated arbitraries draw variants uniformly), and a filtered
 * arbitrary for the variants that sorting leaves short.
 */
function samplesByVariant(
  format: AnyFormatInfo,
  variants: readonly number[],
  perVariant: number,
  seed: number,
): Map<number, unknown[]> {
  const buckets = new Map(variants.map((i) => [i, [] as unknown[]]));
  const short = (): number[] => variants.filter((i) => buckets.get(i)!.length < perVariant);
  if (variants.length > 1)
    for (let round = 0; round < 8 && short().length > 0; round++) {
      const batch = fc.sample(arbitraryOf(format), {
        seed: variantSeed(seed, -1 - round),
        numRuns: Math.min(perVariant * variants.length * 2, 200_000),
      });
      for (const v of batch) {
        const bucket = buckets.get(format.variantOf(v));
        if (bucket !== undefined && bucket.length < perVariant) bucket.push(v);
      }
    }
  for (const i of short()) {
    const bucket = buckets.get(i)!;
    const more = fc.sample(variantArbitrary(format, i), {
      seed: variantSeed(seed, i),
      numRuns: perVariant - bucket.length,
    });
    bucket.push(...more);
  }
  return buckets;
}

/**
 * Cases of the given variants, interleaved round-robin (variant after variant, so that `count`
 * ≥ the number of variants covers each): each variant gives its edges first, then random values.
 *
 * @param format - the format
 * @param variants - indexes of the variants to cover
 * @param count - cases to return
 * @param seed - fast-check seed: the same seed gives the same cases
 */
export function roundRobinCases(
  format: AnyFormatInfo,
  variants: readonly number[],
  count: number,
  seed: number,
): { variant: number; value: unknown; edge: string | null }[] {
  const used = variants.slice(0, Math.min(count, variants.length));
  const perVariant = Math.ceil(count / used.length);
  const samples = samplesByVariant(format, used, perVariant, seed);
  const queues = used.map((index) => {
    const random = samples.get(index)!;
    const edges = edgeCases(format, index, random[0]);
    const cases: Case[] = [...edges, ...random.map((value) => ({ edge: null, value }))];
    return { index, cases };
  });
  const out: { variant: number; value: unknown; edge: string | null }[] = [];
  for (let round = 0; out.length < count; round++)
    for (const q of queues) {
      if (out.length === count) break;
      const c = q.cases[round];
      if (c !== undefined) out.push({ variant: q.index, ...c });
    }
  return out;
}

/** How a valid encoding was damaged (`vectors --invalid`, `conform`). */
export type Mutation =
  | {
      /** The first `length` bytes only. */
      readonly kind: "truncate";
      /** Bytes kept (at least 1). */
      readonly length: number;
    }
  | {
      /** Bytes appended. */
      readonly kind: "append";
      /** The appended bytes. */
      readonly bytes: Uint8Array;
    }
  | {
      /** One bit inverted. */
      readonly kind: "flip";
      /** Bit index, MSB of byte 0 first (taken modulo the length). */
      readonly bit: number;
    }
  | {
      /** Unrelated random bytes. */
      readonly kind: "random";
      /** The bytes. */
      readonly bytes: Uint8Array;
    };

/** Mutations: truncation, appended bytes, a flipped bit, random bytes. */
export const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), length: fc.integer({ min: 1, max: 8192 }) }),
  fc.record({
    kind: fc.constant("append" as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant("flip" as const), bit: fc.nat({ max: 65535 }) }),
  fc.record({
    kind: fc.constant("random" as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
);

/** Applies a mutation to a valid encoding. */
export function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  switch (m.kind) {
    case "truncate":
      return bytes.slice(
        0,
        bytes.length <= 1 ? bytes.length : 1 + ((m.length - 1) % (bytes.length - 1)),
      );
    case "append": {
      const out = new Uint8Array(bytes.length + m.bytes.length);
      out.set(bytes);
      out.set(m.bytes, bytes.length);
      return out;
    }
    case "flip": {
      const out = bytes.slice();
      if (out.length > 0) {
        const bit = m.bit % (out.length * 8);
        out[bit >> 3]! ^= 0x80 >> (bit & 7);
      }
      return out;
    }
    case "random":
      return m.bytes;
  }
}

/** A short name of a mutation applied to `bytes`, e.g. `truncate-7`, `flip-35`, `append-2`. */
export function mutationName(bytes: Uint8Array, m: Mutation): string {
  switch (m.kind) {
    case "truncate":
      return `truncate-${mutate(bytes, m).length}`;
    case "append":
      return `append-${m.bytes.length}`;
    case "flip":
      return `flip-${bytes.length === 0 ? 0 : m.bit % (bytes.length * 8)}`;
    case "random":
      return `random-${toHex(m.bytes).length / 2}`;
  }
}
