/**
 * Classic libpcap capture files with nanosecond timestamps, stamped with **simulated** time:
 * a writer to any sink of byte chunks and a validating reader.
 *
 * File layout (libpcap `pcap/pcap.h`, `savefile.c`; the same layout is described in the IETF
 * draft "PCAP Capture File Format"): a 24-byte file header — magic 0xA1B23C4D (nanosecond
 * timestamps; 0xA1B2C3D4 is the microsecond variant), version 2.4, thiszone 0, sigfigs 0,
 * snaplen, link type — then records, each a 16-byte header (timestamp seconds, timestamp
 * nanoseconds, captured length, original length) followed by the captured bytes. This writer
 * writes little-endian; the reader accepts either byte order (told apart by the magic) and
 * both timestamp resolutions.
 *
 * Link types used by the emulator (see the package README):
 * - {@link LINKTYPE_SRIO} = `LINKTYPE_USER2` 149 — RapidIO: each record is one physical-layer
 *   packet exactly as `encodeSrioPacket` of `@rashpa/srio` produces it (AckID … CRC-16, pad).
 *   libpcap reserves `DLT_RIO` 124 for RapidIO (docs/reference/srio.md §12, {@link LINKTYPE_RIO})
 *   but Wireshark maps no encapsulation to it — tshark refuses such a file ("record data that
 *   TShark doesn't support") — so the emulator writes RapidIO on a user link type, which
 *   Wireshark reads and Lua dissectors can register on;
 * - {@link LINKTYPE_USER0} 147 — PCIe TLPs: a 1-byte pseudo-header
 *   ({@link encodePcieCaptureRecord}) followed by the TLP exactly as `encodeTlp` of
 *   `@rashpa/pcie` produces it (header, payload, ECRC when TD = 1), without data-link framing;
 * - {@link LINKTYPE_USER1} 148 — RASHPA controller records: a 1-byte kind
 *   ({@link RashpaRecordKind}) followed by a 32-byte BTD or event record as `@rashpa/descriptors`
 *   encodes it.
 *
 * @module
 */
import { CodecError, describeValue, encodeFieldError, fieldMessage } from "@rashpa/bits";
import { PS_PER_S, checkSimTime } from "./sim/time.js";
import type { SimTime } from "./sim/time.js";

/** Magic of a classic pcap file with nanosecond timestamps. */
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** Magic of a classic pcap file with microsecond timestamps (read only). */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
/** Bytes in the pcap file header. */
export const PCAP_FILE_HEADER_BYTES = 24;
/** Bytes in each pcap record header. */
export const PCAP_RECORD_HEADER_BYTES = 16;
/** Default snapshot length, libpcap's `MAXIMUM_SNAPLEN` (262144 bytes). */
export const PCAP_DEFAULT_SNAPLEN = 262_144;
/** Major version written and accepted: 2 (file format 2.4). */
export const PCAP_VERSION_MAJOR = 2;
/** Minor version written and accepted: 4 (file format 2.4). */
export const PCAP_VERSION_MINOR = 4;

/**
 * libpcap `DLT_RIO`, reserved for RapidIO (docs/reference/srio.md §12). Wireshark cannot open
 * files of this link type; the emulator writes RapidIO on {@link LINKTYPE_SRIO}.
 */
export const LINKTYPE_RIO = 124;
/** `LINKTYPE_USER0`: this project's PCIe TLP records ({@link encodePcieCaptureRecord}). */
export const LINKTYPE_USER0 = 147;
/** `LINKTYPE_USER1`: this project's RASHPA BTD and event records ({@link encodeRashpaCaptureRecord}). */
export const LINKTYPE_USER1 = 148;
/** `LINKTYPE_USER2`: this project's RapidIO packet records (see {@link LINKTYPE_SRIO}). */
export const LINKTYPE_USER2 = 149;
/** The link type of the emulator's RapidIO captures: {@link LINKTYPE_USER2}, one packet as `encodeSrioPacket` produces it per record. */
export const LINKTYPE_SRIO = LINKTYPE_USER2;

/** What a {@link PcapError} is about. */
export type PcapErrorReason =
  | "truncated-header"
  | "bad-magic"
  | "bad-version"
  | "bad-snaplen"
  | "truncated-record-header"
  | "bad-timestamp"
  | "caplen-exceeds-snaplen"
  | "caplen-exceeds-length"
  | "truncated-record"
  | "bad-record-kind";

