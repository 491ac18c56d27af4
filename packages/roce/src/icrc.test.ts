/**
 * ICRC (docs/reference/roce.md §5): a hand-built RoCEv2 packet whose ICRC the test computes
 * itself from the description — a bit-by-bit reflected CRC-32 with the register seeded with
 * 0xDEBB20E3 over a copy with the variant fields set to ones, inverted, little-endian — and
 * properties: the variant fields do not enter the CRC, any other single bit flip is detected,
 * and the socket form (`computeRoceIcrc`, headers rebuilt from a path) equals the IP form.
 */
import { crc32, toHex } from "@rashpa/bits";
import { lawSeed } from "@rashpa/laws";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ICRC_SEED,
  appendIcrc,
  checkIcrc,
  computeIcrc,
  computeRoceIcrc,
  readIcrc,
  rocePath,
  writeIpUdpHeaders,
} from "./icrc.js";

/** Reflected CRC-32 (poly 0xEDB88320) one bit at a time from a raw register value. */
function referenceCrcRegister(register: number, data: Uint8Array): number {
  let r = register >>> 0;
  for (const byte of data) {
    r ^= byte;
    for (let k = 0; k < 8; k++) r = r & 1 ? (r >>> 1) ^ 0xedb88320 : r >>> 1;
  }
  return r >>> 0;
}

/** roce.md §5 steps 1–3 written out for an IPv4 (no options) or IPv6 packet. */
function referenceIcrc(ipPacket: Uint8Array): number {
  const m = ipPacket.slice();
  const v6 = m[0]! >>> 4 === 6;
  const ip = v6 ? 40 : 20;
  if (v6) {
    m.set([0x6f, 0xff, 0xff, 0xff], 0); // version, traffic class, flow label
    m[7] = 0xff; // hop limit
  } else {
    m[1] = 0xff; // TOS
    m[8] = 0xff; // TTL
    m[10] = 0xff; // header checksum
    m[11] = 0xff;
  }
  m[ip + 6] = 0xff; // UDP checksum
  m[ip + 7] = 0xff;
  m[ip + 8 + 4] = 0xff; // BTH byte 4 (resv8a)
  return ~referenceCrcRegister(0xdebb20e3, m) >>> 0;
}

/** An IPv4/UDP/BTH/RETH/payload packet with nonzero variant fields, and room for the ICRC. */
function samplePacket(): Uint8Array {
  const bytes = [
    // IPv4: TOS 0x02 (ECT), total length 20+8+12+16+8+4 = 68, id 0x1234, DF, TTL 63, UDP,
    // checksum 0xabcd (not valid: masked anyway), 10.0.0.1 → 10.0.0.2
    0x45, 0x02, 0x00, 0x44, 0x12, 0x34, 0x40, 0x00, 0x3f, 0x11, 0xab, 0xcd, 10, 0, 0, 1, 10, 0, 0,
    2,
    // UDP 49152 → 4791, length 48, checksum 0x5555
    0xc0, 0x00, 0x12, 0xb7, 0x00, 0x30, 0x55, 0x55,
    // BTH: RDMA WRITE Only (0x0a), PadCnt 0, P_Key 0xffff, FECN set, DestQP 0x11, A, PSN 0x123456
    0x0a, 0x00, 0xff, 0xff, 0x80, 0x00, 0x00, 0x11, 0x80, 0x12, 0x34, 0x56,
    // RETH: VA 0x0000000012345678, R_Key 0xdeadbeef, DMA Length 8
    0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 8,
    // payload
    1, 2, 3, 4, 5, 6, 7, 8,
    // ICRC
    0, 0, 0, 0,
  ];
  return Uint8Array.from(bytes);
}

const seed = lawSeed();
const numRuns = Number(process.env["FC_RUNS"] ?? 100);

