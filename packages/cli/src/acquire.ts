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
 * fast|wire`, `--out DIR` (previews; default `rashpa-preview`), `--no-preview`, `--json`,
 * `--remote NAME[,NAME…]` (RoCEv2 receivers served by other processes — `rashpa receive` —
 * which connect to this manager; it prints `listening on HOST:PORT` on stderr and waits for
 * them), `--listen HOST:PORT` (where to listen for them; default `127.0.0.1:0`, any free port).
 *
 * JSON shape (stable): `{ link, frames, wallSeconds, channels: [{ name, receiver, remote, kind,
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
  RemoteReceiverError,
  listenForReceivers,
  openEmulatedLink,
  openEmulatedRoceLink,
  type Link,
  readAcquisitionConfigFile,
  resolveAcquisitionConfig,
  type AcquisitionConfig,
} from "@rashpa/client";
import { gatherRoi, generateFrame, makeDiuConfig, verifyFrame } from "@rashpa/emulator";
import { encode as encodePng } from "fast-png";
import { CliError } from "./cli.js";
import { framesOption, hostPortOption, speedOption, walkOptions } from "./options.js";
import type { CliIo } from "./cli.js";

interface AcquireOptions {
  config: string | undefined;
  frames: number | undefined;
  speed: "fast" | "wire";
  out: string;
  preview: boolean;
  json: boolean;
  remote: readonly string[];
  listen: { host: string; port: number };
}

function parse(argv: readonly string[]): AcquireOptions {
  const o: AcquireOptions = {
    config: undefined,
    frames: undefined,
    speed: "fast",
    out: "rashpa-preview",
    preview: true,
    json: false,
    remote: [],
    listen: { host: "127.0.0.1", port: 0 },
  };
  walkOptions(argv, (a, value) => {
    switch (a) {
      case "--remote":
        o.remote = value().split(",");
        break;
      case "--listen":
        o.listen = hostPortOption("--listen", value());
        break;
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

/**
 * Reads the configuration a command names (the paper's demo when none), with `--frames`
 * applied; an endless acquisition is refused.
 *
 * @param command - the command, for messages
 * @param file - the configuration file, or undefined for the default
 * @param frames - `--frames`, when given
 * @returns the checked configuration
 * @throws CliError for a missing or invalid file
 */
export function loadAcquisitionConfig(
  command: string,
  file: string | undefined,
  frames: number | undefined,
): AcquisitionConfig {
  let config: AcquisitionConfig;
  try {
    config = file === undefined ? DEFAULT_ACQUISITION : readAcquisitionConfigFile(file);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    if (e instanceof Error && "code" in e && e.code === "ENOENT")
      throw new CliError(`${command}: no such file "${file}"`);
    throw e;
  }
  if (frames !== undefined)
    config = resolveAcquisitionConfig({
      ...config,
      detector: { ...config.detector, frames },
    });
  if (config.detector.frames === 0)
    throw new CliError(`${command}: detector.frames is 0 (endless): give --frames N`);
  return config;
}

/**
 * A checker of received frames against the generator: full frames by their stamp
 * (`verifyFrame`), ROIs against the same window of the generated frame.
 *
 * @param config - the acquisition configuration
 * @returns `(channel name, frame number, bytes) => intact`
 */
export function frameChecker(
  config: AcquisitionConfig,
): (name: string, frame: number, bytes: Uint8Array) => boolean {
  const d = config.detector;
  const diu = makeDiuConfig({
    width: d.width,
    height: d.height,
    depth: d.depth,
    pattern: d.pattern,
  });
  return (name, frame, bytes) => {
    const channel = config.channels.find((c) => c.name === name)!;
    if (channel.roi === undefined) return verifyFrame(bytes, diu, frame).ok;
    const expected = new Uint8Array(bytes.length);
    gatherRoi(generateFrame(diu, frame), diu, channel.roi, expected);
    return expected.every((b, i) => b === bytes[i]);
  };
}

function loadConfig(o: AcquireOptions): AcquisitionConfig {
  const config = loadAcquisitionConfig("acquire", o.config, o.frames);
  const kinds = new Set(config.receivers.map((r) => r.link.kind));
  if (kinds.has("roce") && kinds.size > 1)
    throw new CliError(
      "acquire: RoCEv2 receivers cannot be mixed with PCIe or SRIO ones on one emulated link",
    );
  for (const name of o.remote) {
    const r = config.receivers.find((x) => x.name === name);
    if (r === undefined)
      throw new CliError(
        `acquire: --remote: no receiver "${name}" (receivers: ${config.receivers.map((x) => x.name).join(", ")})`,
      );
    if (r.link.kind !== "roce")
      throw new CliError(`acquire: --remote: receiver "${name}" is not reached over RoCEv2`);
  }
  return config;
}

/**
 * Opens the emulated link; with `--remote`, first waits for the remote receivers to connect.
 */
async function openLink(o: AcquireOptions, config: AcquisitionConfig, io: CliIo) {
  if (o.remote.length === 0) return { link: await openEmulatedLink(config, { speed: o.speed }) };
  const listener = await listenForReceivers(o.remote, o.listen);
  io.stderr(
    `rashpa acquire: listening on ${o.listen.host}:${listener.port} for ${o.remote.join(", ")} ` +
      `(rashpa receive <config> --receiver <name> --manager ${o.listen.host}:${listener.port})\n`,
  );
  try {
    const remote = await listener.accepted();
    const link: Link = await openEmulatedRoceLink(config, { speed: o.speed, remote });
    return { link, remote, listener };
  } catch (e) {
    await listener.close();
    throw e instanceof RemoteReceiverError ? new CliError(`acquire: ${e.message}`) : e;
  }
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
  const check = frameChecker(config);
  const isRemote = (c: { receiver: string }): boolean => o.remote.includes(c.receiver);
  // Frames of remote receivers are checked where they land (rashpa receive).
  const total = config.channels
    .filter((c) => !isRemote(c))
    .reduce((s, c) => s + Math.ceil(d.frames / (c.decimation + 1)), 0);
  const { link, remote, listener } = await openLink(o, config, io);
  const started = performance.now();
  let acq: Acquisition;
  try {
    acq = await Acquisition.start(link, config);
    for (const [name, handle] of remote ?? []) acq.remoteReceiver(name, handle);
  } catch (e) {
    await link.close();
    await listener?.close();
    throw e instanceof ConfigError ? new CliError(e.message) : e;
  }
  let received = 0;
  let bytes = 0;
  let bad = 0;
  let lastPrint = 0;
  /** Controller time of each channel's last complete frame (remote ones too: callbacks see them). */
  const lastNs = new Map<string, bigint>();
  acq.on((e) => {
    if ((e.type === "frame" || e.type === "roi") && e.status === 0)
      lastNs.set(e.name, e.timestampNs);
  });
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
        if (!check(e.name, e.frame, e.bytes)) bad++;
        // The frame's buffer goes back to the controller: keep a copy of the latest for the preview.
        if (o.preview) keep.set(e.name, e.bytes.slice());
      }
      progress(false);
    }
  } finally {
    await acq.close();
    await listener?.close();
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
    const simNs = Number(lastNs.get(c.name) ?? 0n);
    return {
      name: c.name,
      receiver: c.receiver,
      remote: isRemote(c),
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
    `${"channel".padEnd(14)}${"receiver".padEnd(24)}${"frames".padStart(7)}${"errored".padStart(9)}${"MB".padStart(9)}${"sim Gb/s".padStart(10)}${"wall Gb/s".padStart(11)}`,
    ...rows.map(
      (r) =>
        `${r.name.padEnd(14)}${(r.remote ? `${r.receiver} (remote)` : r.receiver).padEnd(24)}${String(r.frames).padStart(7)}${String(r.errored).padStart(9)}${(r.bytes / 1e6).toFixed(2).padStart(9)}${r.simulatedGbps.toFixed(2).padStart(10)}${r.wallGbps.toFixed(2).padStart(11)}`,
    ),
    "",
    "sim Gb/s: bytes over the simulated time of the channel's last frame (the controller's timing model);",
    `wall Gb/s: bytes over this run's ${wall.toFixed(2)} s of wall-clock time (this machine).`,
    `every frame verified bit-exactly: ${verified ? "yes" : `NO (${bad} wrong)`}${o.remote.length > 0 ? " (remote receivers check their own)" : ""}`,
    ...(previews.length > 0 ? [`previews: ${previews.join(", ")}`] : []),
  ];
  io.stdout(`${lines.join("\n")}\n`);
  if (!verified) throw new CliError("acquire: some frames did not arrive intact");
}