/**
 * A malformed pcap file or record: `reason` classifies it, `offset` is the byte offset in the
 * file where the problem lies, `path` names the field; the message is
 * `"<field>" expected X, got Y at byte N`.
 */
export class PcapError extends CodecError {
  /** Always `"PcapError"`. */
  override readonly name = "PcapError";
  /** The kind of problem. */
  readonly reason: PcapErrorReason;

  /**
   * @param reason - the kind of problem
   * @param path - the field at fault
   * @param expected - what was expected
   * @param found - what was found
   * @param offset - byte offset in the file
   */
  constructor(
    reason: PcapErrorReason,
    path: string,
    expected: string,
    found: string,
    offset: number,
  ) {
    super(fieldMessage(path, expected, found, offset), { path, expected, found, offset });
    this.reason = reason;
  }
}

/** Options of a {@link PcapWriter}. */
export interface PcapWriterOptions {
  /** Link type of every record in the file (e.g. {@link LINKTYPE_RIO}); 0..0xFFFF. */
  readonly linkType: number;
  /**
   * Snapshot length: longer packets are truncated to it (the record keeps the original length).
   *
   * @defaultValue {@link PCAP_DEFAULT_SNAPLEN}
   */
  readonly snaplen?: number;
}

/** A sink receiving the file as successive byte chunks. */
export type PcapSink = (chunk: Uint8Array) => void;

/**
 * Writes a classic nanosecond pcap stream to a sink: the file header at construction, then one
 * chunk per record. Timestamps are simulated time: ps are truncated to whole ns.
 *
 * @example
 * ```ts
 * const chunks: Uint8Array[] = [];
 * const w = new PcapWriter((c) => chunks.push(c), { linkType: LINKTYPE_SRIO });
 * w.writePacket(60_000, encodeSrioPacket(packet)); // stamped 60 ns
 * ```
 */
export class PcapWriter {
  /** The file's link type. */
  readonly linkType: number;
  /** The file's snapshot length. */
  readonly snaplen: number;
  readonly #sink: PcapSink;
  #packets = 0;
  #bytes = PCAP_FILE_HEADER_BYTES;

  /**
   * @param sink - receives the file header now and one chunk per record later
   * @param options - link type and snapshot length
   * @throws EncodeError for a link type outside 0..0xFFFF or a snaplen outside 1..0x7FFFFFFF
   */
  constructor(sink: PcapSink, options: PcapWriterOptions) {
    const { linkType } = options;
    const snaplen = options.snaplen ?? PCAP_DEFAULT_SNAPLEN;
    if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0xffff)
      throw encodeFieldError("linkType", "0..65535", describeValue(linkType));
    if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 0x7fffffff)
      throw encodeFieldError("snaplen", "1..2147483647", describeValue(snaplen));
    this.linkType = linkType;
    this.snaplen = snaplen;
    this.#sink = sink;
    const h = new Uint8Array(PCAP_FILE_HEADER_BYTES);
    const v = new DataView(h.buffer);
    v.setUint32(0, PCAP_MAGIC_NS, true);
    v.setUint16(4, PCAP_VERSION_MAJOR, true);
    v.setUint16(6, PCAP_VERSION_MINOR, true);
    v.setInt32(8, 0, true); // thiszone: timestamps are simulated time, no zone
    v.setUint32(12, 0, true); // sigfigs
    v.setUint32(16, snaplen, true);
    v.setUint32(20, linkType, true);
    sink(h);
  }

  /** Records written so far. */
  get packets(): number {
    return this.#packets;
  }

  /** Bytes written so far, file header included. */
  get bytesWritten(): number {
    return this.#bytes;
  }

  /**
   * Writes one record.
   *
   * @param time - simulated time of the packet in ps (truncated to ns in the file)
   * @param data - the packet bytes; only the first `snaplen` are captured
   * @param originalLength - length of the packet on the wire
   *   (@defaultValue `data.length`; must be ≥ `data.length`)
   * @throws SimTimeError for an invalid time; EncodeError for a bad `originalLength`
   */
  writePacket(time: SimTime, data: Uint8Array, originalLength: number = data.length): void {
    checkSimTime(time, "time");
    if (
      !Number.isInteger(originalLength) ||
      originalLength < data.length ||
      originalLength > 0xffffffff
    )
      throw encodeFieldError(
        "originalLength",
        `${data.length}..4294967295`,
        describeValue(originalLength),
      );
    const caplen = Math.min(data.length, this.snaplen);
    const rec = new Uint8Array(PCAP_RECORD_HEADER_BYTES + caplen);
    const v = new DataView(rec.buffer);
    v.setUint32(0, Math.floor(time / PS_PER_S), true);
    v.setUint32(4, Math.floor((time % PS_PER_S) / 1000), true);
    v.setUint32(8, caplen, true);
    v.setUint32(12, originalLength, true);
    rec.set(data.subarray(0, caplen), PCAP_RECORD_HEADER_BYTES);
    this.#sink(rec);
    this.#packets++;
    this.#bytes += rec.length;
  }
}

