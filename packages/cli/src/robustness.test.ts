/**
 * Every `rashpa` command fed hostile input — random bytes, truncated hex, wrong format ids,
 * malformed JSON, huge counts, unknown options — answers with its output or one line on
 * standard error and a documented exit status, never a stack trace or an internal error. The
 * CLI runs in process (`runCli` with captured output) so that thousands of cases stay quick.
 */
import { toHex, valueToJson } from "@rashpa/bits";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { lawSeed } from "@rashpa/laws";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { run } from "../test/run-cli.js";
import { arbitraryOf } from "./cases.js";
import { CONFORM_EXIT } from "./conform.js";
import { ALL_FORMATS } from "./registry.js";

const ids = ALL_FORMATS.map((f) => f.id);
const arbId = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ids) },
  { weight: 1, arbitrary: fc.constantFrom("pcie", "rashpa.btdx", "srio.packet-34", "", "--json") },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** Hex of a valid value of a random format, and that format's id. */
const arbValid = fc
  .constantFrom(...ALL_FORMATS)
  .chain((f) =>
    arbitraryOf(f).map((v) => ({ id: f.id, hex: toHex(f.encode(v)), json: valueToJson(v) })),
  );

const arbHex = fc.oneof(
  arbValid.chain((v) => fc.nat({ max: v.hex.length }).map((n) => v.hex.slice(0, n))),
  fc.uint8Array({ maxLength: 64 }).map(toHex),
  fc.string({ maxLength: 40 }),
  fc.constantFrom("", "0x", "zz", "0", "0x0 1", "12:3", "\u0000ff"),
);

const arbJsonText = fc.oneof(
  arbValid.chain((v) =>
    fc.nat({ max: JSON.stringify(v.json).length }).map((n) => JSON.stringify(v.json).slice(0, n)),
  ),
  arbValid.chain((v) =>
    fc
      .tuple(fc.constantFrom(...Object.keys(v.json as object)), fc.jsonValue())
      .map(([k, x]) => JSON.stringify({ ...(v.json as object), [k]: x })),
  ),
  fc.json(),
  fc.string({ maxLength: 40 }),
);

const arbCount = fc.oneof(
  fc.integer({ min: 1, max: 4 }).map(String),
  fc.constantFrom("0", "-1", "1e12", "999999999999999", "100001", "abc", "0x10", "", "1.5"),
);

const flag = (names: readonly string[]): fc.Arbitrary<string[]> =>
  fc.subarray([...names]).map((x) => x);

const arbSeed = fc.oneof(
  fc.integer().map(String),
  fc.constantFrom("x", "1e3", "99999999999", "-0", ""),
);

const arbVariant = fc.oneof(
  fc.constantFrom(...ALL_FORMATS.flatMap((f) => f.variants.map((v) => v.name))),
  fc.string({ maxLength: 12 }),
);

