/**
 * The acquisition description of librashpa (docs/system.md "RASHPA": the configuration layer
 * builds the hardware description — when and where data is transmitted): read from JSON or
 * YAML text or from an object, checked for shape by the io-ts codecs of `codecs.ts`, completed
 * with defaults and checked across fields against the controller map
 * (specs/rashpa/controller.yaml) and the descriptor formats (specs/rashpa/descriptors.yaml).
 * Every problem is a {@link ConfigIssue} with its path and, for text, its line and column.
 *
 * @module
 */
import { describeValue } from "@rashpa/bits";
import { CONTROLLER_MAP, type MemoryInfo, type RegFileInfo } from "@rashpa/registers";
import { readFileSync } from "node:fs";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, stringify } from "yaml";
import type { Node } from "yaml";
import type * as t from "io-ts";
import {
  AcquisitionConfigInputC,
  FoundText,
  type AcquisitionConfigInput,
  type ChannelInput,
  type DetectorInput,
  type EventsInput,
  type ReceiverInput,
  type ReceiverLink,
  type Roi,
} from "./codecs.js";
import { ConfigError, type ConfigIssue } from "./errors.js";
import { ATU_ENTRY_MAX_BYTES } from "./virtual.js";

/** A receiver with every default filled in. */
export type ReceiverConfig = Required<ReceiverInput>;
/** The detector with every default filled in. */
export type DetectorConfig = Required<DetectorInput>;
/** A data channel with every default filled in (`roi` absent: full frames). */
export type ChannelConfig = Required<Omit<ChannelInput, "roi">> & Pick<ChannelInput, "roi">;
/** The event channel with every default filled in. */
export type EventsConfig = Required<EventsInput>;

/** A checked acquisition description with every default filled in. */
export type AcquisitionConfig = Required<
  Omit<AcquisitionConfigInput, "receivers" | "detector" | "channels" | "events">
> & {
  /** The receivers; a receiver's index is its `receiver` number in ATU entries. */
  readonly receivers: readonly ReceiverConfig[];
  /** The detector and DIU. */
  readonly detector: DetectorConfig;
  /** The data channels; channel n is `bgu.channel[n]`. */
  readonly channels: readonly ChannelConfig[];
  /** The event channel; absent: the event channel stays disabled. */
  readonly events?: EventsConfig;
};

/** Bytes per pixel of each `PixelDepth` (specs/rashpa/controller.yaml enum PixelDepth). */
export const BYTES_PER_PIXEL = {
  /** 1 byte. */
  bits8: 1,
  /** 2 bytes. */
  bits16: 2,
  /** 4 bytes. */
  bits32: 4,
} as const;

/** Bytes of one event record (`rashpa.event`, specs/rashpa/descriptors.yaml). */
export const EVENT_RECORD_BYTES = 32;

/** Largest ROI line in bytes: the BTD's `lineBytes` is 16 bits (specs/rashpa/descriptors.yaml). */
export const MAX_ROI_LINE_BYTES = 0xffff;

/** Most blocks per frame a channel may cut (the BTD's 16-bit block number, specs/rashpa/descriptors.yaml). */
export const MAX_BLOCKS_PER_FRAME = 0x1_0000;

function memoryNode(block: string, name: string): MemoryInfo {
  const node = CONTROLLER_MAP.blocks
    .find((b) => b.name === block)
    ?.nodes.find((n) => n.name === name);
  if (node?.kind !== "memory") throw new Error(`controller map has no memory ${block}.${name}`);
  return node;
}

function regfileNode(block: string, name: string): RegFileInfo {
  const node = CONTROLLER_MAP.blocks
    .find((b) => b.name === block)
    ?.nodes.find((n) => n.name === name);
  if (node?.kind !== "regfile") throw new Error(`controller map has no regfile ${block}.${name}`);
  return node;
}

/** ATU entries of the controller map's table (`atu.entries`, specs/rashpa/controller.yaml). */
export const ATU_TABLE_ENTRIES = memoryNode("atu", "entries").entries;

/** Data channels of the controller map (`bgu.channel`, specs/rashpa/controller.yaml). */
export const DATA_CHANNELS = regfileNode("bgu", "channel").count;