/** The decoded pcap file header. */
export interface PcapFileHeader {
  /** Byte order of the file's integers, from the magic. */
  readonly byteOrder: "little" | "big";
  /** Timestamp resolution, from the magic. */
  readonly resolution: "ns" | "us";
  /** Major version (2). */
  readonly versionMajor: number;
  /** Minor version (4). */
  readonly versionMinor: number;
  /** Time-zone correction in seconds (0 in files written here). */
  readonly thiszone: number;
  /** Snapshot length. */
  readonly snaplen: number;
  /** The full 32-bit link-type field (link type in the low 16 bits). */
  readonly linkType: number;
}

/** One decoded pcap record. */
export interface PcapRecord {
  /** Byte offset of the record header in the file. */
  readonly offset: number;
  /** Timestamp, whole seconds. */
  readonly seconds: number;
  /** Timestamp, nanoseconds within the second (µs files are scaled by 1000). */
  readonly nanoseconds: number;
  /** Original length of the packet. */
  readonly originalLength: number;
  /** The captured bytes (a view into the input). */
  readonly data: Uint8Array;
}

/**
 * Decodes and validates a pcap file header.
 *
 * @param bytes - the file (at least its first 24 bytes)
 * @returns the header
 * @throws {@link PcapError} for a truncated header, an unknown magic, a version other than 2.4
 *   or a snaplen of 0
 */
export function decodePcapFileHeader(bytes: Uint8Array): PcapFileHeader {
  if (bytes.length < PCAP_FILE_HEADER_BYTES)
    throw new PcapError(
      "truncated-header",
      "header",
      `${PCAP_FILE_HEADER_BYTES} bytes`,
      `${bytes.length} bytes`,
      0,
    );
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = v.getUint32(0, true);
  let byteOrder: "little" | "big";
  if (le === PCAP_MAGIC_NS || le === PCAP_MAGIC_US) byteOrder = "little";
  else if (v.getUint32(0, false) === PCAP_MAGIC_NS || v.getUint32(0, false) === PCAP_MAGIC_US)
    byteOrder = "big";
  else
    throw new PcapError(
      "bad-magic",
      "magic",
      "0xa1b23c4d or 0xa1b2c3d4 in either byte order",
      describeValue(v.getUint32(0, false)),
      0,
    );
  const little = byteOrder === "little";
  const resolution: "ns" | "us" = v.getUint32(0, little) === PCAP_MAGIC_NS ? "ns" : "us";
  const versionMajor = v.getUint16(4, little);
  const versionMinor = v.getUint16(6, little);
  if (versionMajor !== PCAP_VERSION_MAJOR || versionMinor !== PCAP_VERSION_MINOR)
    throw new PcapError("bad-version", "version", "2.4", `${versionMajor}.${versionMinor}`, 4);
  const snaplen = v.getUint32(16, little);
  if (snaplen === 0) throw new PcapError("bad-snaplen", "snaplen", "at least 1", "0", 16);
  return {
    byteOrder,
    resolution,
    versionMajor,
    versionMinor,
    thiszone: v.getInt32(8, little),
    snaplen,
    linkType: v.getUint32(20, little),
  };
}

