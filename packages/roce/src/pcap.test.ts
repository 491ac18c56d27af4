/**
 * pcap output (docs/reference/roce.md §1, §7): the packets of a small RDMA WRITE exchange —
 * First, Middle, Last with Immediate, an Only with RETH and ImmDt, and the ACK — framed in
 * Ethernet/IPv4/UDP 4791, read back byte-exact with the ICRC checking on the captured IP bytes,
 * and, when `tshark` is installed, decoded by Wireshark's `infiniband` dissector field by field.
 */
import { hasTool } from "@rashpa/laws";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeRocePacket } from "./datagram.js";
import type { RocePacket } from "./datagram.js";
import { checkIcrc, readIcrc, reversePath, rocePath } from "./icrc.js";
import { opcodeValue } from "./gen/transport.js";
import { ETHERNET_HEADER_BYTES, LINKTYPE_ETHERNET, writeRocePcap } from "./pcap.js";
import { rdmaWriteSegmentPacket, segmentRdmaWrite } from "./segment.js";

const path = rocePath({ source: "192.168.10.1", destination: "192.168.10.2", sourcePort: 0xc123 });
const tmp = mkdtempSync(join(tmpdir(), "roce-pcap-"));
afterAll(() => {
  if (!process.env["KEEP"]) rmSync(tmp, { recursive: true, force: true });
});

function exchange(): { packets: RocePacket[]; wire: Uint8Array[]; paths: (typeof path)[] } {
  const message = new Uint8Array(2500).map((_, i) => i & 0xff);
  const packets: RocePacket[] = [
    ...segmentRdmaWrite(
      { va: 0x7f0012340000n, rKey: 0xabcdef01, length: 2500, immediate: 0x2a },
      { pmtu: 1024, firstPsn: 0xfffffe },
    ).map((s) => rdmaWriteSegmentPacket(s, message, { destQp: 0x000d12 })),
    ...segmentRdmaWrite(
      { va: 0x1000n, rKey: 0x77, length: 13, immediate: 0x2b },
      { pmtu: 1024, firstPsn: 1 },
    ).map((s) => rdmaWriteSegmentPacket(s, message, { destQp: 0x000d12 })),
  ];
  const ack: RocePacket = {
    bth: {
      opcode: "rc-acknowledge",
      se: false,
      migReq: false,
      padCnt: 0,
      pKey: 0xffff,
      fecn: false,
      becn: false,
      destQp: 0x000c34,
      ackReq: false,
      psn: 1,
    },
    aeth: { syndromeType: "ack", syndromeValue: 0x1f, msn: 2 },
    payload: new Uint8Array(0),
  };
  packets.push(ack);
  const paths = packets.map((p) => (p === ack ? reversePath(path) : path));
  return { packets, wire: packets.map((p, i) => encodeRocePacket(p, paths[i]!)), paths };
}

/** The frames of a pcap file this package writes (little-endian, 16-byte record headers). */
function readFrames(file: Uint8Array): Uint8Array[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  expect(v.getUint32(20, true)).toBe(LINKTYPE_ETHERNET);
  const frames: Uint8Array[] = [];
  for (let o = 24; o < file.length;) {
    const n = v.getUint32(o + 8, true);
    frames.push(file.subarray(o + 16, o + 16 + n));
    o += 16 + n;
  }
  return frames;
}

const hasTshark = (): boolean => hasTool("tshark");