/** Default values of the optional keys, documented in the package README. */
export const CONFIG_DEFAULTS = {
  /** `receivers[].link`: PCIe. */
  link: { kind: "pcie" } as ReceiverLink,
  /** `receivers[].pageSize`: 4 KiB pages. */
  pageSize: 4096,
  /** `receivers[].fit`: first fit. */
  fit: "first" as const,
  /** `detector.depth`: the register's reset, 16-bit pixels. */
  depth: "bits16" as const,
  /** `detector.pattern`: the register's reset, a ramp. */
  pattern: "ramp" as const,
  /** `detector.source`: the built-in generator. */
  source: "generator" as const,
  /** `detector.frames`: 0, until stopped (the register's reset). */
  frames: 0,
  /** `detector.framePeriodUs`: 1000 µs (the register's reset). */
  framePeriodUs: 1000,
  /** `detector.ringSlots`: 8 DDR frame slots (the register's reset). */
  ringSlots: 8,
  /** `channels[].decimation`: every frame. */
  decimation: 0,
  /** `channels[].ringFrames`: 4 frames of receiver ring. */
  ringFrames: 4,
  /** `channels[].framesPerBuffer`: one frame per ATU entry. */
  framesPerBuffer: 1,
  /** `channels[].overflow`: drop a frame when the receiver ring is full. */
  overflow: "drop" as const,
  /** `channels[].notify`: an end-of-frame record per frame. */
  notify: true,
  /** `events.records`: 128 records (the register's reset). */
  records: 128,
  /** Top-level `link`: PCIe Gen2 x4 (the paper's). */
  pcieLink: "gen2x4",
  /** Top-level `maxTransfer`: 4096 bytes (the register's reset, the paper's packet limit). */
  maxTransfer: 4096,
  /** Top-level `irqEnable`: every interrupt source. */
  irqEnable: 0xff,
} as const;

/** Bytes of one frame of the detector. */
export function frameBytesOf(detector: DetectorConfig): number {
  return detector.width * detector.height * BYTES_PER_PIXEL[detector.depth];
}

/** Bytes of one frame of a channel's window (the whole frame, or the ROI). */
export function windowBytesOf(detector: DetectorConfig, channel: ChannelConfig): number {
  const bpp = BYTES_PER_PIXEL[detector.depth];
  return channel.roi === undefined
    ? frameBytesOf(detector)
    : channel.roi.width * channel.roi.height * bpp;
}

/** Bytes of one ATU buffer of a channel: `framesPerBuffer` windows. */
export function bufferBytesOf(detector: DetectorConfig, channel: ChannelConfig): number {
  return channel.framesPerBuffer * windowBytesOf(detector, channel);
}

/** Bytes of arena a channel's ring takes: its buffers, each rounded up to the page size. */
function ringArenaBytes(detector: DetectorConfig, ch: ChannelConfig, page: number): number {
  const buffers = ch.ringFrames / ch.framesPerBuffer;
  return buffers * Math.ceil(bufferBytesOf(detector, ch) / page) * page;
}

/** A path in a configuration: mapping keys and list indices. */
export type ConfigPath = readonly (string | number)[];

interface RawIssue {
  readonly at: ConfigPath;
  readonly expected: string;
  readonly found: string;
}

/** Formats path segments as `channels[1].roi.width`. */
export function formatConfigPath(path: ConfigPath): string {
  let out = "";
  for (const k of path) out += typeof k === "number" ? `[${k}]` : out === "" ? k : `.${k}`;
  return out;
}

/** Options of {@link resolveAcquisitionConfig} and {@link parseAcquisitionConfig}. */
export interface ConfigSourceOptions {
  /** Name of the text (a file name) for messages. */
  readonly source?: string;
}

/**
 * Checks an acquisition description given as a plain object (e.g. from `JSON.parse`) and
 * fills in the defaults.
 *
 * @param value - the description
 * @param options - a source name for messages
 * @returns the checked configuration
 * @throws ConfigError listing every problem with its path
 * @example
 * ```ts
 * const config = resolveAcquisitionConfig({ receivers: [...], detector: { width: 512, height: 512 }, channels: [...] });
 * ```
 */
export function resolveAcquisitionConfig(
  value: unknown,
  options: ConfigSourceOptions = {},
): AcquisitionConfig {
  const r = checkValue(value);
  if (r.config !== undefined) return r.config;
  throw new ConfigError(
    r.issues.map((i) => ({
      path: formatConfigPath(i.at),
      expected: i.expected,
      found: i.found,
      ...(options.source === undefined ? {} : { source: options.source }),
    })),
  );
}

