/**
 * `rashpa conform <format> --cmd '<program>' [--seed S] [--runs N] [--mode decode|encode|both]
 * [--timeout MS] [--path P]`: differential property testing of an external implementation of a
 * format against the reference codec.
 *
 * The program runs once, through the shell, and answers one line per request line on its
 * standard input:
 * - `decode <hex>` → the value as one line of JSON in the shape `rashpa decode` prints
 *   (integers may also be decimal or `0x` strings, bools 0/1), or `error: <text>` when the bytes
 *   are not exactly one valid value;
 * - `encode <json>` (one line, the shape `rashpa decode` prints) → the encoding as hex, or
 *   `error: <text>`.
 *
 * fast-check draws values from the format's generated arbitraries (with their bias to fields at
 * 0 and at their maximum), moved to the format's boundary payload sizes (`cases.ts`), and
 * damaged encodings (truncated, extended, a bit flipped, random bytes); the answer must
 * equal the reference's (for damaged bytes the reference may accept, the value; when it rejects
 * them, any `error:` line). A failure is shrunk to the smallest case and printed on standard
 * output with the first differing field (path, expected, got) and the arguments that replay it.
 * A program that ends, does not answer within `--timeout` (default 5000 ms, the program is then
 * stopped) or answers something that is neither JSON / hex nor `error:` is reported for the
 * first case that shows it, without shrinking.
 *
 * Exit status ({@link CONFORM_EXIT}): 0 all runs agree, 1 bad arguments, 2 an answer differs,
 * 3 the program ended before answering, 4 it did not answer in time, 5 it answered garbage.
 *
 * @module
 */
import { toHex, valueToJson } from "@rashpa/bits";
import type { AnyFormatInfo } from "@rashpa/bits";
import fc from "fast-check";
import { CliError } from "./cli.js";
import type { CliIo } from "./cli.js";
import { arbMutation, arbitraryOf, boundaryCases, mutate, mutationName } from "./cases.js";
import type { Mutation } from "./cases.js";
import { referenceDecode } from "./codec-io.js";
import { firstDifference } from "./json-diff.js";
import type { Difference } from "./json-diff.js";
import { LineChild } from "./line-child.js";
import type { Answer } from "./line-child.js";
import { walkOptions } from "./options.js";
import { formatArgument, integerOption, seedOption } from "./vectors.js";

/** Exit statuses of `rashpa conform`. */
export const CONFORM_EXIT = {
  /** Every run agreed with the reference. */
  ok: 0,
  /** Bad arguments (as every `rashpa` command). */
  usage: 1,
  /** An answer differs from the reference. */
  mismatch: 2,
  /** The program ended (or could not start) before answering. */
  crash: 3,
  /** The program did not answer within the timeout. */
  timeout: 4,
  /** The program answered a line that is neither the expected shape nor `error:`. */
  garbage: 5,
} as const;

/** Largest `--runs`. */
export const MAX_RUNS = 100_000;
/** Default `--timeout` in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 5000;

type Mode = "decode" | "encode" | "both";
type FailureKind = "mismatch" | "crash" | "timeout" | "garbage";

/** Why a case failed (thrown inside the property, read back from fast-check's report). */
class ConformFailure extends Error {
  override readonly name = "ConformFailure";
  constructor(
    readonly kind: FailureKind,
    readonly request: string,
    readonly summary: string,
    readonly expected: string,
    readonly got: string,
    readonly difference: Difference | undefined,
  ) {
    super(summary);
  }
}

interface ConformOptions {
  format: AnyFormatInfo;
  cmd: string;
  seed: number;
  runs: number;
  mode: Mode;
  timeoutMs: number;
  path: string | undefined;
}

function parse(argv: readonly string[]): ConformOptions {
  let id: string | undefined;
  let cmd: string | undefined;
  let seed: number | undefined;
  const o = {
    runs: 100,
    mode: "both" as Mode,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    path: undefined as string | undefined,
  };
  walkOptions(argv, (a, value) => {
    if (a === "--cmd") cmd = value();
    else if (a === "--seed") seed = seedOption(value());
    else if (a === "--runs") o.runs = integerOption("--runs", value(), 1, MAX_RUNS);
    else if (a === "--timeout") o.timeoutMs = integerOption("--timeout", value(), 1, 600_000);
    else if (a === "--path") {
      const p = value();
      if (!/^\d+(:\d+)*$/.test(p))
        throw new CliError(`--path: expected a fast-check path like 12:0:3, got "${p}"`);
      o.path = p;
    } else if (a === "--mode") {
      const m = value();
      if (m !== "decode" && m !== "encode" && m !== "both")
        throw new CliError(`--mode: expected decode, encode or both, got "${m}"`);
      o.mode = m;
    } else if (a.startsWith("--")) throw new CliError(`unknown option ${a}`);
    else if (id === undefined) id = a;
    else throw new CliError(`conform takes one <format>, got "${a}" too`);
  });
  const format = formatArgument(id);
  if (cmd === undefined || cmd.trim() === "")
    throw new CliError("missing --cmd '<program>' (the implementation to test)");
  return {
    format,
    cmd,
    seed: seed ?? (Math.random() * 0x7fffffff) | 0,
    ...o,
  };
}

