/**
 * `rashpa throughput srio`: the Serial RapidIO link throughput model of `@rashpa/srio`
 * (srio.md §10) from the command line, as a small table or (with `--json`) the model's output
 * object, optionally with the time and goodput of one stream transfer.
 *
 * @module
 */
import {
  SrioStreamError,
  SrioThroughputError,
  srioStreamThroughput,
  srioThroughput,
} from "@rashpa/srio";
import type { ThroughputPacketType, SrioThroughput, SrioThroughputOptions } from "@rashpa/srio";
import { CliError } from "./cli.js";
import type { CliIo } from "./cli.js";

/** Options taking a number, with the model option each sets. */
const VALUE_OPTIONS = {
  "--baud": "baudGbaud",
  "--width": "width",
  "--cs": "controlSymbol",
  "--payload": "payloadBytes",
  "--ids": "idBits",
  "--addr": "addressBits",
} as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Parsed {
  readonly options: SrioThroughputOptions;
  readonly transfer: number | null;
  readonly address: bigint;
  readonly json: boolean;
}

function parse(argv: readonly string[]): Parsed {
  const o: Mutable<Partial<SrioThroughputOptions>> = {};
  const seen = new Set<string>();
  let json = false;
  let transfer: number | null = null;
  let address: bigint | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (seen.has(a)) throw new CliError(`option ${a} given twice`);
    seen.add(a);
    const value = (what: string): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new CliError(`option ${a} needs ${what}`);
      return v;
    };
    if (a in VALUE_OPTIONS) {
      const v = value("a number");
      const n = Number(v);
      if (v.trim() === "" || !Number.isFinite(n))
        throw new CliError(`option ${a} expects a number, got "${v}"`);
      o[VALUE_OPTIONS[a as keyof typeof VALUE_OPTIONS]] = n;
    } else if (a === "--packet") o.packet = value("a packet type") as ThroughputPacketType;
    else if (a === "--transfer") {
      const v = value("a byte count");
      const n = Number(v);
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(n))
        throw new CliError(`option --transfer expects a byte count, got "${v}"`);
      transfer = n;
    } else if (a === "--address") {
      const v = value("an address");
      if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(v))
        throw new CliError(`option --address expects a decimal or 0x address, got "${v}"`);
      address = BigInt(v);
    } else if (a === "--json") json = true;
    else if (a.startsWith("--")) throw new CliError(`unknown option ${a}`);
    else throw new CliError(`unexpected argument "${a}"`);
  }
  if (o.baudGbaud === undefined) throw new CliError("missing --baud <Gbaud>");
  if (o.width === undefined) throw new CliError("missing --width <lanes>");
  if (address !== null && transfer === null)
    throw new CliError("option --address needs --transfer <bytes>");
  return { options: o as SrioThroughputOptions, transfer, address: address ?? 0n, json };
}

/** The name of each model option on the command line, for error messages. */
function flagOf(option: string): string {
  for (const [flag, name] of Object.entries(VALUE_OPTIONS)) if (name === option) return flag;
  if (option === "packet") return "--packet";
  if (option === "byteLength") return "--transfer";
  if (option === "address") return "--address";
  return option;
}

/** The `transfer` member of the JSON output. */
interface TransferJson {
  readonly address: string;
  readonly byteLength: number;
  readonly packets: number;
  readonly swrites: number;
  readonly nwrites: number;
  readonly linkBytes: number;
  readonly timeNs: number;
  readonly goodputGbps: number;
  readonly efficiency: number;
}

function table(t: SrioThroughput, transfer: TransferJson | null): string {
  const o = t.options;
  const s = t.size;
  const f = (x: number, d: number): string => x.toFixed(d);
  const rows: [string, string][] = [
    [
      "link",
      `${o.width}x ${o.baudGbaud} Gbaud (Baud Rate Class ${t.baudRateClass}), ${t.encoding}, CS${o.controlSymbol}`,
    ],
    [
      "packet",
      `${o.packet}, ${o.payloadBytes} B payload, Dev${o.idBits}, ${o.addressBits}-bit addresses`,
    ],
    [
      "packet bytes",
      `${t.packetBytes} (header ${s.headerBytes} + payload ${s.wirePayloadBytes} + CRC ${s.crcBytes} + pad ${s.padBytes}` +
        `${t.encoding === "64b/67b" ? ` + CRC-32 and fill to 8` : ""}) + ${t.controlSymbolBytes} control symbol`,
    ],
    ["raw", `${f(t.rawGbps, 3)} Gbaud`],
    ["after encoding", `${f(t.encodedGbps, 3)} Gb/s`],
    ["clock compensation", f(t.clockCompensationFactor, 5)],
    ["packet efficiency", f(t.packetEfficiency, 4)],
    ["efficiency", `${f(t.efficiency, 4)} of line baud`],
    ["goodput", `${f(t.goodputGbps, 3)} Gb/s = ${f(t.goodputGBps, 3)} GB/s`],
    ["packets", `${f(t.packetsPerUs, 3)} per µs`],
  ];
  if (transfer !== null)
    rows.push(
      [
        "transfer",
        `${transfer.byteLength} B at ${transfer.address}: ${transfer.swrites} SWRITE + ${transfer.nwrites} NWRITE, ${transfer.linkBytes} link bytes`,
      ],
      [
        "transfer time",
        `${f(transfer.timeNs, 1)} ns, ${f(transfer.goodputGbps, 3)} Gb/s (efficiency ${f(transfer.efficiency, 4)})`,
      ],
    );
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}\n`).join("");
}

/**
 * `rashpa throughput srio …` (argv after `srio`).
 *
 * @throws {@link CliError} on a bad option
 */
export function srioThroughputCommand(argv: readonly string[], io: CliIo): void {
  const { options, transfer, address, json } = parse(argv);
  let t: SrioThroughput;
  let tr: TransferJson | null = null;
  try {
    t = srioThroughput(options);
    if (transfer !== null) {
      const s = srioStreamThroughput(address, transfer, {
        baudGbaud: t.options.baudGbaud,
        width: t.options.width,
        controlSymbol: t.options.controlSymbol,
        idBits: t.options.idBits,
        stream: { addressBits: t.options.addressBits },
      });
      tr = {
        address: `0x${address.toString(16)}`,
        byteLength: transfer,
        packets: s.packets,
        swrites: s.plan.swriteCount,
        nwrites: s.plan.headCount + s.plan.tailCount,
        linkBytes: s.linkBytes,
        timeNs: s.timeNs,
        goodputGbps: s.goodputGbps,
        efficiency: s.efficiency,
      };
    }
  } catch (e) {
    if (e instanceof SrioThroughputError)
      throw new CliError(`${flagOf(e.option)}: ${e.message.replace(/^"[^"]*" /, "")}`);
    if (e instanceof SrioStreamError)
      throw new CliError(`${flagOf(e.path ?? "")}: ${e.message.replace(/^"[^"]*" /, "")}`);
    throw e;
  }
  io.stdout(json ? `${JSON.stringify({ ...t, transfer: tr }, null, 2)}\n` : table(t, tr));
}