/**
 * Iterates over the records of a pcap file, validating each one before yielding it.
 *
 * @param bytes - the whole file
 * @returns a generator of records (views into `bytes`, no copies)
 * @throws {@link PcapError} (from the generator) for a bad header or the first bad record:
 *   truncated record header or data, a nanosecond field ≥ 10^9 (10^6 for µs files), a captured
 *   length above the snaplen or above the original length
 */
export function* pcapRecords(bytes: Uint8Array): Generator<PcapRecord, void, undefined> {
  const h = decodePcapFileHeader(bytes);
  const little = h.byteOrder === "little";
  const fracLimit = h.resolution === "ns" ? 1_000_000_000 : 1_000_000;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = PCAP_FILE_HEADER_BYTES;
  while (at < bytes.length) {
    const left = bytes.length - at;
    if (left < PCAP_RECORD_HEADER_BYTES)
      throw new PcapError(
        "truncated-record-header",
        "record",
        `${PCAP_RECORD_HEADER_BYTES} header bytes`,
        `${left} bytes`,
        at,
      );
    const seconds = v.getUint32(at, little);
    const frac = v.getUint32(at + 4, little);
    const caplen = v.getUint32(at + 8, little);
    const originalLength = v.getUint32(at + 12, little);
    if (frac >= fracLimit)
      throw new PcapError(
        "bad-timestamp",
        h.resolution === "ns" ? "record.nanoseconds" : "record.microseconds",
        `0..${fracLimit - 1}`,
        describeValue(frac),
        at + 4,
      );
    if (caplen > h.snaplen)
      throw new PcapError(
        "caplen-exceeds-snaplen",
        "record.caplen",
        `at most the snaplen ${h.snaplen}`,
        describeValue(caplen),
        at + 8,
      );
    if (caplen > originalLength)
      throw new PcapError(
        "caplen-exceeds-length",
        "record.caplen",
        `at most the original length ${originalLength}`,
        describeValue(caplen),
        at + 8,
      );
    const dataAt = at + PCAP_RECORD_HEADER_BYTES;
    if (caplen > bytes.length - dataAt)
      throw new PcapError(
        "truncated-record",
        "record.data",
        `${caplen} bytes`,
        `${bytes.length - dataAt} bytes`,
        dataAt,
      );
    yield {
      offset: at,
      seconds,
      nanoseconds: h.resolution === "ns" ? frac : frac * 1000,
      originalLength,
      data: bytes.subarray(dataAt, dataAt + caplen),
    };
    at = dataAt + caplen;
  }
}

/** A whole decoded pcap file. */
export interface PcapFile {
  /** The file header. */
  readonly header: PcapFileHeader;
  /** Every record, in file order. */
  readonly records: readonly PcapRecord[];
}

/**
 * Decodes and validates a whole pcap file.
 *
 * @param bytes - the file
 * @returns the header and the records (views into `bytes`)
 * @throws {@link PcapError} with the byte offset of the first problem
 * @example
 * ```ts
 * const { header, records } = readPcap(bytes);
 * header.linkType; // 124
 * ```
 */
export function readPcap(bytes: Uint8Array): PcapFile {
  return { header: decodePcapFileHeader(bytes), records: [...pcapRecords(bytes)] };
}

/**
 * The timestamp of a record in ps, for comparison with simulated time.
 *
 * @param record - a record
 * @returns `seconds · 10^12 + nanoseconds · 1000`
 * @throws SimTimeError when it lies beyond the simulated-time range (2^53 − 1 ps)
 */
export function pcapRecordTimePs(record: PcapRecord): SimTime {
  return checkSimTime(record.seconds * PS_PER_S + record.nanoseconds * 1000, "record.time");
}

/**
 * Direction of a captured TLP, in PCI Express terms: `"downstream"` flows away from the root
 * complex, `"upstream"` toward it.
 */
export type PcieDirection = "downstream" | "upstream";

/** The 1-byte pseudo-header and TLP of a {@link LINKTYPE_USER0} record. */
export interface PcieCaptureRecord {
  /** Direction of the TLP (pseudo-header bit 7: 0 downstream, 1 upstream). */
  readonly direction: PcieDirection;
  /** Emulated port or link the TLP was captured on (pseudo-header bits 6..0). */
  readonly port: number;
  /** The TLP bytes as `encodeTlp` of `@rashpa/pcie` produces them. */
  readonly tlp: Uint8Array;
}

