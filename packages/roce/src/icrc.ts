/**
 * The RoCEv2 invariant CRC exactly as Linux Soft-RoCE computes it (`rxe_icrc.c`;
 * docs/reference/roce.md §5):
 *
 * 1. the input is the packet from the IP header to the end of the pad, with the variant fields
 *    replaced by ones — IPv4 TOS, TTL and header checksum; IPv6 traffic class, flow label and
 *    hop limit (first word 0x6FFFFFFF); the UDP checksum; BTH byte 4 (FECN, BECN, reserved);
 * 2. the reflected CRC-32 (IEEE 802.3, the parameters of `CRC32_PCIE` in `@rashpa/bits`) runs
 *    over it with the register seeded with 0xDEBB20E3, the register after 8 bytes of 0xFF (the
 *    masked InfiniBand LRH) — i.e. `ICRC = crc32(0xFF × 8 ‖ masked packet)` with a zlib-style
 *    CRC-32;
 * 3. the result is inverted (included in the zlib-style CRC) and stored in the 4 bytes before
 *    the FCS, least-significant byte first.
 *
 * The CRC runs on Node's `zlib.crc32`, which takes a *finished* CRC as its starting value, so
 * the seed passed is the finished CRC of 8 × 0xFF, {@link ICRC_SEED} = 0x2144DF1C (the library
 * pitfall of roce.md §5). Only the first header bytes are copied (to mask them); the payload is
 * read in place.
 *
 * A transport packet sent on a UDP socket does not see the IP and UDP headers the kernel puts
 * in front of it; {@link RocePath} names them (addresses and ports agreed when a connection is
 * set up, like a queue pair's address vector) and {@link computeRoceIcrc} rebuilds them with
 * {@link writeIpUdpHeaders}.
 *
 * @module
 */
import { crc32 as zlibCrc32 } from "node:zlib";
import { decodeFieldError, encodeFieldError, describeValue } from "@rashpa/bits";
import { BTH_BYTES } from "./gen/transport.js";
import { ICRC_BYTES, ROCE_UDP_PORT } from "./opcode.js";

/**
 * Finished CRC-32 of 8 bytes of 0xFF: the starting value to give a CRC-32 API that continues a
 * finished CRC (zlib `crc32(crc, buf)`, npm `crc-32`), equivalent to the raw register 0xDEBB20E3
 * of rxe's `crc32_le` (docs/reference/roce.md §5).
 */
export const ICRC_SEED = 0x2144df1c;

/** Bytes of an IPv4 header without options (docs/reference/roce.md §1). */
export const IPV4_HEADER_BYTES = 20;
/** Bytes of an IPv6 header (docs/reference/roce.md §1). */
export const IPV6_HEADER_BYTES = 40;
/** Bytes of a UDP header (`IB_UDP_BYTES`, docs/reference/roce.md §0). */
export const UDP_HEADER_BYTES = 8;

/**
 * The IP and UDP header a RoCEv2 transport packet travels with (docs/reference/roce.md §1):
 * what the ICRC covers besides the transport packet, and what a capture shows.
 */
export interface RocePath {
  /** IP version: 4 or 6. */
  readonly ipVersion: 4 | 6;
  /** Source IP address, 4 or 16 bytes. */
  readonly source: Uint8Array;
  /** Destination IP address, 4 or 16 bytes. */
  readonly destination: Uint8Array;
  /** UDP source port (RoCEv2 uses it for flow entropy). */
  readonly sourcePort: number;
  /** UDP destination port, {@link ROCE_UDP_PORT} unless told otherwise. */
  readonly destinationPort: number;
}

/** Options of {@link rocePath}. */
export interface RocePathOptions {
  /** Source address, IPv4 dotted or IPv6 text. */
  readonly source: string;
  /** Destination address, the same IP version as `source`. */
  readonly destination: string;
  /**
   * UDP source port.
   * @defaultValue 49152
   */
  readonly sourcePort?: number;
  /**
   * UDP destination port.
   * @defaultValue 4791 ({@link ROCE_UDP_PORT})
   */
  readonly destinationPort?: number;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = all[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const v = parseInt(g, 16);
    out[2 * i] = v >>> 8;
    out[2 * i + 1] = v & 0xff;
  }
  return out;
}

function checkPort(name: string, port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff)
    throw encodeFieldError(name, "an integer 0..65535", describeValue(port));
  return port;
}

/**
 * A {@link RocePath} from addresses written as text.
 *
 * @throws EncodeError naming `source`, `destination`, `sourcePort` or `destinationPort`
 * @example
 * ```ts
 * const path = rocePath({ source: "192.168.0.1", destination: "192.168.0.2" });
 * ```
 */
