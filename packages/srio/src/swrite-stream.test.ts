/**
 * SWRITE segmentation (Part 1 §3.5, §4.1.8; srio.md §2, §3): hand-worked examples from the
 * standard and property tests.
 */
import fc from "fast-check";
import { lawSeed } from "@rashpa/laws";
import { describe, expect, it } from "vitest";
import { SrioStreamError, planSwriteStream, subDoubleWordSizeCode } from "./index.js";
import type { SrioAddressSize, StreamSegment, SwriteStreamOptions } from "./index.js";

const seed = lawSeed();
const runs = Number(process.env["FC_RUNS"] ?? 200);

const brief = (s: StreamSegment): string =>
  s.kind === "swrite"
    ? `swrite +${s.offset} ${s.byteLength}`
    : `nwrite +${s.offset} ${s.byteLength} size ${s.wrsize!.toString(2).padStart(4, "0")} wdptr ${s.wdptr}`;

describe("examples (Part 1 §3.5, Table 4-4)", () => {
  it("Figure 3-9: 48 bytes from lane 5 → 3-byte head, 5 double-words, 5-byte tail", () => {
    const plan = planSwriteStream(0x1005n, 48);
    expect(plan.count).toBe(3);
    expect([...plan].map(brief)).toEqual([
      "nwrite +0 3 size 0101 wdptr 1", // 3 bytes @ lanes 5–7
      "swrite +3 40",
      "nwrite +43 5 size 0111 wdptr 0", // 5 bytes @ lanes 0–4
    ]);
    expect(plan.wirePayloadBytes).toBe(56);
  });

  it("an aligned 1000-byte stream: 3 × 256 + 232, no NWRITE", () => {
    const plan = planSwriteStream(0x4000n, 1000);
    expect([...plan].map(brief)).toEqual([
      "swrite +0 256",
      "swrite +256 256",
      "swrite +512 256",
      "swrite +768 232",
    ]);
    expect(plan.headCount + plan.tailCount).toBe(0);
  });

  it("inside one double-word: lanes 1–6 need four NWRITEs (no single Table 4-4 entry)", () => {
    const plan = planSwriteStream(0x11n, 6);
    expect([...plan].map(brief)).toEqual([
      "nwrite +0 1 size 0001 wdptr 0", // lane 1
      "nwrite +1 2 size 0110 wdptr 0", // lanes 2–3
      "nwrite +3 2 size 0100 wdptr 1", // lanes 4–5
      "nwrite +5 1 size 0010 wdptr 1", // lane 6
    ]);
  });

  it("inside one double-word touching lane 7 or lane 0: one NWRITE", () => {
    expect([...planSwriteStream(0x13n, 5)].map(brief)).toEqual(["nwrite +0 5 size 0111 wdptr 1"]);
    expect([...planSwriteStream(0x10n, 6)].map(brief)).toEqual(["nwrite +0 6 size 1001 wdptr 0"]);
    expect([...planSwriteStream(0x10n, 8)].map(brief)).toEqual(["swrite +0 8"]);
  });

  it("a boundary: SWRITEs cut on multiples of 256 below a 4 KiB boundary", () => {
    const plan = planSwriteStream(0xf80n, 512, { boundaryBytes: 4096 });
    expect([...plan].map(brief)).toEqual(["swrite +0 128", "swrite +128 256", "swrite +384 128"]);
    const small = planSwriteStream(0x40n, 64, { boundaryBytes: 32 });
    expect([...small].map(brief)).toEqual(["swrite +0 32", "swrite +32 32"]);
  });

  it("unaligned: 'error' refuses an unaligned stream; empty stream has no packets", () => {
    expect(() => planSwriteStream(0x1001n, 16, { unaligned: "error" })).toThrow(SrioStreamError);
    expect(() => planSwriteStream(0x1000n, 12, { unaligned: "error" })).toThrow(
      /^"address" expected a double-word-aligned stream/,
    );
    expect(planSwriteStream(0x1000n, 16, { unaligned: "error" }).count).toBe(1);
    expect(planSwriteStream(0x1003n, 0).count).toBe(0);
  });

  it("bad options are typed errors naming the option", () => {
    const bad: [bigint, number, SwriteStreamOptions, string][] = [
      [-1n, 8, {}, "address"],
      [0n, -1, {}, "byteLength"],
      [0n, 1.5, {}, "byteLength"],
      [(1n << 34n) - 8n, 16, {}, "byteLength"],
      [0n, 8, { addressBits: 32 as SrioAddressSize }, "addressBits"],
      [0n, 8, { maxPayloadBytes: 12 }, "maxPayloadBytes"],
      [0n, 8, { maxPayloadBytes: 264 }, "maxPayloadBytes"],
      [0n, 8, { boundaryBytes: 100 }, "boundaryBytes"],
      [0n, 8, { boundaryBytes: 4096, maxPayloadBytes: 200 }, "maxPayloadBytes"],
      [0n, 8, { unaligned: "pad" as "error" }, "unaligned"],
    ];
    for (const [a, n, o, path] of bad) {
      let err: unknown;
      try {
        planSwriteStream(a, n, o);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SrioStreamError);
      expect((err as SrioStreamError).path).toBe(path);
      expect((err as SrioStreamError).name).toBe("SrioStreamError");
    }
    expect(planSwriteStream((1n << 66n) - 16n, 16, { addressBits: 66 }).count).toBe(1);
    expect(() => planSwriteStream(0n, 8).segmentAt(1)).toThrow(SrioStreamError);
  });
});

