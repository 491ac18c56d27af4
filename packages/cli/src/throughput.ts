/**
 * `rashpa throughput pcie`: the PCIe link throughput model of `@rashpa/pcie` (pcie.md §11) from
 * the command line, as a small table or (with `--json`) the model's output object; `rashpa
 * throughput srio` is dispatched to {@link srioThroughputCommand}.
 *
 * @module
 */
import { PcieThroughputError, pcieThroughput } from "@rashpa/pcie";
import type { PcieThroughput, PcieThroughputOptions } from "@rashpa/pcie";
import { CliError } from "./cli.js";
import type { CliIo } from "./cli.js";
import { srioThroughputCommand } from "./throughput-srio.js";

/** Options taking a number, with the model option each sets. */
const VALUE_OPTIONS = {
  "--gen": "generation",
  "--width": "width",
  "--mps": "maxPayloadSize",
  "--mrrs": "maxReadRequestSize",
  "--rcb": "readCompletionBoundary",
  "--tags": "outstandingReads",
  "--rtt-ns": "roundTripNs",
  "--acks": "acksPerTlp",
  "--updatefcs": "updateFcsPerTlp",
} as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function parse(argv: readonly string[]): { options: PcieThroughputOptions; json: boolean } {
  const [target, ...rest] = argv;
  if (target === undefined)
    throw new CliError("throughput: missing the link (rashpa throughput pcie|srio …)");
  if (target !== "pcie")
    throw new CliError(`throughput: unknown link "${target}" (known: pcie, srio)`);
  const o: Mutable<Partial<PcieThroughputOptions>> = {};
  const seen = new Set<string>();
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (seen.has(a)) throw new CliError(`option ${a} given twice`);
    seen.add(a);
    if (a in VALUE_OPTIONS) {
      const v = rest[++i];
      if (v === undefined || v.startsWith("--")) throw new CliError(`option ${a} needs a number`);
      const n = Number(v);
      if (v.trim() === "" || !Number.isFinite(n))
        throw new CliError(`option ${a} expects a number, got "${v}"`);
      o[VALUE_OPTIONS[a as keyof typeof VALUE_OPTIONS]] = n;
    } else if (a === "--ecrc") o.ecrc = true;
    else if (a === "--addr64") o.address64 = true;
    else if (a === "--read") o.direction = "read";
    else if (a === "--json") json = true;
    else if (a.startsWith("--")) throw new CliError(`unknown option ${a}`);
    else throw new CliError(`unexpected argument "${a}"`);
  }
  if (o.generation === undefined) throw new CliError("missing --gen <1-6>");
  if (o.width === undefined) throw new CliError("missing --width <lanes>");
  return { options: o as PcieThroughputOptions, json };
}

/** The name of each model option on the command line, for error messages. */
function flagOf(option: string): string {
  for (const [flag, name] of Object.entries(VALUE_OPTIONS)) if (name === option) return flag;
  return option;
}

function table(t: PcieThroughput): string {
  const o = t.options;
  const f = (x: number, d: number): string => x.toFixed(d);
  const rows: [string, string][] = [
    [
      "link",
      `Gen${o.generation} x${o.width}${t.flitMode ? " (flit mode)" : ""}, ${o.direction}s, ` +
        `MPS ${o.maxPayloadSize}, MRRS ${o.maxReadRequestSize}, RCB ${o.readCompletionBoundary}, ` +
        `${o.address64 ? "64" : "32"}-bit, ECRC ${o.ecrc ? "on" : "off"}`,
    ],
    ["raw", `${f(t.rawGbps, 3)} Gb/s`],
    ["after encoding", `${f(t.encodedGbps, 3)} Gb/s (e = ${f(t.encodingEfficiency, 5)})`],
    ["TLP efficiency", f(t.tlpEfficiency, 4)],
    ["DLLP share", f(t.dllpShare, 4)],
    ["link payload", `${f(t.linkPayloadGbps, 3)} Gb/s`],
  ];
  if (t.outstandingLimitGbps !== null)
    rows.push([
      "outstanding limit",
      `${f(t.outstandingLimitGbps, 3)} Gb/s (${o.outstandingReads} × ${o.maxReadRequestSize} B / ${o.roundTripNs} ns)`,
    ]);
  rows.push(
    ["payload", `${f(t.payloadGbps, 3)} Gb/s = ${f(t.payloadGBps, 3)} GB/s`],
    ["limit", t.limit],
  );
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}\n`).join("");
}

/**
 * `rashpa throughput pcie|srio …` (argv after `throughput`).
 *
 * @throws {@link CliError} on a bad option
 */
export function throughputCommand(argv: readonly string[], io: CliIo): void {
  if (argv[0] === "srio") {
    srioThroughputCommand(argv.slice(1), io);
    return;
  }
  const { options, json } = parse(argv);
  let t: PcieThroughput;
  try {
    t = pcieThroughput(options);
  } catch (e) {
    if (e instanceof PcieThroughputError)
      throw new CliError(`${flagOf(e.option)}: ${e.message.replace(/^"[^"]*" /, "")}`);
    throw e;
  }
  io.stdout(json ? `${JSON.stringify(t, null, 2)}\n` : table(t));
}
