/**
 * `rashpa acquire [config]`: an acquisition run by librashpa (`@rashpa/client`) — the
 * configuration read and checked, the controller programmed through its registers over an
 * emulated link (PCIe, SRIO through the PCIe–SRIO bridge, or RoCEv2 over UDP, as the
 * receivers' `link.kind` say: `openEmulatedLink`), the frames taken from the unified event
 * stream as they land in receiver memory — with a progress line (frames, GB, GB/s), a final table per channel of simulated and wall-clock
 * throughput, and a PNG preview of the last full frame and the last ROI.
 *
 * Options: `[config]` a YAML or JSON acquisition description (default: the paper's demo,
 * `examples/acquisition.yaml`), `--frames N` (overrides `detector.frames`), `--speed
 * fast|wire`, `--out DIR` (previews; default `rashpa-preview`), `--no-preview`, `--json`.
 *
 * JSON shape (stable): `{ link, frames, wallSeconds, channels: [{ name, receiver, kind,
 * frames, errored, bytes, simulatedGbps, wallGbps }], previews: [paths], verified }`.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  Acquisition,
  ConfigError,
  DEFAULT_ACQUISITION,
  openEmulatedLink,
  readAcquisitionConfigFile,
  resolveAcquisitionConfig,
  type AcquisitionConfig,
  type FrameEvent,
} from "@rashpa/client";
import { gatherRoi, generateFrame, makeDiuConfig, verifyFrame } from "@rashpa/emulator";
import { encode as encodePng } from "fast-png";
import { CliError } from "./cli.js";
import { framesOption, speedOption, walkOptions } from "./options.js";
import type { CliIo } from "./cli.js";

interface AcquireOptions {
  config: string | undefined;
  frames: number | undefined;
  speed: "fast" | "wire";
  out: string;
  preview: boolean;
  json: boolean;
}

function parse(argv: readonly string[]): AcquireOptions {
  const o: AcquireOptions = {
    config: undefined,
    frames: undefined,
    speed: "fast",
    out: "rashpa-preview",
    preview: true,
    json: false,
  };
  walkOptions(argv, (a, value) => {
    switch (a) {
      case "--frames":
        o.frames = framesOption(value(), 1_000_000);
        break;
      case "--speed":
        o.speed = speedOption(value());
        break;
      case "--out":
        o.out = value();
        break;
      case "--no-preview":
        o.preview = false;
        break;
      case "--json":
        o.json = true;
        break;
      default:
        if (a.startsWith("--") || o.config !== undefined)
          throw new CliError(`acquire: unexpected argument "${a}" (see rashpa help)`);
        o.config = a;
    }
  });
  return o;
}

function loadConfig(o: AcquireOptions): AcquisitionConfig {
  let config: AcquisitionConfig;
  try {
    config = o.config === undefined ? DEFAULT_ACQUISITION : readAcquisitionConfigFile(o.config);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    if (e instanceof Error && "code" in e && e.code === "ENOENT")
      throw new CliError(`acquire: no such file "${o.config}"`);
    throw e;
  }
  if (o.frames !== undefined)
    config = resolveAcquisitionConfig({
      ...config,
      detector: { ...config.detector, frames: o.frames },
    });
  if (config.detector.frames === 0)
    throw new CliError("acquire: detector.frames is 0 (endless): give --frames N");
  const kinds = new Set(config.receivers.map((r) => r.link.kind));
  if (kinds.has("roce") && kinds.size > 1)
    throw new CliError(
      "acquire: RoCEv2 receivers cannot be mixed with PCIe or SRIO ones on one emulated link",
    );
  return config;
}

/** 8-bit grayscale PNG of a little-endian pixel block, stretched from its minimum to its maximum. */
function previewPng(bytes: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const n = width * height;
  const values = new Float64Array(n);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let b = bpp - 1; b >= 0; b--) v = v * 256 + bytes[i * bpp + b]!;
    values[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const gray = new Uint8Array(n);
  const span = max > min ? max - min : 1;
  for (let i = 0; i < n; i++) gray[i] = Math.round(((values[i]! - min) / span) * 255);
  return encodePng({ width, height, data: gray, depth: 8, channels: 1 });
}

const BAR = 24;

/**
 * Runs `rashpa acquire`.
 *
 * @param argv - the arguments after `acquire`
 * @param io - where to write
 */
