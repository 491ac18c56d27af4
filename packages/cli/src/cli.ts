/**
 * The `rashpa` command. Output shapes are stable (firmware CI scripts call these commands);
 * they are documented in this package's README.
 *
 * - `rashpa formats [--json]` — every format id with its title, size and variants;
 * - `rashpa decode <format> [hex] [--compact] [--allow-trailing]` — hex (argument or stdin) →
 *   JSON with the spec's field names;
 * - `rashpa encode <format> [json]` — JSON (argument or stdin) → lower-case hex;
 * - `rashpa vectors <format> […]` — test vectors as JSON lines (see `vectors.ts`);
 * - `rashpa conform <format> --cmd '<program>' […]` — differential testing of an external
 *   implementation over a line protocol (see `conform.ts`; exit statuses 2–5 report failures);
 * - `rashpa throughput pcie --gen G --width W [--mps N] […] [--json]` — the PCIe link
 *   throughput model of `@rashpa/pcie` (pcie.md §11) as a table or JSON;
 * - `rashpa regs [<map> [decode <register> <value>]] [--json]` — the register maps (see
 *   `regs.ts` for the shapes);
 * - `rashpa throughput srio --baud B --width W [--cs C] [--packet T] […] [--json]` — the SRIO
 *   link throughput model of `@rashpa/srio` (srio.md §10) as a table or JSON;
 * - `rashpa model pcie --link gen2x4 [--calibration C] [--set name=value …] [--json]`,
 *   `rashpa model pcie --calibrations [--json]` and `rashpa model fit [file] [--json]` — the
 *   RASHPA PCIe data-path model of `@rashpa/emulator` (see `model.ts`);
 * - `rashpa acquire [config] […]` — an acquisition run by librashpa over the emulated PCIe link:
 *   progress, per-channel table, PNG previews (what `npm start` runs first; see `acquire.ts`);
 * - `rashpa receive <config> --receiver NAME --manager HOST:PORT` — a RoCEv2 data receiver in
 *   a process of its own, for `acquire --remote NAME` (see `receive.ts`);
 * - `rashpa emulate […]` — the paper's demo on the reference emulator, with the throughput table
 *   at both measurement points (what `npm start` runs next; see `emulate.ts`);
 * - `rashpa demo` — a short tour of the specs, generator and codecs.
 *
 * Errors: one line on stderr starting with `rashpa: `, exit status 1, no stack trace.
 *
 * @module
 */
import { CodecError, fromHex, toHex, valueToJson } from "@rashpa/bits";
import type { AnyFormatInfo } from "@rashpa/bits";
import { ALL_FORMATS, findFormat } from "./registry.js";
import { decodePrefix } from "./codec-io.js";
import { runDemo } from "./demo.js";
import { acquireCommand } from "./acquire.js";
import { receiveCommand } from "./receive.js";
import { emulateCommand } from "./emulate.js";
import { modelCommand } from "./model.js";
import { regsCommand } from "./regs.js";
import { throughputCommand } from "./throughput.js";
import { vectorsCommand } from "./vectors.js";
import { conformCommand } from "./conform.js";

/** Where the command writes and reads. */
export interface CliIo {
  /** Writes text to standard output (callers include the newlines). */
  readonly stdout: (text: string) => void;
  /** Writes text to standard error (callers include the newlines). */
  readonly stderr: (text: string) => void;
  /** Reads all of standard input (used when a hex or JSON argument is omitted). */
  readonly stdin: () => Promise<string>;
  /** Standard error is a terminal: progress lines are redrawn in place. */
  readonly tty?: boolean;
}

/** A user-facing error: printed as one line, exit status 1. */
export class CliError extends Error {
  /** Always `"CliError"`. */
  override readonly name = "CliError";
}

const USAGE = `usage: rashpa <command> [arguments]

commands:
  formats [--json]                              list every format id
  decode <format> [hex] [--compact] [--allow-trailing]
                                                decode hex (argument or stdin) to JSON
  encode <format> [json]                        encode JSON (argument or stdin) to hex
  vectors <format> [--count N] [--seed S] [--variant NAME] [--invalid]
                                                test vectors as JSON lines (every variant, edge values)
  conform <format> --cmd '<program>' [--seed S] [--runs N] [--mode decode|encode|both]
                  [--timeout MS] [--path P]     test an implementation against the reference codec
  throughput pcie --gen <1-6> --width <lanes> [--mps <bytes>] [--mrrs <bytes>]
                  [--rcb <64|128>] [--ecrc] [--addr64] [--read] [--tags <n>]
                  [--rtt-ns <ns>] [--acks <per TLP>] [--updatefcs <per TLP>] [--json]
                                                PCIe link throughput model (table or JSON)
  regs [<map> [decode <register> <value>]] [--json]
                                                list register maps, a map, or decode a value
  throughput srio --baud <Gbaud> --width <lanes> [--cs <24|48|64>] [--packet <type>]
                  [--payload <bytes>] [--ids <8|16|32>] [--addr <34|50|66>]
                  [--transfer <bytes> [--address <addr>]] [--json]
                                                SRIO link throughput model (table or JSON)
  model pcie --link <gen<G>x<W>> [--calibration <name>] [--set <name>=<value>]… [--json]
                                                RASHPA data-path model: FPGA and application level
  model pcie --calibrations [--json]            list the named calibrations and their residuals
  model fit [<file.json> | -] [--json]          fit model parameters to measured points
  acquire [config.yaml] [--frames N] [--speed fast|wire] [--out DIR] [--no-preview] [--json]
          [--remote NAME[,NAME…]] [--listen HOST:PORT]
                                                an acquisition by librashpa: progress, table, PNG previews
  receive <config.yaml> --receiver NAME --manager HOST:PORT [--frames N] [--json]
                                                a RoCEv2 data receiver in its own process
  emulate [--frames N] [--link genGxW] [--speed fast|wire] [--pcap FILE] [--json]
                                                the paper's demo on the emulator: both measurement points
  demo                                          a short tour of specs, generator and codecs
  help                                          this text

Errors are one line on stderr and exit with status 1; conform exits with 2 (an answer
differs), 3 (the program ended), 4 (no answer in time) or 5 (garbage answer).`;

