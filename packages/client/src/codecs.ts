/**
 * io-ts codecs of the acquisition description (docs/system.md "RASHPA": librashpa's
 * configuration layer builds the hardware description — when and where data is sent). They
 * check the shape of a configuration: every key known, every value of the right type and
 * range, with the expected text of each codec written for people (`an integer in 1..65535`).
 * Meaning across fields (ROI inside the frame, receivers that exist, memory that suffices) is
 * checked by `resolveAcquisitionConfig`.
 *
 * Enumerations take the names of the controller map (specs/rashpa/controller.yaml: enums
 * PixelDepth, TestPattern, DiuSource, LinkType).
 *
 * @module
 */
import * as t from "io-ts";
import {
  DIU_SOURCE_NAMES,
  LINK_TYPE_NAMES,
  PIXEL_DEPTH_NAMES,
  TEST_PATTERN_NAMES,
  type DiuSource,
  type LinkType,
  type PixelDepth,
  type TestPattern,
} from "@rashpa/registers";

/** What a codec found, already written out (an unknown key, say), for the issue's `found`. */
export class FoundText {
  /** @param text - the description */
  constructor(readonly text: string) {}
}

function entry(c: t.Context, key: string, type: t.Decoder<unknown, unknown>, actual: unknown) {
  return t.appendContext(c, key, type, actual);
}

/**
 * An integer in `min … max` (a safe integer).
 *
 * @param min - smallest value
 * @param max - largest value
 * @returns the codec
 */
export function intIn(min: number, max: number): t.Type<number, number, unknown> {
  return new t.Type<number, number, unknown>(
    `an integer in ${min}..${max}`,
    (u): u is number => Number.isSafeInteger(u) && (u as number) >= min && (u as number) <= max,
    (u, c) =>
      typeof u === "number" && Number.isSafeInteger(u) && u >= min && u <= max
        ? t.success(u)
        : t.failure(u, c),
    t.identity,
  );
}

/**
 * One of a list of names.
 *
 * @param names - the names (entries `undefined` are skipped, as in the generated enum tables)
 * @returns the codec
 */