export async function acquireCommand(argv: readonly string[], io: CliIo): Promise<void> {
  const o = parse(argv);
  const config = loadConfig(o);
  const d = config.detector;
  const bpp = { bits8: 1, bits16: 2, bits32: 4 }[d.depth];
  const diu = makeDiuConfig({
    width: d.width,
    height: d.height,
    depth: d.depth,
    pattern: d.pattern,
  });
  const total = config.channels.reduce((s, c) => s + Math.ceil(d.frames / (c.decimation + 1)), 0);
  const link = await openEmulatedLink(config, { speed: o.speed });
  const started = performance.now();
  let acq: Acquisition;
  try {
    acq = await Acquisition.start(link, config);
  } catch (e) {
    await link.close();
    throw e instanceof ConfigError ? new CliError(e.message) : e;
  }
  let received = 0;
  let bytes = 0;
  let bad = 0;
  let lastPrint = 0;
  const last = new Map<string, FrameEvent>();
  const keep = new Map<string, Uint8Array>();
  const progress = (final: boolean): void => {
    if (o.json) return;
    const now = performance.now();
    if (!final && now - lastPrint < 100) return;
    lastPrint = now;
    const s = (now - started) / 1000;
    const filled = Math.round((received / total) * BAR);
    const line = `[${"#".repeat(filled)}${".".repeat(BAR - filled)}] ${received}/${total} frames  ${(bytes / 1e9).toFixed(3)} GB  ${(bytes / 1e9 / Math.max(s, 1e-9)).toFixed(2)} GB/s`;
    if (io.tty === true) io.stderr(`\r${line}${final ? "\n" : ""}`);
    else if (final) io.stderr(`${line}\n`);
  };
  try {
    for await (const e of acq) {
      if (e.type !== "frame" && e.type !== "roi") continue;
      received++;
      if (e.status === 0) {
        bytes += e.bytes.length;
        const channel = config.channels.find((c) => c.name === e.name)!;
        const ok =
          channel.roi === undefined
            ? verifyFrame(e.bytes, diu, e.frame).ok
            : (() => {
                const expected = new Uint8Array(e.bytes.length);
                gatherRoi(generateFrame(diu, e.frame), diu, channel.roi, expected);
                return expected.every((b, i) => b === e.bytes[i]);
              })();
        if (!ok) bad++;
        last.set(e.name, e);
        // The frame's buffer goes back to the controller: keep a copy of the latest for the preview.
        if (o.preview) keep.set(e.name, e.bytes.slice());
      }
      progress(false);
    }
  } finally {
    await acq.close();
  }
  const wall = (performance.now() - started) / 1000;
  progress(true);

  const previews: string[] = [];
  if (o.preview) {
    mkdirSync(o.out, { recursive: true });
    for (const c of config.channels) {
      const b = keep.get(c.name);
      if (b === undefined) continue;
      const w = c.roi?.width ?? d.width;
      const h = c.roi?.height ?? d.height;
      const file = join(o.out, `${c.name}.png`);
      writeFileSync(file, previewPng(b, w, h, bpp));
      previews.push(file);
    }
  }
  const rows = config.channels.map((c, i) => {
    const t = acq.tally[i]!;
    const end = last.get(c.name);
    const simNs = end === undefined ? 0 : Number(end.timestampNs);
    return {
      name: c.name,
      receiver: c.receiver,
      kind: c.roi === undefined ? "frames" : "roi",
      frames: t.frames,
      errored: t.errored,
      bytes: t.bytes,
      simulatedGbps: simNs > 0 ? (t.bytes * 8) / simNs : 0,
      wallGbps: wall > 0 ? (t.bytes * 8) / wall / 1e9 : 0,
    };
  });
  const verified = bad === 0 && rows.every((r) => r.errored === 0);
  if (o.json) {
    io.stdout(
      `${JSON.stringify({ link: link.name, frames: d.frames, wallSeconds: wall, channels: rows, previews, verified }, null, 2)}\n`,
    );
    return;
  }
  const lines = [
    `rashpa acquire: ${d.frames} frames of ${d.width}x${d.height} ${d.depth} over ${link.name} (librashpa; frames read in place from receiver memory)`,
    "",
    `${"channel".padEnd(14)}${"receiver".padEnd(16)}${"frames".padStart(7)}${"errored".padStart(9)}${"MB".padStart(9)}${"sim Gb/s".padStart(10)}${"wall Gb/s".padStart(11)}`,
    ...rows.map(
      (r) =>
        `${r.name.padEnd(14)}${r.receiver.padEnd(16)}${String(r.frames).padStart(7)}${String(r.errored).padStart(9)}${(r.bytes / 1e6).toFixed(2).padStart(9)}${r.simulatedGbps.toFixed(2).padStart(10)}${r.wallGbps.toFixed(2).padStart(11)}`,
    ),
    "",
    "sim Gb/s: bytes over the simulated time of the channel's last frame (the controller's timing model);",
    `wall Gb/s: bytes over this run's ${wall.toFixed(2)} s of wall-clock time (this machine).`,
    `every frame verified bit-exactly: ${verified ? "yes" : `NO (${bad} wrong)`}`,
    ...(previews.length > 0 ? [`previews: ${previews.join(", ")}`] : []),
  ];
  io.stdout(`${lines.join("\n")}\n`);
  if (!verified) throw new CliError("acquire: some frames did not arrive intact");
}