describe("ICRC as rxe computes it (docs/reference/roce.md §5)", () => {
  it("the seed is the finished CRC-32 of 8 × 0xFF, and the raw register after them is 0xDEBB20E3", () => {
    const ff = new Uint8Array(8).fill(0xff);
    expect(crc32.compute(ff)).toBe(ICRC_SEED);
    expect(referenceCrcRegister(0xffffffff, ff)).toBe(0xdebb20e3);
  });

  it("matches the reference on a hand-built IPv4 packet, stored least-significant byte first", () => {
    const p = samplePacket();
    const body = p.subarray(0, p.length - 4);
    const want = referenceIcrc(body);
    expect(computeIcrc(body)).toBe(want);
    // the one-liner of roce.md §5: crc32(0xFF × 8 ‖ masked packet)
    const masked = body.slice();
    masked.set([0xff], 1);
    masked.set([0xff], 8);
    masked.set([0xff, 0xff], 10);
    masked.set([0xff, 0xff], 26);
    masked[32] = 0xff;
    const oneLiner = new Uint8Array(8 + masked.length).fill(0xff);
    oneLiner.set(masked, 8);
    expect(crc32.compute(oneLiner)).toBe(want);
    expect(appendIcrc(p)).toBe(want);
    expect(toHex(p.subarray(p.length - 4))).toBe(
      [0, 8, 16, 24].map((s) => ((want >>> s) & 0xff).toString(16).padStart(2, "0")).join(""),
    );
    expect(readIcrc(p, p.length - 4)).toBe(want);
    expect(checkIcrc(p)).toBe(true);
  });

  it("the variant fields (TOS, TTL, IP checksum, UDP checksum, BTH byte 4) do not enter it", () => {
    const p = samplePacket();
    appendIcrc(p);
    for (const at of [1, 8, 10, 11, 26, 27, 32]) {
      const q = p.slice();
      q[at] = q[at]! ^ 0x5a;
      expect(checkIcrc(q), `byte ${at}`).toBe(true);
    }
  });

  it(`detects any flipped bit outside the variant fields (seed ${seed})`, () => {
    const p = samplePacket();
    appendIcrc(p);
    const variant = new Set([1, 8, 10, 11, 26, 27, 32]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: p.length * 8 - 1 }), (bit) => {
        const at = bit >>> 3;
        fc.pre(!variant.has(at) && at !== 0); // byte 0 (version, IHL) changes the parse: below
        const q = p.slice();
        q[at] = q[at]! ^ (1 << (bit & 7));
        expect(checkIcrc(q)).toBe(false);
      }),
      { seed, numRuns },
    );
  });

  it("a flipped bit in byte 0 (version, IHL) is refused or detected", () => {
    const p = samplePacket();
    appendIcrc(p);
    for (let k = 0; k < 8; k++) {
      const q = p.slice();
      q[0] = q[0]! ^ (1 << k);
      let ok: boolean;
      try {
        ok = checkIcrc(q);
      } catch (e) {
        expect((e as Error).name).toBe("DecodeError");
        ok = false;
      }
      expect(ok, `bit ${k}`).toBe(false);
    }
  });

  it(`IPv6 packets: the first word and hop limit are masked, the rest is covered (seed ${seed})`, () => {
    const path = rocePath({ source: "fe80::1", destination: "fe80::2:3", sourcePort: 50000 });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 300 }), (transport) => {
        const ip = new Uint8Array(48 + transport.length + 4);
        writeIpUdpHeaders(ip, 0, path, transport.length + 4);
        ip.set(transport, 48);
        appendIcrc(ip);
        expect(readIcrc(ip, ip.length - 4)).toBe(referenceIcrc(ip.subarray(0, ip.length - 4)));
        expect(computeRoceIcrc(path, transport)).toBe(readIcrc(ip, ip.length - 4));
        const q = ip.slice();
        q[3] = 0x12; // flow label
        q[7] = 1; // hop limit
        expect(checkIcrc(q)).toBe(true);
        q[20] = q[20]! ^ 1; // source address
        expect(checkIcrc(q)).toBe(false);
      }),
      { seed, numRuns },
    );
  });

  it(`computeRoceIcrc over a path equals computeIcrc of the IPv4 packet (seed ${seed})`, () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 12, maxLength: 600 }),
        fc.integer({ min: 0, max: 0xffff }),
        (transport, port) => {
          const path = rocePath({
            source: "192.168.1.10",
            destination: "192.168.1.20",
            sourcePort: port,
          });
          const ip = new Uint8Array(28 + transport.length + 4);
          writeIpUdpHeaders(ip, 0, path, transport.length + 4);
          ip.set(transport, 28);
          expect(computeRoceIcrc(path, transport)).toBe(computeIcrc(ip, 0, ip.length - 4));
          expect(computeIcrc(ip, 0, ip.length - 4)).toBe(
            referenceIcrc(ip.subarray(0, ip.length - 4)),
          );
        },
      ),
      { seed, numRuns },
    );
  });

  it("writes a valid IPv4 header checksum and the UDP lengths", () => {
    const path = rocePath({ source: "10.1.2.3", destination: "10.4.5.6" });
    const h = new Uint8Array(28);
    writeIpUdpHeaders(h, 0, path, 100);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += (h[i]! << 8) | h[i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
    expect((h[2]! << 8) | h[3]!).toBe(128);
    expect((h[24]! << 8) | h[25]!).toBe(108);
    expect((h[22]! << 8) | h[23]!).toBe(4791);
  });

  it("rejects what is not an address, and non-IP input", () => {
    expect(() => rocePath({ source: "10.0.0.256", destination: "10.0.0.1" })).toThrow(/"source"/);
    expect(() => rocePath({ source: "10.0.0.1", destination: "::1" })).toThrow(/"destination"/);
    expect(() => computeIcrc(Uint8Array.of(0x20, 0, 0, 0))).toThrow(
      /"ipVersion" expected 4 or 6, got 2 at byte 0/,
    );
    expect(() => computeIcrc(samplePacket().subarray(0, 30))).toThrow(/"packet"/);
  });
});