/**
 * Parses an acquisition description from YAML or JSON text (JSON is YAML), checks it and fills
 * in the defaults. Problems carry `source:line:col` of the offending node.
 *
 * @param text - the text
 * @param options - the name of the text for messages (e.g. `"acquisition.yaml"`)
 * @returns the checked configuration
 * @throws ConfigError listing every problem with its path, line and column
 * @example
 * ```ts
 * const config = parseAcquisitionConfig(readFileSync("examples/acquisition.yaml", "utf8"), { source: "examples/acquisition.yaml" });
 * ```
 */
export function parseAcquisitionConfig(
  text: string,
  options: ConfigSourceOptions = {},
): AcquisitionConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const located = (at: ConfigPath, expected: string, found: string): ConfigIssue => {
    const { line, col } = lines.linePos(offsetOf(doc.contents, at));
    return {
      path: formatConfigPath(at),
      expected,
      found,
      ...(options.source === undefined ? {} : { source: options.source }),
      line,
      col,
    };
  };
  if (doc.errors.length > 0)
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
        return {
          path: "",
          expected: "valid YAML or JSON",
          found: (e.message.split("\n")[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ""),
          ...(options.source === undefined ? {} : { source: options.source }),
          line: pos.line,
          col: pos.col,
        };
      }),
    );
  const r = checkValue(doc.toJS({ maxAliasCount: 100 }));
  if (r.config !== undefined) return r.config;
  const issues = r.issues.map((i) => located(i.at, i.expected, i.found));
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  throw new ConfigError(issues);
}

/**
 * Reads and checks an acquisition description file (YAML or JSON); problems name the file.
 *
 * @param path - the file
 * @returns the checked configuration
 * @throws ConfigError as {@link parseAcquisitionConfig}
 */
export function readAcquisitionConfigFile(path: string): AcquisitionConfig {
  return parseAcquisitionConfig(readFileSync(path, "utf8"), { source: path });
}

/**
 * Writes a configuration as YAML text that {@link parseAcquisitionConfig} reads back to the
 * same configuration (every default written out, bus addresses as `0x…` text).
 *
 * @param config - a checked configuration
 * @returns YAML text
 */
export function formatAcquisitionConfig(config: AcquisitionConfig): string {
  return stringify(AcquisitionConfigInputC.encode(config));
}

/** Offset in the text of the node at a path, or of its nearest existing ancestor. */
function offsetOf(root: unknown, at: ConfigPath): number {
  let node: unknown = root;
  let best = rangeStart(node) ?? 0;
  for (const k of at) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(k),
      );
      if (pair === undefined) return best;
      node = pair.value;
      best = rangeStart(node) ?? rangeStart(pair.key) ?? best;
    } else if (isSeq(node) && typeof k === "number") {
      node = node.items[k];
      if (node === undefined) return best;
      best = rangeStart(node) ?? best;
    } else return best;
  }
  return best;
}

function rangeStart(node: unknown): number | undefined {
  if (node !== null && typeof node === "object" && "range" in node) {
    const r = (node as Node).range;
    if (r) return r[0];
  }
  return undefined;
}

function checkValue(
  value: unknown,
): { config: AcquisitionConfig; issues?: undefined } | { config?: undefined; issues: RawIssue[] } {
  const decoded = AcquisitionConfigInputC.decode(value);
  if (decoded._tag === "Left") return { issues: decoded.left.map(issueOf) };
  const config = withDefaults(decoded.right);
  const issues = crossCheck(config);
  return issues.length > 0 ? { issues } : { config };
}

function issueOf(e: t.ValidationError): RawIssue {
  const at: (string | number)[] = [];
  const ctx = e.context;
  for (let i = 1; i < ctx.length; i++) {
    const parent = ctx[i - 1]!;
    const key = ctx[i]!.key;
    if (key === "") continue;
    at.push(Array.isArray(parent.actual) && /^\d+$/.test(key) ? Number(key) : key);
  }
  const expected = e.message ?? ctx[ctx.length - 1]?.type.name ?? "a valid value";
  const found = e.value instanceof FoundText ? e.value.text : describeValue(e.value);
  return { at, expected, found };
}