describe("RoCEv2 pcap", () => {
  it("frames each packet in Ethernet/IPv4/UDP 4791 and the captured ICRC checks", () => {
    const { wire, paths } = exchange();
    const frames = readFrames(
      writeRocePcap(wire.map((packet, i) => ({ packet, path: paths[i]! }))),
    );
    expect(frames.length).toBe(wire.length);
    frames.forEach((f, i) => {
      expect(f.subarray(12, 14)).toEqual(Uint8Array.of(0x08, 0x00));
      expect(f.subarray(ETHERNET_HEADER_BYTES + 28)).toEqual(wire[i]);
      expect(checkIcrc(f, ETHERNET_HEADER_BYTES)).toBe(true);
      const bad = f.slice();
      bad[bad.length - 6] = bad[bad.length - 6]! ^ 0x10;
      expect(checkIcrc(bad, ETHERNET_HEADER_BYTES)).toBe(false);
    });
  });

  const tshark = hasTshark();
  if (!tshark)
    console.log(
      "[pcap] tshark not installed: skipping the `tshark -T fields -e infiniband.*` check",
    );
  it.skipIf(!tshark)("tshark decodes BTH, RETH, ImmDt, AETH and ICRC as sent", () => {
    const { packets, wire, paths } = exchange();
    const file = join(tmp, "roce.pcap");
    writeFileSync(file, writeRocePcap(wire.map((packet, i) => ({ packet, path: paths[i]! }))));
    const fields = [
      "infiniband.bth.opcode",
      "infiniband.bth.psn",
      "infiniband.bth.destqp",
      "infiniband.bth.padcnt",
      "infiniband.bth.a",
      "infiniband.bth.p_key",
      "infiniband.reth.va",
      "infiniband.reth.r_key",
      "infiniband.reth.dmalen",
      "infiniband.immdt",
      "infiniband.aeth.syndrome",
      "infiniband.aeth.msn",
      "infiniband.invariant.crc",
      "frame.protocols",
    ];
    const out = execFileSync(
      "tshark",
      ["-r", file, "-T", "fields", "-E", "separator=|", ...fields.flatMap((f) => ["-e", f])],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    const rows = out
      .trimEnd()
      .split("\n")
      .map((l) => l.split("|"));
    expect(rows.length).toBe(packets.length);
    const num = (s: string | undefined): number | undefined =>
      s === undefined || s === "" ? undefined : Number(s);
    rows.forEach((r, i) => {
      const p = packets[i]!;
      const w = wire[i]!;
      expect(num(r[0]), `opcode ${i}`).toBe(opcodeValue(p.bth.opcode));
      expect(num(r[1])).toBe(p.bth.psn);
      expect(num(r[2])).toBe(p.bth.destQp);
      expect(num(r[3])).toBe(p.bth.padCnt);
      expect(r[4] === "1" || r[4] === "True").toBe(p.bth.ackReq);
      expect(num(r[5])).toBe(p.bth.pKey);
      expect(r[6] === "" ? undefined : BigInt(r[6]!)).toBe(p.reth?.va);
      expect(num(r[7])).toBe(p.reth?.rKey);
      expect(num(r[8])).toBe(p.reth?.dmaLength);
      const imm = p.immdt?.immediate;
      // Wireshark 4.0 lists the ImmDt bytes twice (the header item and its value).
      const shownImm = r[9] === "" ? [] : [...new Set(r[9]!.split(","))];
      expect(shownImm).toEqual(imm === undefined ? [] : [imm.toString(16).padStart(8, "0")]);
      expect(num(r[10])).toBe(p.aeth === undefined ? undefined : p.aeth.syndromeValue);
      expect(num(r[11])).toBe(p.aeth?.msn);
      // The dissector shows the ICRC without validating it (roce.md §7.2), reading the 4 stored
      // bytes big-endian: the byte-swapped value of the least-significant-byte-first ICRC.
      const bigEndian = new DataView(w.buffer, w.byteOffset + w.length - 4, 4).getUint32(0);
      expect(num(r[12])).toBe(bigEndian);
      expect(readIcrc(w, w.length - 4)).toBe(
        ((bigEndian & 0xff) * 0x1000000 +
          ((bigEndian >>> 8) & 0xff) * 0x10000 +
          ((bigEndian >>> 16) & 0xff) * 0x100 +
          (bigEndian >>> 24)) >>>
          0,
      );
      expect(r[13]).toMatch(/^eth:ethertype:ip:udp:infiniband/);
    });
  });
});

describe("tshark availability", () => {
  it("is reported rather than silently skipped", () => {
    // .ci/run installs tshark; this asserts the Wireshark check above really ran there.
    if (process.env["CI"]) expect(hasTshark()).toBe(true);
    else expect(typeof hasTshark()).toBe("boolean");
  });
});