function format(id: string | undefined): AnyFormatInfo {
  if (id === undefined) throw new CliError("missing <format> (see rashpa formats)");
  const f = findFormat(id);
  if (!f) throw new CliError(`unknown format "${id}" (see rashpa formats)`);
  return f;
}

async function argOrStdin(arg: string | undefined, io: CliIo, what: string): Promise<string> {
  if (arg !== undefined) return arg;
  const text = await io.stdin();
  if (text.trim() === "") throw new CliError(`missing ${what} (argument or standard input)`);
  return text;
}

function split(argv: readonly string[]): { args: string[]; flags: Set<string> } {
  const args: string[] = [];
  const flags = new Set<string>();
  for (const a of argv) {
    if (a.startsWith("--")) flags.add(a);
    else args.push(a);
  }
  return { args, flags };
}

function checkFlags(flags: Set<string>, allowed: readonly string[]): void {
  for (const f of flags) if (!allowed.includes(f)) throw new CliError(`unknown option ${f}`);
}

/** `rashpa formats`. */
function formatsCommand(flags: Set<string>, io: CliIo): void {
  checkFlags(flags, ["--json"]);
  if (flags.has("--json")) {
    const list = ALL_FORMATS.map((f) => ({
      id: f.id,
      title: f.title,
      bytes: f.fixedBytes ?? null,
      spec: f.spec,
      variants: f.variants.map((v) => v.name),
    }));
    io.stdout(`${JSON.stringify(list, null, 2)}\n`);
    return;
  }
  const width = Math.max(...ALL_FORMATS.map((f) => f.id.length));
  for (const f of ALL_FORMATS) {
    const size = f.fixedBytes === undefined ? "variable" : `${f.fixedBytes} B`;
    io.stdout(`${f.id.padEnd(width)}  ${size.padEnd(8)}  ${f.title}\n`);
  }
}

/** `rashpa decode`. */
async function decodeCommand(args: string[], flags: Set<string>, io: CliIo): Promise<void> {
  checkFlags(flags, ["--compact", "--allow-trailing"]);
  const f = format(args[0]);
  if (args.length > 2)
    throw new CliError("decode takes one hex argument (quote it if it has spaces)");
  const text = await argOrStdin(args[1], io, "hex input");
  const bytes = fromHex(text.trim());
  const { value, used } = decodePrefix(f, bytes);
  if (used !== bytes.length && !flags.has("--allow-trailing"))
    throw new CliError(
      `${f.id} takes ${used} bytes, the input has ${bytes.length} (use --allow-trailing to ignore the rest)`,
    );
  io.stdout(
    `${JSON.stringify(valueToJson(value), null, flags.has("--compact") ? undefined : 2)}\n`,
  );
}

/** `rashpa encode`. */
async function encodeCommand(args: string[], flags: Set<string>, io: CliIo): Promise<void> {
  checkFlags(flags, []);
  const f = format(args[0]);
  if (args.length > 2) throw new CliError("encode takes one JSON argument (quote it)");
  const text = await argOrStdin(args[1], io, "JSON input");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(`the input is not JSON: ${(e as Error).message}`);
  }
  io.stdout(`${toHex(f.encode(f.fromJson(json)))}\n`);
}

/**
 * Runs the command line (without `node` and the script name).
 *
 * @returns the exit status
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const { args, flags } = split(rest);
  try {
    switch (command) {
      case "formats":
        formatsCommand(flags, io);
        return 0;
      case "decode":
        await decodeCommand(args, flags, io);
        return 0;
      case "encode":
        await encodeCommand(args, flags, io);
        return 0;
      case "vectors":
        vectorsCommand(rest, io);
        return 0;
      case "conform":
        return await conformCommand(rest, io);
      case "throughput":
        throughputCommand(rest, io);
        return 0;
      case "model":
        await modelCommand(rest, io);
        return 0;
      case "regs":
        regsCommand(args, flags, io);
        return 0;
      case "emulate":
        emulateCommand(rest, io);
        return 0;
      case "acquire":
        await acquireCommand(rest, io);
        return 0;
      case "receive":
        await receiveCommand(rest, io);
        return 0;
      case "demo":
        checkFlags(flags, []);
        runDemo(io);
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout(`${USAGE}\n`);
        return command === undefined ? 1 : 0;
      default:
        throw new CliError(`unknown command "${command}" (see rashpa help)`);
    }
  } catch (e) {
    io.stderr(`rashpa: ${oneLine(e)}\n`);
    return 1;
  }
}

function oneLine(e: unknown): string {
  if (e instanceof CliError || e instanceof CodecError) return e.message.replace(/\s*\n\s*/g, " ");
  if (e instanceof Error) return `${e.name}: ${e.message}`.replace(/\s*\n\s*/g, " ");
  return String(e);
}