const arbArgv: fc.Arbitrary<string[]> = fc.oneof(
  // decode: a whole or cut valid encoding under its own id, or anything under any id.
  fc
    .tuple(arbValid, fc.option(fc.nat()), flag(["--compact", "--allow-trailing", "--bogus"]))
    .map(([v, cut, f]) => [
      "decode",
      v.id,
      cut === null ? v.hex : v.hex.slice(0, cut % (v.hex.length + 1)),
      ...f,
    ]),
  fc
    .tuple(arbId, arbHex, flag(["--compact", "--allow-trailing", "--bogus"]))
    .map(([id, hex, f]) => ["decode", id, hex, ...f]),
  // encode: a valid value under its own id, or malformed JSON under any id.
  arbValid.map((v) => ["encode", v.id, JSON.stringify(v.json)]),
  fc.tuple(arbId, arbJsonText, flag(["--compact"])).map(([id, j, f]) => ["encode", id, j, ...f]),
  fc
    .tuple(arbId, arbCount, fc.option(arbSeed), fc.boolean(), fc.option(arbVariant, { freq: 2 }))
    .map(([id, count, seed, invalid, variant]) => [
      "vectors",
      id,
      "--count",
      count,
      ...(seed === null ? [] : ["--seed", seed]),
      ...(invalid ? ["--invalid"] : []),
      ...(variant === null ? [] : ["--variant", variant]),
    ]),
  // conform with at least one bad argument (a good one would start a program).
  fc
    .tuple(
      arbId,
      fc.constantFrom(
        ["--runs", "0"],
        ["--runs", "1e12"],
        ["--mode", "sideways"],
        ["--timeout", "x"],
        ["--path", "1::2"],
        ["--seed", "2^40"],
        [],
      ),
    )
    .map(([id, bad]) => ["conform", id, ...(bad.length === 0 ? [] : ["--cmd", "true", ...bad])]),
  fc.tuple(flag(["--json", "--bogus"])).map(([f]) => ["formats", ...f]),
  fc
    .tuple(
      fc.constantFrom("rashpa.controller", "pcie.config-space", "nope", ""),
      fc.constantFrom("decode", "x"),
      fc.string({ maxLength: 20 }),
      fc.string({ maxLength: 12 }),
    )
    .map((a) => ["regs", ...a]),
  fc
    .tuple(
      fc.constantFrom("pcie", "srio", "nvme"),
      fc.array(
        fc.constantFrom(
          "--gen",
          "--width",
          "--mps",
          "--baud",
          "--cs",
          "--payload",
          "--json",
          "7",
          "-1",
          "x",
          "0",
        ),
        { maxLength: 6 },
      ),
    )
    .map(([l, a]) => ["throughput", l, ...a]),
  fc
    .tuple(
      fc.constantFrom("pcie", "fit", "other"),
      fc.array(
        fc.constantFrom(
          "--link",
          "gen9x4",
          "gen2x4",
          "--set",
          "x=1",
          "--calibration",
          "nope",
          "--json",
          "--calibrations",
          "/no/such/file.json",
        ),
        { maxLength: 5 },
      ),
    )
    .map(([m, a]) => ["model", m, ...a]),
  // The long runs, only with a bad option (a good one would run the demo).
  fc
    .tuple(
      fc.constantFrom("emulate", "acquire"),
      fc.constantFrom(
        ["--frames", "0"],
        ["--frames", "abc"],
        ["--speed", "warp"],
        ["--link", "gen0x0"],
        ["--frobnicate"],
        ["/no/such/acquisition.yaml"],
      ),
    )
    .map(([c, bad]) => [c, ...bad]),
  fc
    .tuple(fc.constantFrom("demo", "help"), fc.constantFrom("--bogus", "extra"))
    .map(([c, x]) => [c, x]),
  fc
    .array(fc.string({ maxLength: 10 }), { maxLength: 4 })
    .filter((a) => !["emulate", "acquire", "demo", "conform"].includes(a[0] ?? "")),
);

const seed = lawSeed();
const INTERNAL = /^rashpa: (TypeError|RangeError|ReferenceError|SyntaxError|Error)\b/;

describe(`every command on hostile input (seed ${seed})`, () => {
  const outcomes = new Map<string, number>();

  it("answers with one line on stderr and status 1, or succeeds; never a stack trace", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbArgv,
        fc.oneof(fc.constant(""), arbHex, arbJsonText),
        async (argv, stdin) => {
          const r = await run(argv, stdin);
          const key = `${argv[0] ?? ""} ${r.code}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          expect([0, 1]).toContain(r.code);
          expect(r.err).not.toMatch(/\n\s+at /);
          expect(r.err).not.toMatch(INTERNAL);
          if (r.code === 1 && argv[0] !== undefined && argv[0] !== "help")
            expect(r.err).toMatch(/^rashpa: [^\n]+\n$/);
        },
      ),
      { seed, numRuns: 3000 },
    );
    // Both outcomes occur for the codec commands: the cases reach past argument checking.
    for (const c of ["decode", "encode", "vectors"])
      for (const code of [0, 1])
        expect(outcomes.get(`${c} ${code}`) ?? 0, `${c} ${code}`).toBeGreaterThan(0);
  }, 300_000);
});

describe(`conform on malformed answers (seed ${seed})`, () => {
  const answer = join(fileURLToPath(new URL("../test/fixtures/", import.meta.url)), "answer.mjs");
  const sh = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

  it("reports a mismatch (2) or garbage (5) in one line, whatever the program answers", async () => {
    const arbAnswer = fc
      .oneof(
        arbJsonText,
        fc.string({ maxLength: 30 }),
        fc.constantFrom("error:", "null", "[]", "{}", "0", "ff"),
      )
      .map((s) =>
        s
          .replace(/[\r\n]/g, " ")
          .split(String.fromCharCode(0))
          .join(" "),
      );
    await fc.assert(
      fc.asyncProperty(
        arbAnswer,
        fc.constantFrom(...ids),
        fc.constantFrom("decode", "encode"),
        async (reply, id, mode) => {
          const cmd = `${sh(process.execPath)} ${sh(answer)} ${sh(reply)}`;
          const r = await run(["conform", id, "--cmd", cmd, "--runs", "5", "--mode", mode]);
          expect([CONFORM_EXIT.mismatch, CONFORM_EXIT.garbage]).toContain(r.code);
          expect(r.err).toMatch(/^rashpa: conform [^\n]+: (mismatch|garbage): [^\n]+\n$/);
        },
      ),
      { seed, numRuns: 25 },
    );
  }, 120_000);
});