const arbStream = fc.record({
  addressBits: fc.constantFrom<SrioAddressSize>(34, 50, 66),
  offset: fc.bigInt({ min: 0n, max: (1n << 34n) - 1n }),
  byteLength: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 1 << 14 })),
  maxPayloadBytes: fc.integer({ min: 1, max: 32 }).map((d) => d * 8),
  boundaryExp: fc.option(fc.integer({ min: 3, max: 13 }), { nil: undefined }),
  nearTop: fc.boolean(),
});

describe(`stream segmentation properties (seed ${seed})`, () => {
  it("contiguous, exact cover, ≤ max payload, SWRITEs double-word aligned, nothing crossed", () => {
    fc.assert(
      fc.property(arbStream, (r) => {
        const top = 1n << BigInt(r.addressBits);
        const address = r.nearTop
          ? top - BigInt(r.byteLength) - (r.offset % 64n)
          : r.offset % (top - BigInt(r.byteLength));
        const boundary = r.boundaryExp === undefined ? undefined : 2 ** r.boundaryExp;
        let max = r.maxPayloadBytes;
        if (boundary !== undefined && boundary > max && boundary % max !== 0) max = 8;
        const plan = planSwriteStream(address, r.byteLength, {
          addressBits: r.addressBits,
          maxPayloadBytes: max,
          ...(boundary === undefined ? {} : { boundaryBytes: boundary }),
        });
        let next = 0;
        let n = 0;
        let wire = 0;
        const s: StreamSegment = {
          index: 0,
          kind: "swrite",
          offset: 0,
          byteLength: 0,
          wrsize: null,
          wdptr: null,
        };
        for (let i = 0; i < plan.count; i++) {
          plan.segmentAt(i, s);
          expect(s.index).toBe(i);
          expect(s.offset).toBe(next); // contiguous, in order
          expect(s.byteLength).toBeGreaterThan(0);
          const first = address + BigInt(s.offset);
          const last = first + BigInt(s.byteLength) - 1n;
          expect(last < top).toBe(true); // inside the address space
          if (s.kind === "swrite") {
            expect(first % 8n).toBe(0n);
            expect(s.byteLength % 8).toBe(0);
            expect(s.byteLength).toBeLessThanOrEqual(max);
            wire += s.byteLength;
          } else {
            // one sub-double-word entry of Table 4-4 inside one double-word
            expect(s.byteLength).toBeLessThan(8);
            expect(first / 8n).toBe(last / 8n);
            expect(subDoubleWordSizeCode(s.byteLength, Number(first % 8n))).toEqual({
              size: s.wrsize,
              wdptr: s.wdptr,
            });
            wire += 8;
          }
          if (boundary !== undefined)
            expect(first / BigInt(boundary)).toBe(last / BigInt(boundary));
          next += s.byteLength;
          n++;
        }
        expect(next).toBe(r.byteLength); // exact cover
        expect(n).toBe(plan.count);
        expect(wire).toBe(plan.wirePayloadBytes);
        expect(plan.tailCount).toBeLessThanOrEqual(1);
        expect(plan.headCount).toBeLessThanOrEqual(4);
        // forEach and the iterator agree with segmentAt
        const viaForEach: string[] = [];
        plan.forEach((i, ftype, offset, len) => viaForEach.push(`${i}:${ftype}:${offset}:${len}`));
        expect(viaForEach).toEqual(
          [...plan].map(
            (x) => `${x.index}:${x.kind === "swrite" ? 6 : 5}:${x.offset}:${x.byteLength}`,
          ),
        );
        // Without a boundary, SWRITE count is the fewest possible for the body.
        if (boundary === undefined) expect(plan.swriteCount).toBe(Math.ceil(plan.bodyBytes / max));
      }),
      { seed, numRuns: runs },
    );
  });
});
