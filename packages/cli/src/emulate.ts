/**
 * `rashpa emulate`: the paper's demonstration run on the reference emulator (what `npm start`
 * runs) — full frames to a detector PC and a region of interest to an industrial PC, configured
 * through the controller's registers, timed in simulated time with the `esrf-2013-gen2x4`
 * calibration, every received frame verified — and the throughput table at the two points the
 * paper measured (inside the FPGA, at the application) beside the analytic model.
 *
 * Options: `--frames N` (default 16), `--link genGxW` (default gen2x4), `--speed fast|wire`
 * (default fast; wire materialises and encodes every TLP), `--pcap FILE` (wire path: write the
 * TLPs to FILE and the BTD/event records to FILE with `.records` before the extension),
 * `--json`.
 *
 * JSON shape (stable): the emulator's `DefaultAcquisitionSummary` with bigint-free numbers:
 * `{ link, speed, frames, bytes, fpgaGbps, fpgaFraction, tlps, events, simulatedUs,
 * detectorPc: ChannelFigures, industrialPc: ChannelFigures, model: { fpgaGbps, fpgaFraction,
 * applicationGbps, applicationFraction, … }, verified, framesChecked }`.
 *
 * @module
 */
import {
  LINKTYPE_USER0,
  LINKTYPE_USER1,
  PcapFileWriter,
  RashpaModelError,
  runDefaultAcquisition,
} from "@rashpa/emulator";
import type { ChannelFigures, DefaultAcquisitionSummary } from "@rashpa/emulator";
import { CliError } from "./cli.js";
import { framesOption, speedOption, walkOptions } from "./options.js";
import type { CliIo } from "./cli.js";

interface EmulateOptions {
  frames: number;
  link: string;
  speed: "fast" | "wire";
  pcap: string | undefined;
  json: boolean;
}

function parse(argv: readonly string[]): EmulateOptions {
  const o: EmulateOptions = {
    frames: 16,
    link: "gen2x4",
    speed: "fast",
    pcap: undefined,
    json: false,
  };
  walkOptions(argv, (a, value) => {
    switch (a) {
      case "--frames":
        o.frames = framesOption(value(), 100_000);
        break;
      case "--link":
        o.link = value();
        break;
      case "--speed":
        o.speed = speedOption(value());
        break;
      case "--pcap":
        o.pcap = value();
        break;
      case "--json":
        o.json = true;
        break;
      default:
        throw new CliError(`unknown option ${a} (see rashpa help)`);
    }
  });
  if (o.pcap !== undefined && o.speed !== "wire")
    throw new CliError("--pcap needs --speed wire (the fast path materialises no TLP)");
  return o;
}

const gbps = (v: number): string => `${v.toFixed(3)} Gb/s`;
const pct = (v: number): string => `${(100 * v).toFixed(2)} %`;

function channelRows(name: string, c: ChannelFigures): string[] {
  return [
    `  ${name.padEnd(30)} ${String(c.frames).padStart(6)} ${(c.bytes / 2 ** 20).toFixed(2).padStart(9)} MiB` +
      `  ${gbps(c.fpgaGbps).padStart(13)} ${pct(c.fpgaFraction).padStart(8)}` +
      `  ${gbps(c.applicationGbps).padStart(13)} ${pct(c.applicationFraction).padStart(8)}`,
  ];
}

function recordsPath(path: string): string {
  const dot = path.lastIndexOf(".");
  return dot > path.lastIndexOf("/")
    ? `${path.slice(0, dot)}.records${path.slice(dot)}`
    : `${path}.records`;
}

/**
 * Runs `rashpa emulate …`.
 *
 * @param argv - the arguments after `emulate`
 * @throws CliError on a bad option
 */
export function emulateCommand(argv: readonly string[], io: CliIo): void {
  const o = parse(argv);
  const captures =
    o.pcap === undefined
      ? undefined
      : {
          tlp: new PcapFileWriter(o.pcap, { linkType: LINKTYPE_USER0 }),
          records: new PcapFileWriter(recordsPath(o.pcap), { linkType: LINKTYPE_USER1 }),
        };
  let s: DefaultAcquisitionSummary;
  try {
    s = runDefaultAcquisition({
      frames: o.frames,
      link: o.link,
      speed: o.speed,
      ...(captures ? { tlpCapture: captures.tlp, recordCapture: captures.records } : {}),
    });
  } catch (e) {
    if (e instanceof RashpaModelError) throw new CliError(e.message);
    throw e;
  } finally {
    captures?.tlp.close();
    captures?.records.close();
  }
  if (o.json) {
    io.stdout(`${JSON.stringify(s, null, 2)}\n`);
    return;
  }
  const out = (line = ""): void => io.stdout(`${line}\n`);
  out(
    `rashpa emulate: the paper's demo on the reference emulator — ${s.link}, ${s.speed} path, ${s.frames} frames`,
  );
  out("  full 512×512 16-bit frames → detector-pc, a 128×128 ROI → industrial-pc (SYSTEM.md §1)");
  out(
    "  configured through the controller registers; timing in simulated time, calibration esrf-2013-gen2x4",
  );
  out();
  out(
    `  ${"".padEnd(30)} ${"frames".padStart(6)} ${"data".padStart(13)}  ${"inside the FPGA".padStart(22)}  ${"at the application".padStart(22)}`,
  );
  for (const row of channelRows("detector-pc (full frames)", s.detectorPc)) out(row);
  for (const row of channelRows("industrial-pc (ROI)", s.industrialPc)) out(row);
  out(
    `  ${"both channels on the link".padEnd(30)} ${"".padStart(6)} ${(s.bytes / 2 ** 20).toFixed(2).padStart(9)} MiB  ${gbps(s.fpgaGbps).padStart(13)} ${pct(s.fpgaFraction).padStart(8)}`,
  );
  out(
    `  ${"analytic model (full frames)".padEnd(30)} ${"".padStart(6)} ${"".padStart(13)}  ${gbps(s.model.fpgaGbps).padStart(13)} ${pct(s.model.fpgaFraction).padStart(8)}  ${gbps(s.model.applicationGbps).padStart(13)} ${pct(s.model.applicationFraction).padStart(8)}`,
  );
  out();
  out(
    `  latency per frame (detector-pc): ${s.detectorPc.fpgaLatencyUs.toFixed(1)} µs inside the FPGA, ${s.detectorPc.applicationLatencyUs.toFixed(1)} µs at the application`,
  );
  out(
    `  ${s.tlps} MWr TLPs, ${s.events} event records, ${s.simulatedUs.toFixed(1)} µs simulated; paper (Gen2 x4): 68 % inside the FPGA, 51.15 % at the application`,
  );
  out(
    `  ${s.framesChecked} frames received and verified bit-exactly: ${s.verified ? "all good" : "MISMATCH"}`,
  );
  if (captures) out(`  captures: ${o.pcap} (TLPs), ${recordsPath(o.pcap!)} (BTDs and events)`);
  if (!s.verified) throw new CliError("a received frame did not verify");
}