/**
 * Builds the record of a {@link LINKTYPE_USER0} capture: byte 0 = direction (bit 7:
 * 0 downstream, 1 upstream) | port (bits 6..0), then the TLP bytes unchanged.
 *
 * @param record - direction, port 0..127 and TLP bytes
 * @returns the record bytes
 * @throws EncodeError for a port outside 0..127 or an empty TLP
 * @example
 * ```ts
 * encodePcieCaptureRecord({ direction: "upstream", port: 1, tlp: encodeTlp(mwr) })[0]; // 0x81
 * ```
 */
export function encodePcieCaptureRecord(record: PcieCaptureRecord): Uint8Array {
  if (!Number.isInteger(record.port) || record.port < 0 || record.port > 0x7f)
    throw encodeFieldError("port", "0..127", describeValue(record.port));
  if (record.tlp.length === 0) throw encodeFieldError("tlp", "at least 1 byte", "0 bytes");
  const out = new Uint8Array(1 + record.tlp.length);
  out[0] = (record.direction === "upstream" ? 0x80 : 0) | record.port;
  out.set(record.tlp, 1);
  return out;
}

/**
 * Splits a {@link LINKTYPE_USER0} record into its pseudo-header and TLP.
 *
 * @param data - the record bytes
 * @returns direction, port and a view of the TLP bytes
 * @throws {@link PcapError} (`truncated-record`, offset within the record) for a record of
 *   fewer than 2 bytes
 */
export function decodePcieCaptureRecord(data: Uint8Array): PcieCaptureRecord {
  if (data.length < 2)
    throw new PcapError(
      "truncated-record",
      "pcie.tlp",
      "a pseudo-header byte and at least 1 TLP byte",
      `${data.length} bytes`,
      data.length,
    );
  const b = data[0]!;
  return {
    direction: b & 0x80 ? "upstream" : "downstream",
    port: b & 0x7f,
    tlp: data.subarray(1),
  };
}

/**
 * Kind byte of a {@link LINKTYPE_USER1} record: 1 = block transfer descriptor (`rashpa.btd`,
 * 32 bytes), 2 = event-channel record (`rashpa.event`, 32 bytes).
 */
export type RashpaRecordKind = "btd" | "event";

/** A {@link LINKTYPE_USER1} record. */
export interface RashpaCaptureRecord {
  /** What the body is. */
  readonly kind: RashpaRecordKind;
  /** The encoded BTD or event record (`encodeBtd` / `encodeEvent` of `@rashpa/descriptors`). */
  readonly body: Uint8Array;
}

const RASHPA_KIND_BYTE: Record<RashpaRecordKind, number> = { btd: 1, event: 2 };

/**
 * Builds the record of a {@link LINKTYPE_USER1} capture: the kind byte (1 BTD, 2 event), then
 * the encoded body unchanged.
 *
 * @param record - kind and body
 * @returns the record bytes
 * @throws EncodeError for an unknown kind
 */
export function encodeRashpaCaptureRecord(record: RashpaCaptureRecord): Uint8Array {
  const k = RASHPA_KIND_BYTE[record.kind] as number | undefined;
  if (k === undefined)
    throw encodeFieldError("kind", '"btd" or "event"', describeValue(record.kind));
  const out = new Uint8Array(1 + record.body.length);
  out[0] = k;
  out.set(record.body, 1);
  return out;
}

/**
 * Splits a {@link LINKTYPE_USER1} record into kind and body.
 *
 * @param data - the record bytes
 * @returns the kind and a view of the body
 * @throws {@link PcapError} (offset within the record) for an empty record or an unknown kind
 *   byte
 */
export function decodeRashpaCaptureRecord(data: Uint8Array): RashpaCaptureRecord {
  if (data.length < 1)
    throw new PcapError("truncated-record", "rashpa.kind", "1 byte", "0 bytes", 0);
  const b = data[0]!;
  if (b !== 1 && b !== 2)
    throw new PcapError(
      "bad-record-kind",
      "rashpa.kind",
      "1 (btd) or 2 (event)",
      describeValue(b),
      0,
    );
  return { kind: b === 1 ? "btd" : "event", body: data.subarray(1) };
}
