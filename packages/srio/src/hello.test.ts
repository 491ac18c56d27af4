/**
 * Xilinx SRIO Gen2 HELLO header (docs/reference/srio.md §7): golden vectors from the example
 * design's instruction list and response generator (test/vectors/hello.json), and the SIZE,
 * tuser and DOORBELL helpers.
 */
import { readFileSync } from "node:fs";
import { DecodeError, EncodeError, fromHex, toHex, valueToJson } from "@rashpa/bits";
import { lawSeed } from "@rashpa/laws";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { arbHello } from "./gen/hello.arb.js";
import { decodeHello, encodeHello, HELLO_FORMAT, helloFromJson } from "./gen/hello.js";
import {
  decodeHelloTuser,
  encodeHelloTuser,
  HELLO_MAX_BYTES,
  helloBytesFromSize,
  helloDataBeats,
  helloDoorbellAddress,
  helloDoorbellInfo,
  helloSizeFromBytes,
} from "./hello.js";

const seed = lawSeed();

interface Vector {
  note: string;
  source: string;
  hex: string;
  value: Record<string, unknown>;
}

const vectors = JSON.parse(
  readFileSync(new URL("../test/vectors/hello.json", import.meta.url), "utf8"),
) as Vector[];

describe(`${HELLO_FORMAT.id} golden vectors (test/vectors/hello.json)`, () => {
  for (const v of vectors) {
    it(v.note, () => {
      expect(v.source).toMatch(/srio\.md §7/);
      const decoded = valueToJson(decodeHello(fromHex(v.hex))) as Record<string, unknown>;
      for (const [field, expected] of Object.entries(v.value))
        expect(decoded[field], `field "${field}"`).toEqual(expected);
      expect(Object.keys(decoded).sort()).toEqual(Object.keys(v.value).sort());
      expect(toHex(encodeHello(helloFromJson(v.value)))).toBe(v.hex);
    });
  }

  it("SIZE is bytes − 1 in the example design's instructions", () => {
    const swrite = decodeHello(fromHex(vectors[0]!.hex));
    expect(helloBytesFromSize(swrite.size)).toBe(32);
    expect(helloDataBeats(swrite.size)).toBe(4);
    const nwriteR = decodeHello(fromHex(vectors[1]!.hex));
    expect(helloBytesFromSize(nwriteR.size)).toBe(3);
  });

  it("DOORBELL instructions carry the info in ADDRESS bits 31:16", () => {
    const doorbells = vectors.filter((v) => v.value["ftype"] === "doorbell");
    expect(doorbells.map((v) => helloDoorbellInfo(decodeHello(fromHex(v.hex)).address))).toEqual([
      0xdbdb, 0x4444,
    ]);
    expect(helloDoorbellAddress(0xdbdb)).toBe(0xdbdb0000n);
  });

  it("responses are sent at the request priority + 1", () => {
    const nread = decodeHello(fromHex(vectors[3]!.hex));
    const response = decodeHello(fromHex(vectors[7]!.hex));
    expect(response.tid).toBe(nread.tid);
    expect(response.prio).toBe(nread.prio + 1);
  });

  it("rejects reserved bits 47 and 34 set", () => {
    expect(() => decodeHello(fromHex("4024a00000002307"))).toThrow(DecodeError);
    expect(() => decodeHello(fromHex("4024200400002307"))).toThrow(DecodeError);
  });
});