export function rocePath(options: RocePathOptions): RocePath {
  const src = parseIpv4(options.source) ?? parseIpv6(options.source);
  if (src === undefined)
    throw encodeFieldError("source", "an IPv4 or IPv6 address", describeValue(options.source));
  const dst = parseIpv4(options.destination) ?? parseIpv6(options.destination);
  if (dst === undefined || dst.length !== src.length)
    throw encodeFieldError(
      "destination",
      `an IPv${src.length === 4 ? 4 : 6} address`,
      describeValue(options.destination),
    );
  return Object.freeze({
    ipVersion: src.length === 4 ? 4 : 6,
    source: src,
    destination: dst,
    sourcePort: checkPort("sourcePort", options.sourcePort ?? 49152),
    destinationPort: checkPort("destinationPort", options.destinationPort ?? ROCE_UDP_PORT),
  });
}

/** The same path seen from the other end: addresses and ports swapped (ACKs travel on it). */
export function reversePath(path: RocePath): RocePath {
  return Object.freeze({
    ipVersion: path.ipVersion,
    source: path.destination,
    destination: path.source,
    sourcePort: path.destinationPort,
    destinationPort: path.sourcePort,
  });
}

/** Bytes of the IP and UDP headers of `path`: 28 (IPv4) or 48 (IPv6). */
export function ipUdpHeaderBytes(path: RocePath): number {
  return (path.ipVersion === 4 ? IPV4_HEADER_BYTES : IPV6_HEADER_BYTES) + UDP_HEADER_BYTES;
}

/**
 * Writes the IP and UDP headers of `path` for a UDP payload of `udpPayloadBytes` (transport
 * packet and ICRC) at `offset` of `out`; returns the bytes written. IPv4: version 4, IHL 5,
 * TOS 0, identification 0, DF set (as rxe does), TTL 64, protocol 17 (UDP), header checksum.
 * IPv6: traffic class 0, flow label 0, next header 17, hop limit 64. UDP checksum 0. The masked
 * fields (TOS, TTL, checksums, traffic class, flow label, hop limit) do not enter the ICRC
 * (docs/reference/roce.md §5).
 */
export function writeIpUdpHeaders(
  out: Uint8Array,
  offset: number,
  path: RocePath,
  udpPayloadBytes: number,
): number {
  const udpLength = UDP_HEADER_BYTES + udpPayloadBytes;
  let o = offset;
  if (path.ipVersion === 4) {
    const total = IPV4_HEADER_BYTES + udpLength;
    out[o] = 0x45;
    out[o + 1] = 0;
    out[o + 2] = total >>> 8;
    out[o + 3] = total & 0xff;
    out[o + 4] = 0;
    out[o + 5] = 0;
    out[o + 6] = 0x40; // DF
    out[o + 7] = 0;
    out[o + 8] = 64;
    out[o + 9] = 17;
    out[o + 10] = 0;
    out[o + 11] = 0;
    out.set(path.source, o + 12);
    out.set(path.destination, o + 16);
    let sum = 0;
    for (let i = 0; i < IPV4_HEADER_BYTES; i += 2) sum += (out[o + i]! << 8) | out[o + i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    sum = ~sum & 0xffff;
    out[o + 10] = sum >>> 8;
    out[o + 11] = sum & 0xff;
    o += IPV4_HEADER_BYTES;
  } else {
    out[o] = 0x60;
    out[o + 1] = 0;
    out[o + 2] = 0;
    out[o + 3] = 0;
    out[o + 4] = udpLength >>> 8;
    out[o + 5] = udpLength & 0xff;
    out[o + 6] = 17;
    out[o + 7] = 64;
    out.set(path.source, o + 8);
    out.set(path.destination, o + 24);
    o += IPV6_HEADER_BYTES;
  }
  out[o] = path.sourcePort >>> 8;
  out[o + 1] = path.sourcePort & 0xff;
  out[o + 2] = path.destinationPort >>> 8;
  out[o + 3] = path.destinationPort & 0xff;
  out[o + 4] = udpLength >>> 8;
  out[o + 5] = udpLength & 0xff;
  out[o + 6] = 0;
  out[o + 7] = 0;
  return o + UDP_HEADER_BYTES - offset;
}

// IP (≤ 60) + UDP (8) + BTH (12): the bytes that get masked.
const scratch = new Uint8Array(80);

/** Masks the variant fields of the IP header at 0, the UDP header and the BTH (roce.md §5). */
function maskScratch(ipBytes: number, ipVersion: number): void {
  if (ipVersion === 4) {
    scratch[1] = 0xff; // TOS (DSCP + ECN)
    scratch[8] = 0xff; // TTL
    scratch[10] = 0xff; // header checksum
    scratch[11] = 0xff;
  } else {
    scratch[0] = 0x6f; // version 6, traffic class and flow label all ones
    scratch[1] = 0xff;
    scratch[2] = 0xff;
    scratch[3] = 0xff;
    scratch[7] = 0xff; // hop limit
  }
  scratch[ipBytes + 6] = 0xff; // UDP checksum
  scratch[ipBytes + 7] = 0xff;
  scratch[ipBytes + UDP_HEADER_BYTES + 4] = 0xff; // BTH byte 4: FECN, BECN, reserved
}

function checkRange(bytes: Uint8Array, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > bytes.length)
    throw new RangeError(`range [${start}, ${end}) is invalid for ${bytes.length} bytes`);
}