function withDefaults(c: AcquisitionConfigInput): AcquisitionConfig {
  const d = CONFIG_DEFAULTS;
  const config: AcquisitionConfig = {
    receivers: c.receivers.map((r) => ({
      name: r.name,
      memory: r.memory,
      base: r.base,
      link: r.link ?? d.link,
      pageSize: r.pageSize ?? d.pageSize,
      fit: r.fit ?? d.fit,
    })),
    detector: {
      width: c.detector.width,
      height: c.detector.height,
      depth: c.detector.depth ?? d.depth,
      pattern: c.detector.pattern ?? d.pattern,
      source: c.detector.source ?? d.source,
      frames: c.detector.frames ?? d.frames,
      framePeriodUs: c.detector.framePeriodUs ?? d.framePeriodUs,
      ringSlots: c.detector.ringSlots ?? d.ringSlots,
    },
    channels: [],
    link: c.link ?? d.pcieLink,
    maxTransfer: c.maxTransfer ?? d.maxTransfer,
    irqEnable: c.irqEnable ?? d.irqEnable,
    ...(c.events === undefined
      ? {}
      : { events: { receiver: c.events.receiver, records: c.events.records ?? d.records } }),
  };
  const channels: ChannelConfig[] = c.channels.map((ch) => {
    const base = {
      name: ch.name,
      receiver: ch.receiver,
      blockSize: 0,
      decimation: ch.decimation ?? d.decimation,
      ringFrames: ch.ringFrames ?? d.ringFrames,
      framesPerBuffer: ch.framesPerBuffer ?? d.framesPerBuffer,
      overflow: ch.overflow ?? d.overflow,
      notify: ch.notify ?? d.notify,
      ...(ch.roi === undefined ? {} : { roi: ch.roi }),
    };
    // Default block: the whole window, one block per frame (the paper's demo).
    const window = windowBytesOf(config.detector, base);
    return { ...base, blockSize: ch.blockSize ?? Math.min(window, 0xffff_ffff) };
  });
  return { ...config, channels };
}