describe(`HELLO SIZE (srio.md §7, seed ${seed})`, () => {
  test.prop([fc.integer({ min: 1, max: HELLO_MAX_BYTES })], { seed })(
    "helloBytesFromSize inverts helloSizeFromBytes",
    (n) => {
      const size = helloSizeFromBytes(n);
      expect(size).toBe(n - 1);
      expect(helloBytesFromSize(size)).toBe(n);
    },
  );

  it("covers 1 and 256 bytes", () => {
    expect(helloSizeFromBytes(1)).toBe(0);
    expect(helloSizeFromBytes(256)).toBe(0xff);
    expect(helloDataBeats(0)).toBe(1);
    expect(helloDataBeats(7)).toBe(1);
    expect(helloDataBeats(8)).toBe(2);
    expect(helloDataBeats(0xff)).toBe(32);
  });

  it("rejects lengths outside 1..256 with a typed error", () => {
    for (const bad of [0, 257, -1, 1.5, Number.NaN]) {
      let err: unknown;
      try {
        helloSizeFromBytes(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EncodeError);
      expect((err as EncodeError).path).toBe("bytes");
    }
    expect(() => helloSizeFromBytes(0)).toThrow('"bytes" expected an integer 1..256, got 0 (0x0)');
    for (const bad of [-1, 256, 0.5]) {
      expect(() => helloBytesFromSize(bad)).toThrow(DecodeError);
      expect(() => helloDataBeats(bad)).toThrow(DecodeError);
    }
  });
});

describe(`HELLO tuser (srio.md §7, seed ${seed})`, () => {
  it("packs {srcID[15:0], destID[15:0]}", () => {
    expect(encodeHelloTuser({ srcId: 0x0013, destId: 0x00ff })).toBe(0x001300ff);
    expect(encodeHelloTuser({ srcId: 0xffff, destId: 0 })).toBe(0xffff0000);
    expect(decodeHelloTuser(0xabcd1234)).toEqual({ srcId: 0xabcd, destId: 0x1234 });
  });

  test.prop([fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })], { seed })(
    "decode inverts encode",
    (srcId, destId) => {
      const tuser = encodeHelloTuser({ srcId, destId });
      expect(tuser).toBeGreaterThanOrEqual(0);
      expect(decodeHelloTuser(tuser)).toEqual({ srcId, destId });
    },
  );

  it("rejects out-of-range IDs and tuser values", () => {
    expect(() => encodeHelloTuser({ srcId: 0x10000, destId: 0 })).toThrow(EncodeError);
    expect(() => encodeHelloTuser({ srcId: 0, destId: -1 })).toThrow(/"destId"/);
    expect(() => decodeHelloTuser(2 ** 32)).toThrow(DecodeError);
    expect(() => decodeHelloTuser(-1)).toThrow(DecodeError);
  });
});

describe(`HELLO DOORBELL info ⇄ ADDRESS (srio.md §7, seed ${seed})`, () => {
  test.prop([fc.integer({ min: 0, max: 0xffff })], { seed })(
    "info sits in ADDRESS bits 31:16 and comes back",
    (info) => {
      const address = helloDoorbellAddress(info);
      expect(address & 0xffffn).toBe(0n);
      expect(address >> 32n).toBe(0n);
      expect(helloDoorbellInfo(address)).toBe(info);
      const beat = encodeHello({
        tid: 1,
        ftype: "doorbell",
        ttype: 0,
        prio: 1,
        crf: false,
        size: 1,
        error: false,
        address,
      });
      expect((beat[4]! << 8) | beat[5]!).toBe(info);
    },
  );

  it("rejects info outside 0..0xFFFF and addresses with other bits set", () => {
    expect(() => helloDoorbellAddress(0x10000)).toThrow(EncodeError);
    expect(() => helloDoorbellAddress(-1)).toThrow(/"info"/);
    expect(() => helloDoorbellInfo(0x1_0000_0000n)).toThrow(DecodeError);
    expect(() => helloDoorbellInfo(0xdbdb0001n)).toThrow(DecodeError);
    expect(() => helloDoorbellInfo(-1n)).toThrow(DecodeError);
  });
});

describe(`HELLO header codec (seed ${seed})`, () => {
  test.prop([arbHello], { seed })("every header survives encode → decode", (h) => {
    expect(decodeHello(encodeHello(h))).toEqual(h);
  });
});