export function oneOf<T extends string>(names: readonly (T | undefined)[]): t.Type<T, T, unknown> {
  const list = names.filter((n): n is T => n !== undefined);
  const is = (u: unknown): u is T => typeof u === "string" && (list as string[]).includes(u);
  return new t.Type<T, T, unknown>(
    `one of ${list.join(", ")}`,
    is,
    (u, c) => (is(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  );
}

const UNITS: Readonly<Record<string, number>> = {
  "": 1,
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

/**
 * A byte count: a non-negative safe integer, or text `"<n> KiB"` (units B, KiB, MiB, GiB,
 * TiB; `n` an integer).
 */
export const ByteCount = new t.Type<number, number, unknown>(
  'a byte count (an integer, or "<n> KiB|MiB|GiB|TiB")',
  (u): u is number => Number.isSafeInteger(u) && (u as number) >= 0,
  (u, c) => {
    if (typeof u === "number")
      return Number.isSafeInteger(u) && u >= 0 ? t.success(u) : t.failure(u, c);
    if (typeof u !== "string") return t.failure(u, c);
    const m = /^\s*(\d+)\s*(B|KiB|MiB|GiB|TiB)?\s*$/.exec(u);
    if (m === null) return t.failure(u, c);
    const n = Number(m[1]) * UNITS[m[2] ?? ""]!;
    return Number.isSafeInteger(n) ? t.success(n) : t.failure(u, c);
  },
  t.identity,
);

const MAX_ADDRESS = (1n << 64n) - 1n;

/**
 * A 64-bit bus address: a non-negative safe integer, or text `"0x…"` or decimal (underscores
 * allowed, e.g. `"0x1_0000_0000"`). Decodes to a `bigint`; encodes as `"0x…"` text.
 */
export const BusAddress = new t.Type<bigint, string, unknown>(
  'a bus address (an integer, or "0x…" text, below 2^64)',
  (u): u is bigint => typeof u === "bigint" && u >= 0n && u <= MAX_ADDRESS,
  (u, c) => {
    let v: bigint | undefined;
    if (typeof u === "number" && Number.isSafeInteger(u)) v = BigInt(u);
    else if (typeof u === "bigint") v = u;
    else if (typeof u === "string" && /^\s*(0x[0-9a-fA-F_]+|[0-9_]+)\s*$/.test(u))
      v = BigInt(u.trim().replaceAll("_", ""));
    return v !== undefined && v >= 0n && v <= MAX_ADDRESS ? t.success(v) : t.failure(u, c);
  },
  (a) => `0x${a.toString(16)}`,
);

/** A name: letters, digits, `.`, `_`, `-`, starting with a letter or digit (1 … 64 characters). */
export const Name = new t.Type<string, string, unknown>(
  "a name (letters, digits, ., _ or -, at most 64)",
  (u): u is string => typeof u === "string" && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(u),
  (u, c) =>
    typeof u === "string" && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(u)
      ? t.success(u)
      : t.failure(u, c),
  t.identity,
);

/** `true` or `false`. */
export const Bool = new t.Type<boolean, boolean, unknown>(
  "true or false",
  (u): u is boolean => typeof u === "boolean",
  (u, c) => (typeof u === "boolean" ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** A PCIe link `gen<generation>x<width>`, e.g. `gen2x4` (generation 1 … 6). */
export const PcieLinkName = new t.Type<string, string, unknown>(
  'a PCIe link "gen<1..6>x<1|2|4|8|12|16|32>"',
  (u): u is string => typeof u === "string" && /^gen[1-6]x(1|2|4|8|12|16|32)$/.test(u),
  (u, c) =>
    typeof u === "string" && /^gen[1-6]x(1|2|4|8|12|16|32)$/.test(u)
      ? t.success(u)
      : t.failure(u, c),
  t.identity,
);

/** A dotted IPv4 address. */
export const Ipv4 = new t.Type<string, string, unknown>(
  "an IPv4 address a.b.c.d",
  (u): u is string => isIpv4(u),
  (u, c) => (isIpv4(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

function isIpv4(u: unknown): u is string {
  if (typeof u !== "string") return false;
  const parts = u.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** The decoded values of required keys. */
export type Out<P extends t.Props> = { readonly [K in keyof P]: t.TypeOf<P[K]> };
/** The decoded values of optional keys. */
export type OutO<P extends t.Props> = { readonly [K in keyof P]?: t.TypeOf<P[K]> };
/** The encoded values of required keys. */
export type Enc<P extends t.Props> = { readonly [K in keyof P]: t.OutputOf<P[K]> };
/** The encoded values of optional keys. */
export type EncO<P extends t.Props> = { readonly [K in keyof P]?: t.OutputOf<P[K]> };

/** The codec made by {@link strictObject}. */
export type StrictObjectType<R extends t.Props, O extends t.Props> = t.Type<
  Out<R> & OutO<O>,
  Enc<R> & EncO<O>,
  unknown
>;

/**
 * A mapping with required and optional keys that rejects any other key (a misspelt key is an
 * error, not a silently ignored setting).
 *
 * @param name - what the mapping is, for messages (`a receiver`)
 * @param required - codecs of the required keys
 * @param optional - codecs of the optional keys
 * @returns the codec
 */
export function strictObject<R extends t.Props, O extends t.Props>(
  name: string,
  required: R,
  optional: O,
): StrictObjectType<R, O> {
  const known = [...Object.keys(required), ...Object.keys(optional)];
  const isObj = (u: unknown): u is Record<string, unknown> =>
    typeof u === "object" && u !== null && !Array.isArray(u);
  const type: StrictObjectType<R, O> = new t.Type(
    `a mapping (${name})`,
    (u): u is Out<R> & OutO<O> =>
      isObj(u) &&
      Object.keys(u).every((k) => known.includes(k)) &&
      Object.entries(required).every(([k, c]) => c.is(u[k])) &&
      Object.entries(optional).every(([k, c]) => u[k] === undefined || c.is(u[k])),
    (u, c) => {
      if (!isObj(u)) return t.failure(u, c);
      const errors: t.Errors = [];
      const out: Record<string, unknown> = {};
      for (const [k, codec] of Object.entries(required)) {
        const v = u[k];
        if (v === undefined) {
          errors.push({
            value: new FoundText(`no "${k}" key`),
            context: entry(c, k, codec, v),
            message: codec.name,
          });
          continue;
        }
        const r = codec.validate(v, entry(c, k, codec, v));
        if (r._tag === "Left") errors.push(...r.left);
        else out[k] = r.right;
      }
      for (const [k, codec] of Object.entries(optional)) {
        const v = u[k];
        if (v === undefined) continue;
        const r = codec.validate(v, entry(c, k, codec, v));
        if (r._tag === "Left") errors.push(...r.left);
        else out[k] = r.right;
      }
      for (const k of Object.keys(u))
        if (!known.includes(k))
          errors.push({
            value: new FoundText(`unknown key "${k}"`),
            context: entry(c, k, t.never, u[k]),
            message: `one of the keys ${known.join(", ")}`,
          });
      return errors.length > 0 ? t.failures(errors) : t.success(out as Out<R> & OutO<O>);
    },
    (a) => {
      const out: Record<string, unknown> = {};
      const all: t.Props = { ...required, ...optional };
      for (const [k, v] of Object.entries(a)) if (v !== undefined) out[k] = all[k]!.encode(v);
      return out as Enc<R> & EncO<O>;
    },
  );
  return type;
}

/**
 * A list of values of one codec, with at least `min` and at most `max` items.
 *
 * @param item - codec of the items
 * @param what - what the items are, for messages
 * @param min - fewest items
 * @param max - most items
 * @returns the codec
 */
export function listOf<C extends t.Mixed>(
  item: C,
  what: string,
  min: number,
  max: number,
): t.Type<readonly t.TypeOf<C>[], readonly t.OutputOf<C>[], unknown> {
  return new t.Type<readonly t.TypeOf<C>[], readonly t.OutputOf<C>[], unknown>(
    `a list of ${min}..${max} ${what}`,
    (u): u is readonly t.TypeOf<C>[] =>
      Array.isArray(u) && u.length >= min && u.length <= max && u.every((v) => item.is(v)),
    (u, c) => {
      if (!Array.isArray(u) || u.length < min || u.length > max) return t.failure(u, c);
      const errors: t.Errors = [];
      const out: t.TypeOf<C>[] = [];
      u.forEach((v: unknown, i) => {
        const r = item.validate(v, entry(c, String(i), item, v));
        if (r._tag === "Left") errors.push(...r.left);
        else out.push(r.right as t.TypeOf<C>);
      });
      return errors.length > 0 ? t.failures(errors) : t.success(out);
    },
    (a) => a.map((v) => item.encode(v) as t.OutputOf<C>),
  );
}

/**
 * A mapping whose `kind` key selects its codec (a tagged union with messages that name the
 * tag rather than every member's failures).
 *
 * @param name - what the value is, for messages
 * @param members - codec per `kind`
 * @returns the codec
 */
export function byKind<M extends Record<string, t.Mixed>>(
  name: string,
  members: M,
): t.Type<t.TypeOf<M[keyof M]>, t.OutputOf<M[keyof M]>, unknown> {
  const kinds = Object.keys(members);
  const kindCodec = oneOf(kinds);
  const pick = (u: unknown): t.Mixed | undefined =>
    typeof u === "object" && u !== null && "kind" in u && typeof u.kind === "string"
      ? members[u.kind]
      : undefined;
  return new t.Type<t.TypeOf<M[keyof M]>, t.OutputOf<M[keyof M]>, unknown>(
    `a mapping (${name}) with kind ${kinds.join(" | ")}`,
    (u): u is t.TypeOf<M[keyof M]> => pick(u)?.is(u) ?? false,
    (u, c) => {
      if (typeof u !== "object" || u === null || Array.isArray(u)) return t.failure(u, c);
      const codec = pick(u);
      if (codec === undefined) {
        const kind = (u as Record<string, unknown>)["kind"];
        return t.failures([
          {
            value: kind === undefined ? new FoundText('no "kind" key') : kind,
            context: entry(c, "kind", kindCodec, kind),
            message: kindCodec.name,
          },
        ]);
      }
      return codec.validate(u, c) as t.Validation<t.TypeOf<M[keyof M]>>;
    },
    (a) => pick(a)!.encode(a) as t.OutputOf<M[keyof M]>,
  );
}

/** The controller pushes to this receiver over PCIe, routed by address (docs/system.md). */
export const PcieLinkOptionsC = strictObject(
  "PCIe receiver link",
  {
    /** `pcie`. */
    kind: oneOf<"pcie">(["pcie"]),
  },
  {
    /** The receiver's own link to the switch, e.g. `gen1x1` (informative: the data path's link is the top-level `link`). */
    link: PcieLinkName,
  },
);
/** Link options of a PCIe receiver. */
export type PcieLinkOptions = t.TypeOf<typeof PcieLinkOptionsC>;

/** The receiver is reached through the PCIe–SRIO bridge, routed by destination ID (docs/system.md). */
export const SrioLinkOptionsC = strictObject(
  "SRIO receiver link",
  {
    /** `srio`. */
    kind: oneOf<"srio">(["srio"]),
    /** The receiver's RapidIO device ID, the packets' destination (RapidIO 4.1 Part 3 §2.4). */
    destinationId: intIn(0, 0xffff),
  },
  {
    /** Device ID size: `dev8` or `dev16` (RapidIO 4.1 Part 3 §2.4; default `dev16`). */
    deviceIdSize: oneOf<"dev8" | "dev16">(["dev8", "dev16"]),
  },
);
/** Link options of a Serial RapidIO receiver. */
export type SrioLinkOptions = t.TypeOf<typeof SrioLinkOptionsC>;

/** The receiver takes RDMA WRITEs over RoCEv2 (docs/system.md, RASHPA's future work). */
export const RoceLinkOptionsC = strictObject(
  "RoCE receiver link",
  {
    /** `roce`. */
    kind: oneOf<"roce">(["roce"]),
    /** The receiver's IPv4 address. */
    ip: Ipv4,
    /** The receiver's queue pair number (24 bits, the BTH DestQP; docs/reference/roce.md §2.1). */
    qpn: intIn(0, 0xff_ffff),
  },
  {
    /** Remote key of the receiver's memory region (32 bits, the RETH R_Key, docs/reference/roce.md §2.2; default 0). */
    rkey: intIn(0, 0xffff_ffff),
  },
);
/** Link options of a RoCEv2 receiver. */
export type RoceLinkOptions = t.TypeOf<typeof RoceLinkOptionsC>;

/** How the controller reaches a receiver: `kind` is a `LinkType` of the controller map. */
export const ReceiverLinkC = byKind("receiver link", {
  pcie: PcieLinkOptionsC,
  srio: SrioLinkOptionsC,
  roce: RoceLinkOptionsC,
} satisfies Record<LinkType, t.Mixed>);
/** Link options of a receiver, by kind. */
export type ReceiverLink = t.TypeOf<typeof ReceiverLinkC>;

/** Names of the link kinds (enum LinkType of specs/rashpa/controller.yaml). */
export const LINK_KINDS: readonly LinkType[] = LINK_TYPE_NAMES.filter(
  (n): n is LinkType => n !== undefined,
);

/** Placement policy of a receiver's physical allocator. */
export const FitPolicyC = oneOf<"first" | "best">(["first", "best"]);

/** A receiver (DR): a memory arena the controller writes into. */
export const ReceiverInputC = strictObject(
  "receiver",
  {
    /** Unique name, used by channels and the event channel. */
    name: Name,
    /** Bytes of the receiver's arena (a multiple of the page size). */
    memory: ByteCount,
    /** Bus address of the arena's first byte (a multiple of the page size). */
    base: BusAddress,
  },
  {
    /** How the controller reaches the receiver (default `{ kind: pcie }`). */
    link: ReceiverLinkC,
    /** The physical allocator's page: granule and minimum alignment (default 4096). */
    pageSize: ByteCount,
    /** The physical allocator's policy, `first` or `best` (default `first`). */
    fit: FitPolicyC,
  },
);
/** A receiver as written (optional keys may be missing). */
export type ReceiverInput = t.TypeOf<typeof ReceiverInputC>;

/** The detector and its DIU (controller map block `diu`). */
export const DetectorInputC = strictObject(
  "detector",
  {
    /** Pixels per line (`diu.geometry.width`). */
    width: intIn(1, 0xffff),
    /** Lines per frame (`diu.geometry.height`). */
    height: intIn(1, 0xffff),
  },
  {
    /** Pixel storage (`diu.pixel.depth`; default `bits16`). */
    depth: oneOf<PixelDepth>(PIXEL_DEPTH_NAMES),
    /** Generator image (`diu.control.testPattern`; default `ramp`). */
    pattern: oneOf<TestPattern>(TEST_PATTERN_NAMES),
    /** Frame source (`diu.control.source`; default `generator`). */
    source: oneOf<DiuSource>(DIU_SOURCE_NAMES),
    /** Frames to acquire, 0 until stopped (`diu.frame-count`; default 0). */
    frames: intIn(0, 0xffff_ffff),
    /** Generator frame period in µs, 0 as fast as possible (`diu.frame-period`; default 1000). */
    framePeriodUs: intIn(0, 0xffff_ffff),
    /** DDR frame slots (`diu.ring-slots`; default 8). */
    ringSlots: intIn(1, 0xffff),
  },
);
/** The detector as written. */
export type DetectorInput = t.TypeOf<typeof DetectorInputC>;

/** A region of interest in pixels (controller map `bgu.channel.roi-origin`/`roi-size`). */
export const RoiC = strictObject(
  "region of interest",
  {
    /** First column. */
    x: intIn(0, 0xffff),
    /** First line. */
    y: intIn(0, 0xffff),
    /** Columns. */
    width: intIn(1, 0xffff),
    /** Lines. */
    height: intIn(1, 0xffff),
  },
  {},
);
/** A region of interest. */
export type Roi = t.TypeOf<typeof RoiC>;

/** Receiver-ring overflow policy (controller map `bgu.channel.control.backPressure`). */
export const OverflowPolicyC = oneOf<"drop" | "back-pressure">(["drop", "back-pressure"]);

/** A data channel (controller map `bgu.channel[n]`). */
export const ChannelInputC = strictObject(
  "data channel",
  {
    /** Unique name. */
    name: Name,
    /** Name of the receiver the channel writes to. */
    receiver: Name,
  },
  {
    /** Region of interest (mode `roi`); absent: full frames (mode `image`). */
    roi: RoiC,
    /** Bytes per block (`block-size`; default the whole window, one block per frame). */
    blockSize: intIn(1, 0xffff_ffff),
    /** Send one frame in decimation + 1 (`control.decimation`; default 0). */
    decimation: intIn(0, 255),
    /** Receiver ring depth in frames, a multiple of framesPerBuffer (default 4). */
    ringFrames: intIn(1, 0xffff_ffff),
    /** Frames per ATU buffer (`ring.framesPerEntry`; default 1). */
    framesPerBuffer: intIn(1, 0xffff),
    /** Full receiver ring: `drop` the frame or `back-pressure` (`control.backPressure`; default `drop`). */
    overflow: OverflowPolicyC,
    /** An end-of-frame record per frame (`control.notify`; default true). */
    notify: Bool,
  },
);
/** A data channel as written. */
export type ChannelInput = t.TypeOf<typeof ChannelInputC>;

/** The event channel (controller map block `event`). */
export const EventsInputC = strictObject(
  "event channel",
  {
    /** Name of the receiver holding the event ring. */
    receiver: Name,
  },
  {
    /** Records of 32 bytes in the ring (`event.ring.size`; default 128). */
    records: intIn(1, 0xffff),
  },
);
/** The event channel as written. */
export type EventsInput = t.TypeOf<typeof EventsInputC>;

/** A whole acquisition description. */
export const AcquisitionConfigInputC = strictObject(
  "acquisition",
  {
    /** The receivers, 1 … 256 (the ATU entry's `receiver` is 8 bits). */
    receivers: listOf(ReceiverInputC, "receivers", 1, 256),
    /** The detector and its DIU. */
    detector: DetectorInputC,
    /** The data channels, 1 … 16 (`bgu.channel`; the BTD's `channel` is 4 bits). */
    channels: listOf(ChannelInputC, "data channels", 1, 16),
  },
  {
    /** The event channel; absent: disabled. */
    events: EventsInputC,
    /** The controller's PCIe link (default `gen2x4`). */
    link: PcieLinkName,
    /** Largest BSU transfer in bytes (`bsu.max-transfer`; default 4096). */
    maxTransfer: intIn(8, 2 ** 26 - 1),
    /** Interrupt enables, the bits of `global.irq-enable` (default 0xff). */
    irqEnable: intIn(0, 0xff),
  },
);
/** An acquisition description as written (optional keys may be missing). */
export type AcquisitionConfigInput = t.TypeOf<typeof AcquisitionConfigInputC>;