/** One generated case: a valid value, possibly with its encoding damaged. */
interface ConformCase {
  readonly value: unknown;
  readonly mutation: Mutation | null;
}

/**
 * Cases: values of the generated arbitrary (whose bias already puts fields at 0 and at their
 * maximum), some moved to a boundary of their variant (`boundaryCases`), some with their
 * encoding damaged. Boundaries and damage shrink away when the failure does not need them.
 */
function caseArbitrary(o: ConformOptions): fc.Arbitrary<ConformCase> {
  const f = o.format;
  const values = fc
    .record({
      base: arbitraryOf(f),
      boundary: fc.oneof(
        { withCrossShrink: true },
        { weight: 3, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.nat({ max: 3 }) },
      ),
    })
    .map(({ base, boundary }) => {
      if (boundary === null) return base;
      const cases = boundaryCases(f, f.variantOf(base), base);
      return cases.length === 0 ? base : cases[boundary % cases.length]!.value;
    });
  if (o.mode === "encode") return values.map((value) => ({ value, mutation: null }));
  return fc.record({
    value: values,
    mutation: fc.oneof(
      { withCrossShrink: true },
      { weight: 3, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: arbMutation },
    ),
  });
}

const json = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** The running program, restarted after a case that broke it. */
class Implementation {
  private child: LineChild | undefined;
  /** Requests sent. */
  requests = 0;
  constructor(
    private readonly cmd: string,
    private readonly timeoutMs: number,
  ) {}

  async ask(request: string): Promise<Answer> {
    if (this.child === undefined || this.child.exited) this.child = new LineChild(this.cmd);
    this.requests++;
    return this.child.request(request, this.timeoutMs);
  }

  /** Stops the current instance (after garbage, so the next case starts in step). */
  restart(): void {
    this.child?.kill();
    this.child = undefined;
  }

  async close(): Promise<void> {
    await this.child?.close();
  }
}

function brokenAnswer(answer: Answer, request: string, timeoutMs: number): ConformFailure {
  if (answer.kind === "timeout")
    return new ConformFailure(
      "timeout",
      request,
      `no answer within ${timeoutMs} ms`,
      "",
      "",
      undefined,
    );
  const a = answer as Extract<Answer, { kind: "exit" }>;
  const tail = a.stderr === "" ? "" : ` (stderr: ${a.stderr})`;
  return new ConformFailure(
    "crash",
    request,
    `the program ended with ${a.how}${tail}`,
    "",
    "",
    undefined,
  );
}

/** Checks one `decode` request. */
async function checkDecode(
  f: AnyFormatInfo,
  impl: Implementation,
  bytes: Uint8Array,
  timeoutMs: number,
): Promise<void> {
  const request = `decode ${toHex(bytes)}`;
  const ref = referenceDecode(f, bytes);
  const answer = await impl.ask(request);
  if (answer.kind !== "line") throw brokenAnswer(answer, request, timeoutMs);
  const text = answer.text.trim();
  const expected = ref.ok ? json(ref.json) : `error: ${ref.error.message}`;
  if (text.startsWith("error:")) {
    if (ref.ok)
      throw new ConformFailure(
        "mismatch",
        request,
        "rejected bytes the reference decodes",
        expected,
        text,
        undefined,
      );
    return;
  }
  let got: unknown;
  try {
    got = JSON.parse(text);
  } catch {
    impl.restart();
    throw new ConformFailure(
      "garbage",
      request,
      `answered neither JSON nor "error:": ${json(text.slice(0, 80))}`,
      expected,
      text,
      undefined,
    );
  }
  if (!ref.ok)
    throw new ConformFailure(
      "mismatch",
      request,
      `decoded bytes the reference rejects (${ref.error.name}: ${ref.error.message})`,
      expected,
      text,
      undefined,
    );
  const d = firstDifference(ref.value, got);
  if (d) throw new ConformFailure("mismatch", request, describe(d), expected, text, d);
}