/**
 * The ICRC of an IP packet carrying RoCEv2: `bytes[start..end)` runs from the first byte of the
 * IPv4 or IPv6 header to the last pad byte (the ICRC itself excluded) — docs/reference/roce.md
 * §5. IPv4 options are allowed (the IHL is read).
 *
 * @throws DecodeError `"ipVersion"` when the packet is neither IPv4 nor IPv6, `"packet"` when it
 *   is shorter than its IP, UDP and BTH headers
 * @example
 * ```ts
 * const icrc = computeIcrc(ipPacket, 0, ipPacket.length - 4);
 * writeIcrc(ipPacket, ipPacket.length - 4, icrc);
 * ```
 */
export function computeIcrc(bytes: Uint8Array, start = 0, end = bytes.length): number {
  checkRange(bytes, start, end);
  if (end <= start) throw decodeFieldError("packet", "an IP header", "0 bytes", start);
  const version = bytes[start]! >>> 4;
  let ipBytes: number;
  if (version === 4) ipBytes = (bytes[start]! & 0xf) * 4;
  else if (version === 6) ipBytes = IPV6_HEADER_BYTES;
  else throw decodeFieldError("ipVersion", "4 or 6", String(version), start);
  if (ipBytes < IPV4_HEADER_BYTES)
    throw decodeFieldError("ihl", "5..15 (a 20..60-byte IPv4 header)", String(ipBytes / 4), start);
  const hdr = ipBytes + UDP_HEADER_BYTES + BTH_BYTES;
  if (end - start < hdr)
    throw decodeFieldError(
      "packet",
      `at least ${hdr} bytes (IP, UDP and BTH headers)`,
      `${end - start} bytes`,
      start,
    );
  scratch.set(bytes.subarray(start, start + hdr));
  maskScratch(ipBytes, version);
  const crc = zlibCrc32(scratch.subarray(0, hdr), ICRC_SEED);
  return zlibCrc32(bytes.subarray(start + hdr, end), crc) >>> 0;
}

/**
 * The ICRC of a RoCEv2 transport packet `transport[start..end)` (BTH to the last pad byte) sent
 * with the IP and UDP headers of `path` (rebuilt with {@link writeIpUdpHeaders}; lengths count
 * the 4 ICRC bytes) — docs/reference/roce.md §5.
 *
 * @throws DecodeError `"packet"` when the range is shorter than a BTH
 */
export function computeRoceIcrc(
  path: RocePath,
  transport: Uint8Array,
  start = 0,
  end = transport.length,
): number {
  checkRange(transport, start, end);
  if (end - start < BTH_BYTES)
    throw decodeFieldError(
      "packet",
      `at least ${BTH_BYTES} bytes (BTH)`,
      `${end - start} bytes`,
      start,
    );
  const ipBytes = writeIpUdpHeaders(scratch, 0, path, end - start + ICRC_BYTES) - UDP_HEADER_BYTES;
  const hdr = ipBytes + UDP_HEADER_BYTES;
  scratch.set(transport.subarray(start, start + BTH_BYTES), hdr);
  maskScratch(ipBytes, path.ipVersion);
  const crc = zlibCrc32(scratch.subarray(0, hdr + BTH_BYTES), ICRC_SEED);
  return zlibCrc32(transport.subarray(start + BTH_BYTES, end), crc) >>> 0;
}

/** Stores `icrc` at `bytes[at..at+4)`, least-significant byte first (docs/reference/roce.md §5). */
export function writeIcrc(bytes: Uint8Array, at: number, icrc: number): void {
  bytes[at] = icrc & 0xff;
  bytes[at + 1] = (icrc >>> 8) & 0xff;
  bytes[at + 2] = (icrc >>> 16) & 0xff;
  bytes[at + 3] = icrc >>> 24;
}

/** Reads the ICRC stored at `bytes[at..at+4)`, least-significant byte first (roce.md §5). */
export function readIcrc(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
  );
}

/**
 * Computes the ICRC of the IP packet `bytes[start..end − 4)` and stores it in its last 4 bytes
 * (docs/reference/roce.md §5); returns it.
 */
export function appendIcrc(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const icrc = computeIcrc(bytes, start, end - ICRC_BYTES);
  writeIcrc(bytes, end - ICRC_BYTES, icrc);
  return icrc;
}

/**
 * Whether the last 4 bytes of the IP packet `bytes[start..end)` are its ICRC
 * (docs/reference/roce.md §5, `rxe_icrc_check`).
 *
 * @throws DecodeError when the packet is too short to carry IP, UDP, BTH and ICRC
 */
export function checkIcrc(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  if (end - start < ICRC_BYTES)
    throw decodeFieldError("packet", "an ICRC (4 bytes)", `${end - start} bytes`, start);
  return computeIcrc(bytes, start, end - ICRC_BYTES) === readIcrc(bytes, end - ICRC_BYTES);
}
