/**
 * `rashpa vectors <format> [--count N] [--seed S] [--variant NAME] [--invalid]`: test vectors
 * as JSON lines for firmware test benches, from the generated fast-check arbitraries.
 *
 * Valid vectors, one object per line:
 * `{"format","variant","edge","fields","hex"}` — `variant` is the variant name (`""` for a
 * format without variants), `edge` names the edge value (`min`, `max`, `payload-4096`,
 * `4k-cross`, `crc80-above`, … see `cases.ts`) or is `null` for a random value, `fields` is the
 * value in the JSON shape `rashpa decode` prints and `hex` its encoding. Variants are taken
 * round-robin, each starting with its edge values, so `--count` ≥ the number of variants covers
 * every variant.
 *
 * With `--invalid`: byte strings the reference decoder rejects,
 * `{"format","from","mutation","hex","error":{"name","message","offset","field"}}` — `from` is
 * the variant of the valid value that was damaged, `mutation` how (`truncate-N`, `append-N`,
 * `flip-BIT`, `random-N`), `error` what the reference decoder reports (trailing bytes are an
 * error, as in `rashpa decode`).
 *
 * The same arguments give the same output. `--count` is 1 … {@link MAX_VECTORS} (default 100),
 * `--seed` an integer −2^31 … 2^32 − 1 (default 0).
 *
 * @module
 */
import { toHex, valueToJson } from "@rashpa/bits";
import type { AnyFormatInfo } from "@rashpa/bits";
import fc from "fast-check";
import { CliError } from "./cli.js";
import type { CliIo } from "./cli.js";
import { arbMutation, mutate, mutationName, roundRobinCases, variantSeed } from "./cases.js";
import { errorJson, referenceDecode } from "./codec-io.js";
import { walkOptions } from "./options.js";
import { findFormat } from "./registry.js";

/** Largest `--count` of `rashpa vectors`. */
export const MAX_VECTORS = 100_000;

/**
 * An integer option within `min` … `max`.
 *
 * @throws CliError otherwise
 */
export function integerOption(option: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || n < min || n > max)
    throw new CliError(`${option}: expected an integer ${min}..${max}, got "${v}"`);
  return n;
}

/**
 * `--seed S`: an integer −2^31 … 2^32 − 1, as fast-check takes it (32 bits).
 *
 * @throws CliError otherwise
 */
export function seedOption(v: string): number {
  return integerOption("--seed", v, -(2 ** 31), 2 ** 32 - 1) | 0;
}

/**
 * The format named on the command line.
 *
 * @throws CliError for a missing or unknown id
 */
export function formatArgument(id: string | undefined): AnyFormatInfo {
  if (id === undefined) throw new CliError("missing <format> (see rashpa formats)");
  const f = findFormat(id);
  if (!f) throw new CliError(`unknown format "${id}" (see rashpa formats)`);
  return f;
}

/** Parsed arguments of `rashpa vectors`. */
interface VectorsOptions {
  format: AnyFormatInfo;
  count: number;
  seed: number;
  variant: string | undefined;
  invalid: boolean;
}

function parse(argv: readonly string[]): VectorsOptions {
  let id: string | undefined;
  const o: Omit<VectorsOptions, "format"> = {
    count: 100,
    seed: 0,
    variant: undefined,
    invalid: false,
  };
  walkOptions(argv, (a, value) => {
    if (a === "--count") o.count = integerOption("--count", value(), 1, MAX_VECTORS);
    else if (a === "--seed") o.seed = seedOption(value());
    else if (a === "--variant") o.variant = value();
    else if (a === "--invalid") o.invalid = true;
    else if (a.startsWith("--")) throw new CliError(`unknown option ${a}`);
    else if (id === undefined) id = a;
    else throw new CliError(`vectors takes one <format>, got "${a}" too`);
  });
  return { format: formatArgument(id), ...o };
}

function variantIndexes(format: AnyFormatInfo, name: string | undefined): number[] {
  if (name === undefined) return format.variants.map((_, i) => i);
  const i = format.variants.findIndex((v) => v.name === name);
  if (i < 0) {
    const names = format.variants.map((v) => v.name);
    throw new CliError(
      names.length === 1
        ? `${format.id} has no variants (got --variant "${name}")`
        : `unknown variant "${name}" of ${format.id} (one of ${names.join(", ")})`,
    );
  }
  return [i];
}

/** Byte strings the reference decoder rejects, damaged from the valid cases. */
function invalidLines(o: VectorsOptions, variants: readonly number[]): string[] {
  const f = o.format;
  const valid = roundRobinCases(f, variants, o.count, o.seed);
  const lines: string[] = [];
  for (let k = 0; k < valid.length; k++) {
    const c = valid[k]!;
    const bytes = f.encode(c.value);
    const mutations = fc.sample(arbMutation, { seed: variantSeed(o.seed, k), numRuns: 64 });
    for (const m of [...mutations, { kind: "truncate" as const, length: 1 }]) {
      const damaged = mutate(bytes, m);
      const ref = referenceDecode(f, damaged);
      if (ref.ok) continue;
      lines.push(
        JSON.stringify({
          format: f.id,
          from: f.variants[c.variant]!.name,
          mutation: mutationName(bytes, m),
          hex: toHex(damaged),
          error: errorJson(ref.error),
        }),
      );
      break;
    }
  }
  return lines;
}

/** `rashpa vectors`. */
export function vectorsCommand(argv: readonly string[], io: CliIo): void {
  const o = parse(argv);
  const f = o.format;
  const variants = variantIndexes(f, o.variant);
  if (o.invalid) {
    for (const line of invalidLines(o, variants)) io.stdout(`${line}\n`);
    return;
  }
  for (const c of roundRobinCases(f, variants, o.count, o.seed))
    io.stdout(
      `${JSON.stringify({
        format: f.id,
        variant: f.variants[c.variant]!.name,
        edge: c.edge,
        fields: valueToJson(c.value),
        hex: toHex(f.encode(c.value)),
      })}\n`,
    );
}