/** Checks one `encode` request. */
async function checkEncode(
  f: AnyFormatInfo,
  impl: Implementation,
  value: unknown,
  timeoutMs: number,
): Promise<void> {
  const request = `encode ${json(valueToJson(value))}`;
  const want = toHex(f.encode(value));
  const answer = await impl.ask(request);
  if (answer.kind !== "line") throw brokenAnswer(answer, request, timeoutMs);
  const text = answer.text.trim();
  if (text.startsWith("error:"))
    throw new ConformFailure("mismatch", request, "rejected a valid value", want, text, undefined);
  if (!/^[0-9a-fA-F]*$/.test(text) || text.length % 2 !== 0) {
    impl.restart();
    throw new ConformFailure(
      "garbage",
      request,
      `answered neither hex nor "error:": ${json(text.slice(0, 80))}`,
      want,
      text,
      undefined,
    );
  }
  const got = text.toLowerCase();
  if (got === want) return;
  const ref = referenceDecode(f, Uint8Array.from(Buffer.from(got, "hex")));
  const d = ref.ok ? firstDifference(value, ref.json) : undefined;
  if (d) throw new ConformFailure("mismatch", request, describe(d), want, got, d);
  let at = 0;
  while (at < Math.min(got.length, want.length) && got[at] === want[at]) at++;
  const summary = ref.ok
    ? `the encoding differs at byte ${at >> 1}`
    : `the encoding differs at byte ${at >> 1} and the reference rejects it (${ref.error.message})`;
  throw new ConformFailure("mismatch", request, summary, want, got, undefined);
}

function describe(d: Difference): string {
  const field = d.path === "" ? "the answer" : `field "${d.path}"`;
  const got = d.got === undefined ? "nothing" : json(d.got);
  return d.expected === null
    ? `${field} is not in the reference`
    : `${field}: expected ${json(d.expected)}, got ${got}`;
}

function quote(s: string): string {
  return /^[\w./:=@+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** `rashpa conform`; returns the exit status. */
export async function conformCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const o = parse(argv);
  const f = o.format;
  io.stdout(
    `conform ${f.id}: seed ${o.seed}, ${o.runs} runs, mode ${o.mode}, timeout ${o.timeoutMs} ms\n`,
  );
  const impl = new Implementation(o.cmd, o.timeoutMs);
  let stop = false;
  const runCase = async (c: ConformCase): Promise<void> => {
    if (o.mode !== "encode") {
      const bytes = f.encode(c.value);
      await checkDecode(f, impl, c.mutation ? mutate(bytes, c.mutation) : bytes, o.timeoutMs);
    }
    if (o.mode !== "decode" && c.mutation === null)
      await checkEncode(f, impl, c.value, o.timeoutMs);
  };
  let details: fc.RunDetails<[ConformCase]>;
  try {
    details = await fc.check(
      fc.asyncProperty(caseArbitrary(o), async (c) => {
        // A crash, a timeout or garbage is reported for the first case that shows it: shrinking
        // would restart (or wait for) the program at every step.
        if (stop) return;
        try {
          await runCase(c);
        } catch (e) {
          if (e instanceof ConformFailure && e.kind !== "mismatch") stop = true;
          throw e;
        }
      }),
      { seed: o.seed, numRuns: o.runs, ...(o.path !== undefined ? { path: o.path } : {}) },
    );
  } finally {
    await impl.close();
  }
  if (!details.failed) {
    io.stdout(
      `conform ${f.id}: ok, ${details.numRuns} runs, ${impl.requests} requests agree with the reference\n`,
    );
    return CONFORM_EXIT.ok;
  }
  const failure = details.errorInstance;
  if (!(failure instanceof ConformFailure)) throw failure;
  const [c] = details.counterexample!;
  const replay = [
    "rashpa conform",
    f.id,
    "--cmd",
    quote(o.cmd),
    "--seed",
    String(o.seed),
    "--path",
    details.counterexamplePath!,
    ...(o.mode !== "both" ? ["--mode", o.mode] : []),
  ].join(" ");
  const lines = [
    `conform ${f.id}: FAILED (${failure.kind}) after ${details.numRuns} runs, shrunk ${details.numShrinks} times`,
    `  case:     ${c.mutation ? `${mutationName(f.encode(c.value), c.mutation)} of ` : ""}${json(valueToJson(c.value))}`,
    `  request:  ${failure.request}`,
    ...(failure.expected !== "" ? [`  expected: ${failure.expected}`] : []),
    ...(failure.got !== "" ? [`  got:      ${failure.got}`] : []),
    `  problem:  ${failure.summary}`,
    ...(failure.difference
      ? [
          `  first difference: "${failure.difference.path}": expected ${json(failure.difference.expected)}, got ${failure.difference.got === undefined ? "nothing" : json(failure.difference.got)}`,
        ]
      : []),
    `  replay:   ${replay}`,
  ];
  io.stdout(`${lines.join("\n")}\n`);
  io.stderr(
    `rashpa: conform ${f.id}: ${failure.kind}: ${failure.summary} (seed ${o.seed}, path ${details.counterexamplePath!})\n`,
  );
  return CONFORM_EXIT[failure.kind];
}