function crossCheck(c: AcquisitionConfig): RawIssue[] {
  const issues: RawIssue[] = [];
  const add = (at: ConfigPath, expected: string, found: string): void => {
    issues.push({ at, expected, found });
  };
  const receiverIndex = new Map<string, number>();

  // Receivers: unique names, arenas of whole pages, PCIe windows that do not overlap.
  c.receivers.forEach((r, i) => {
    const first = receiverIndex.get(r.name);
    if (first !== undefined)
      add(
        ["receivers", i, "name"],
        `a name not used by receivers[${first}]`,
        describeValue(r.name),
      );
    else receiverIndex.set(r.name, i);
    const page = r.pageSize;
    if (!isPowerOfTwo(page))
      add(["receivers", i, "pageSize"], "a power of two", describeValue(page));
    else {
      if (r.memory === 0 || r.memory % page !== 0)
        add(
          ["receivers", i, "memory"],
          `a positive multiple of the page size ${page}`,
          describeValue(r.memory),
        );
      if (r.base % BigInt(page) !== 0n)
        add(
          ["receivers", i, "base"],
          `a multiple of the page size ${page}`,
          `0x${r.base.toString(16)}`,
        );
    }
    if (r.base + BigInt(r.memory) > 1n << 64n)
      add(
        ["receivers", i, "memory"],
        `at most ${(1n << 64n) - r.base} bytes (base + memory within 64-bit addresses)`,
        describeValue(r.memory),
      );
    if (r.link.kind === "srio" && r.link.deviceIdSize === "dev8" && r.link.destinationId > 0xff)
      add(
        ["receivers", i, "link", "destinationId"],
        "0..255 (8-bit device IDs)",
        describeValue(r.link.destinationId),
      );
  });
  const pcie = c.receivers
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.link.kind === "pcie")
    .sort((a, b) => (a.r.base < b.r.base ? -1 : a.r.base > b.r.base ? 1 : 0));
  for (let k = 1; k < pcie.length; k++) {
    const prev = pcie[k - 1]!;
    const cur = pcie[k]!;
    if (prev.r.base + BigInt(prev.r.memory) > cur.r.base)
      add(
        ["receivers", cur.i, "base"],
        `an address window not overlapping receivers[${prev.i}] (0x${prev.r.base.toString(16)} + ${prev.r.memory}; PCIe routes by address)`,
        `0x${cur.r.base.toString(16)}`,
      );
  }

  // Detector.
  const det = c.detector;
  const bpp = BYTES_PER_PIXEL[det.depth];
  const frameBytes = frameBytesOf(det);
  if (frameBytes > 0xffff_ffff)
    add(
      ["detector"],
      "a frame of at most 4294967295 bytes (diu.frame-bytes is 32 bits)",
      `${det.width} × ${det.height} × ${bpp} = ${frameBytes} bytes`,
    );

  // Channels.
  const channelIndex = new Map<string, number>();
  const arenaUse = new Map<number, { bytes: number; users: string[] }>();
  const use = (receiver: number, bytes: number, who: string): void => {
    // A receiver whose page size is not a power of two is reported already.
    if (!isPowerOfTwo(c.receivers[receiver]!.pageSize)) return;
    const u = arenaUse.get(receiver) ?? { bytes: 0, users: [] };
    u.bytes += bytes;
    u.users.push(who);
    arenaUse.set(receiver, u);
  };
  let atuEntries = 0;
  c.channels.forEach((ch, i) => {
    const at = (...k: (string | number)[]): ConfigPath => ["channels", i, ...k];
    const first = channelIndex.get(ch.name);
    if (first !== undefined)
      add(at("name"), `a name not used by channels[${first}]`, describeValue(ch.name));
    else channelIndex.set(ch.name, i);
    if (i >= DATA_CHANNELS)
      add(at(), `at most ${DATA_CHANNELS} data channels (bgu.channel)`, `channel ${i}`);
    const ri = receiverIndex.get(ch.receiver);
    if (ri === undefined)
      add(
        at("receiver"),
        `the name of a receiver (${[...receiverIndex.keys()].join(", ")})`,
        describeValue(ch.receiver),
      );
    let windowOk = true;
    if (ch.roi !== undefined) windowOk = checkRoi(ch.roi, det, at, add);
    const window = windowBytesOf(det, ch);
    if (windowOk) {
      if (ch.roi === undefined) {
        const blocks = Math.ceil(window / ch.blockSize);
        if (blocks > MAX_BLOCKS_PER_FRAME)
          add(
            at("blockSize"),
            `at least ${Math.ceil(window / MAX_BLOCKS_PER_FRAME)} bytes (at most ${MAX_BLOCKS_PER_FRAME} blocks per frame)`,
            describeValue(ch.blockSize),
          );
      } else {
        const line = ch.roi.width * bpp;
        const lines = Math.floor(ch.blockSize / line);
        if (lines < 1)
          add(
            at("blockSize"),
            `at least one ROI line (${ch.roi.width} × ${bpp} = ${line} bytes)`,
            describeValue(ch.blockSize),
          );
        else if (Math.ceil(ch.roi.height / lines) > MAX_BLOCKS_PER_FRAME)
          add(
            at("blockSize"),
            `at most ${MAX_BLOCKS_PER_FRAME} blocks of whole ROI lines per frame`,
            describeValue(ch.blockSize),
          );
      }
    }
    if (ch.ringFrames % ch.framesPerBuffer !== 0) {
      add(
        at("ringFrames"),
        `a multiple of framesPerBuffer (${ch.framesPerBuffer})`,
        describeValue(ch.ringFrames),
      );
      return;
    }
    const buffers = ch.ringFrames / ch.framesPerBuffer;
    if (buffers > 0xffff)
      add(
        at("ringFrames"),
        `at most 65535 buffers of ${ch.framesPerBuffer} frames (atu-range.count is 16 bits)`,
        `${buffers} buffers`,
      );
    const bufferBytes = ch.framesPerBuffer * window;
    if (bufferBytes > ATU_ENTRY_MAX_BYTES)
      add(
        at("framesPerBuffer"),
        `at most ${Math.floor(ATU_ENTRY_MAX_BYTES / window)} frames of ${window} bytes (an ATU entry's size is 32 bits)`,
        describeValue(ch.framesPerBuffer),
      );
    atuEntries += buffers;
    if (ri !== undefined) {
      const r = c.receivers[ri]!;
      use(ri, ringArenaBytes(det, ch, r.pageSize), `channels[${i}] ${ch.name}`);
    }
  });

  // Event channel.
  if (c.events !== undefined) {
    const ri = receiverIndex.get(c.events.receiver);
    if (ri === undefined)
      add(
        ["events", "receiver"],
        `the name of a receiver (${[...receiverIndex.keys()].join(", ")})`,
        describeValue(c.events.receiver),
      );
    else {
      const page = c.receivers[ri]!.pageSize;
      use(ri, Math.ceil((c.events.records * EVENT_RECORD_BYTES) / page) * page, "the event ring");
    }
    atuEntries += 1;
  }

  if (atuEntries > ATU_TABLE_ENTRIES)
    add(
      ["channels"],
      `at most ${ATU_TABLE_ENTRIES} ATU entries in all (atu.entries), one per receiver buffer and one for the event ring`,
      `${atuEntries} entries`,
    );

  // Memory: every ring and the event ring fit in their receiver's arena.
  for (const [ri, u] of arenaUse) {
    const r = c.receivers[ri]!;
    if (u.bytes > r.memory)
      add(
        ["receivers", ri, "memory"],
        `at least ${u.bytes} bytes (${u.users.join(", ")}, in pages of ${r.pageSize})`,
        describeValue(r.memory),
      );
  }
  return issues;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}

