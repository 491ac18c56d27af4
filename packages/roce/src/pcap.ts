/**
 * RoCEv2 packets in a classic pcap file (libpcap format 2.4, nanosecond timestamps,
 * `LINKTYPE_ETHERNET` 1), each wrapped in Ethernet, IPv4 or IPv6 and UDP headers as on the wire
 * (docs/reference/roce.md §1) so that Wireshark's `infiniband` dissector decodes them
 * (UDP port 4791, docs/reference/roce.md §7). The IP and UDP headers are those of each packet's
 * {@link RocePath}, the same ones its ICRC was computed over, so the captured ICRC checks.
 *
 * @module
 */
import { ipUdpHeaderBytes, writeIpUdpHeaders } from "./icrc.js";
import type { RocePath } from "./icrc.js";

/** libpcap `LINKTYPE_ETHERNET`. */
export const LINKTYPE_ETHERNET = 1;
/** Magic of a pcap file with nanosecond timestamps. */
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
/** Bytes of an Ethernet II header (docs/reference/roce.md §1). */
export const ETHERNET_HEADER_BYTES = 14;

/** One packet to capture. */
export interface RoceCaptureRecord {
  /** The UDP payload: a transport packet with its ICRC, as {@link encodeRocePacket} makes it. */
  readonly packet: Uint8Array;
  /** The IP/UDP header it travels with. */
  readonly path: RocePath;
  /**
   * Capture time in nanoseconds.
   * @defaultValue the record's index × 1000
   */
  readonly timeNs?: bigint;
}

/** MAC address of an IP address: locally administered 02:00 followed by the last 4 address bytes. */
function macOf(ip: Uint8Array): Uint8Array {
  const m = new Uint8Array(6);
  m[0] = 0x02;
  m.set(ip.subarray(ip.length - 4), 2);
  return m;
}

/**
 * The Ethernet frame of a RoCEv2 packet (without FCS): Ethernet II (EtherType 0x0800 or 0x86DD,
 * locally administered MACs made from the IP addresses), the IP and UDP headers of `path`, then
 * `packet` (docs/reference/roce.md §1).
 */
export function encodeRoceFrame(packet: Uint8Array, path: RocePath): Uint8Array {
  const frame = new Uint8Array(ETHERNET_HEADER_BYTES + ipUdpHeaderBytes(path) + packet.length);
  frame.set(macOf(path.destination), 0);
  frame.set(macOf(path.source), 6);
  frame[12] = path.ipVersion === 4 ? 0x08 : 0x86;
  frame[13] = path.ipVersion === 4 ? 0x00 : 0xdd;
  const n = writeIpUdpHeaders(frame, ETHERNET_HEADER_BYTES, path, packet.length);
  frame.set(packet, ETHERNET_HEADER_BYTES + n);
  return frame;
}

/**
 * A pcap file (little-endian, nanosecond timestamps, snaplen 262144, `LINKTYPE_ETHERNET`) of
 * the given packets, each framed by {@link encodeRoceFrame}.
 *
 * @example
 * ```ts
 * writeFileSync("roce.pcap", writeRocePcap([{ packet: encodeRocePacket(p, path), path }]));
 * // tshark -r roce.pcap -T fields -e infiniband.bth.opcode -e infiniband.bth.psn
 * ```
 */
export function writeRocePcap(records: readonly RoceCaptureRecord[]): Uint8Array {
  const frames = records.map((r) => encodeRoceFrame(r.packet, r.path));
  const total = 24 + frames.reduce((n, f) => n + 16 + f.length, 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, PCAP_MAGIC_NANOSECONDS, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true);
  v.setUint32(12, 0, true);
  v.setUint32(16, 262_144, true);
  v.setUint32(20, LINKTYPE_ETHERNET, true);
  let o = 24;
  frames.forEach((f, i) => {
    const t = records[i]!.timeNs ?? BigInt(i) * 1000n;
    v.setUint32(o, Number(t / 1_000_000_000n), true);
    v.setUint32(o + 4, Number(t % 1_000_000_000n), true);
    v.setUint32(o + 8, f.length, true);
    v.setUint32(o + 12, f.length, true);
    out.set(f, o + 16);
    o += 16 + f.length;
  });
  return out;
}