function checkRoi(
  roi: Roi,
  det: DetectorConfig,
  at: (...k: (string | number)[]) => ConfigPath,
  add: (at: ConfigPath, expected: string, found: string) => void,
): boolean {
  let ok = true;
  const frame = `the ${det.width} × ${det.height} frame`;
  if (roi.x + roi.width > det.width) {
    ok = false;
    add(
      at("roi", "width"),
      `at most ${Math.max(0, det.width - roi.x)} (x + width inside ${frame})`,
      describeValue(roi.width),
    );
  }
  if (roi.y + roi.height > det.height) {
    ok = false;
    add(
      at("roi", "height"),
      `at most ${Math.max(0, det.height - roi.y)} (y + height inside ${frame})`,
      describeValue(roi.height),
    );
  }
  const bpp = BYTES_PER_PIXEL[det.depth];
  if (roi.width * bpp > MAX_ROI_LINE_BYTES) {
    ok = false;
    add(
      at("roi", "width"),
      `at most ${Math.floor(MAX_ROI_LINE_BYTES / bpp)} pixels (the BTD's 16-bit lineBytes)`,
      describeValue(roi.width),
    );
  }
  return ok;
}

/** Bus address of the paper demo's detector PC buffers (above 4 GiB, as the emulator's demo). */
export const DEMO_DETECTOR_PC_BASE = 0x1_0000_0000n;
/** Bus address of the paper demo's industrial PC buffers. */
export const DEMO_INDUSTRIAL_PC_BASE = 0x2_0000_0000n;

/**
 * The paper's demo (docs/system.md "RASHPA", prototype and results): 512 × 512 16-bit frames
 * of the reference image from the generator, full frames (one block each) to "detector-pc"
 * in a ring of 4, a 128 × 128 region of interest at (192, 192) to "industrial-pc" in a ring
 * of 4 frames, 2 per buffer, the event ring (128 records) in the detector PC, PCIe Gen2 x4,
 * 4 KiB transfers, 32 frames as fast as the DDR accepts them; a full receiver ring stalls the
 * channel until the application releases a frame (`overflow: back-pressure`), so no frame is
 * lost however slow the application.
 */
export const DEFAULT_ACQUISITION: AcquisitionConfig = resolveAcquisitionConfig({
  receivers: [
    {
      name: "detector-pc",
      memory: 4 * 1024 * 1024,
      base: DEMO_DETECTOR_PC_BASE,
      link: { kind: "pcie" },
    },
    {
      name: "industrial-pc",
      memory: 1024 * 1024,
      base: DEMO_INDUSTRIAL_PC_BASE,
      link: { kind: "pcie", link: "gen1x1" },
    },
  ],
  detector: {
    width: 512,
    height: 512,
    depth: "bits16",
    pattern: "reference-image",
    source: "generator",
    frames: 32,
    framePeriodUs: 0,
    ringSlots: 8,
  },
  channels: [
    {
      name: "full-frames",
      receiver: "detector-pc",
      ringFrames: 4,
      framesPerBuffer: 1,
      overflow: "back-pressure",
    },
    {
      name: "roi",
      receiver: "industrial-pc",
      roi: { x: 192, y: 192, width: 128, height: 128 },
      ringFrames: 4,
      framesPerBuffer: 2,
      overflow: "back-pressure",
    },
  ],
  events: { receiver: "detector-pc", records: 128 },
  link: "gen2x4",
  maxTransfer: 4096,
});
