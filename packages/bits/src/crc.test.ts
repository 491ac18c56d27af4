import { describe, it, expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import {
  CRC16_CCITT_RAPIDIO,
  CRC16_PCIE_DLLP,
  CRC32_PCIE,
  CRC5_RAPIDIO_CS24,
  crc16PcieDllp,
  crc16RapidIO,
  crc32,
  crc5Cs24,
  crc5RapidIO,
  crcBitwise,
  createCrc,
  type CrcParams,
} from "./crc.js";

if (process.env.FC_SEED !== undefined) fc.configureGlobal({ seed: Number(process.env.FC_SEED) });

const CHECK = new TextEncoder().encode("123456789");

/** Entries of the "Catalogue of parametrised CRC algorithms" (values as listed there). */
const CATALOGUE: readonly CrcParams[] = [
  {
    name: "CRC-3/GSM",
    width: 3,
    poly: 0x3,
    init: 0x0,
    refin: false,
    refout: false,
    xorout: 0x7,
    check: 0x4,
    residue: 0x2,
  },
  {
    name: "CRC-5/USB",
    width: 5,
    poly: 0x05,
    init: 0x1f,
    refin: true,
    refout: true,
    xorout: 0x1f,
    check: 0x19,
    residue: 0x06,
  },
  {
    name: "CRC-6/G-704",
    width: 6,
    poly: 0x03,
    init: 0x00,
    refin: true,
    refout: true,
    xorout: 0x00,
    check: 0x06,
    residue: 0x00,
  },
  {
    name: "CRC-7/MMC",
    width: 7,
    poly: 0x09,
    init: 0x00,
    refin: false,
    refout: false,
    xorout: 0x00,
    check: 0x75,
    residue: 0x00,
  },
  {
    name: "CRC-8/SMBUS",
    width: 8,
    poly: 0x07,
    init: 0x00,
    refin: false,
    refout: false,
    xorout: 0x00,
    check: 0xf4,
    residue: 0x00,
  },
  {
    name: "CRC-8/MAXIM-DOW",
    width: 8,
    poly: 0x31,
    init: 0x00,
    refin: true,
    refout: true,
    xorout: 0x00,
    check: 0xa1,
    residue: 0x00,
  },
  {
    name: "CRC-12/UMTS",
    width: 12,
    poly: 0x80f,
    init: 0x000,
    refin: false,
    refout: true,
    xorout: 0x000,
    check: 0xdaf,
  },
  {
    name: "CRC-16/ARC",
    width: 16,
    poly: 0x8005,
    init: 0x0000,
    refin: true,
    refout: true,
    xorout: 0x0000,
    check: 0xbb3d,
    residue: 0x0000,
  },
  {
    name: "CRC-16/XMODEM",
    width: 16,
    poly: 0x1021,
    init: 0x0000,
    refin: false,
    refout: false,
    xorout: 0x0000,
    check: 0x31c3,
    residue: 0x0000,
  },
  {
    name: "CRC-24/OPENPGP",
    width: 24,
    poly: 0x864cfb,
    init: 0xb704ce,
    refin: false,
    refout: false,
    xorout: 0x000000,
    check: 0x21cf02,
    residue: 0x000000,
  },
  {
    name: "CRC-31/PHILIPS",
    width: 31,
    poly: 0x04c11db7,
    init: 0x7fffffff,
    refin: false,
    refout: false,
    xorout: 0x7fffffff,
    check: 0x0ce9e46c,
  },
  {
    name: "CRC-32/BZIP2",
    width: 32,
    poly: 0x04c11db7,
    init: 0xffffffff,
    refin: false,
    refout: false,
    xorout: 0xffffffff,
    check: 0xfc891918,
    residue: 0xc704dd7b,
  },
  {
    name: "CRC-32/ISCSI (CRC-32C)",
    width: 32,
    poly: 0x1edc6f41,
    init: 0xffffffff,
    refin: true,
    refout: true,
    xorout: 0xffffffff,
    check: 0xe3069283,
    residue: 0xb798b438,
  },
];

const PRESETS: readonly CrcParams[] = [
  CRC5_RAPIDIO_CS24,
  CRC16_CCITT_RAPIDIO,
  CRC16_PCIE_DLLP,
  CRC32_PCIE,
];

const ALL = [...PRESETS, ...CATALOGUE];

/** Appends the CRC in transmission order: low byte first when refout, high byte first otherwise. */
function codeword(params: CrcParams, data: Uint8Array, crc: number): Uint8Array {
  const n = params.width / 8;
  const out = new Uint8Array(data.length + n);
  out.set(data);
  for (let i = 0; i < n; i++) {
    const shift = params.refout ? 8 * i : 8 * (n - 1 - i);
    out[data.length + i] = Math.floor(crc / 2 ** shift) & 0xff;
  }
  return out;
}

describe('check values over ASCII "123456789"', () => {
  it.each(ALL.map((p) => [p.name, p] as const))("%s", (_name, params) => {
    const engine = createCrc(params);
    expect(engine.compute(CHECK)).toBe(params.check);
    expect(crcBitwise(params, CHECK)).toBe(params.check);
  });

  it("ready instances match their presets", () => {
    expect(crc5RapidIO.params).toEqual(CRC5_RAPIDIO_CS24);
    expect(crc16RapidIO.params).toEqual(CRC16_CCITT_RAPIDIO);
    expect(crc16PcieDllp.params).toEqual(CRC16_PCIE_DLLP);
    expect(crc32.params).toEqual(CRC32_PCIE);
    expect(crc5RapidIO.compute(CHECK)).toBe(0x14);
    expect(crc16RapidIO.compute(CHECK)).toBe(0x29b1);
    expect(crc16PcieDllp.compute(CHECK)).toBe(0x0a3d);
    expect(crc32.compute(CHECK)).toBe(0xcbf43926);
  });

  it("results are unsigned", () => {
    const ff = new Uint8Array(16).fill(0xff);
    for (const p of ALL) {
      const v = createCrc(p).compute(ff);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(2 ** p.width);
    }
    expect(crc32.compute(new Uint8Array(0))).toBe(0);
    expect(crc32.compute(Uint8Array.of(0))).toBe(0xd202ef8d);
  });
});

describe("table-driven engine equals the bitwise reference", () => {
  const paramsArb = fc
    .integer({ min: 1, max: 32 })
    .chain((width) => {
      const value = fc.integer({ min: 0, max: 2 ** width - 1 });
      return fc.record({
        name: fc.constant(`random-${width}`),
        width: fc.constant(width),
        poly: value,
        init: value,
        refin: fc.boolean(),
        refout: fc.boolean(),
        xorout: value,
        check: fc.constant(0),
      });
    })
    .map((p) => ({ ...p, check: crcBitwise(p, CHECK) }));

  test.prop([paramsArb, fc.uint8Array({ maxLength: 64 })])(
    "for random parameters (widths 1..32) and random data",
    (params, data) => {
      expect(createCrc(params).compute(data)).toBe(crcBitwise(params, data));
    },
  );

  test.prop([fc.constantFrom(...ALL), fc.uint8Array({ maxLength: 300 })])(
    "for every preset and catalogue entry",
    (params, data) => {
      expect(createCrc(params).compute(data)).toBe(crcBitwise(params, data));
    },
  );

  test.prop([fc.constantFrom(...ALL), fc.uint8Array({ maxLength: 64 }), fc.nat(64), fc.nat(64)])(
    "compute(data, start, end) equals compute(data.subarray(start, end))",
    (params, data, a, b) => {
      const start = Math.min(a, b, data.length);
      const end = Math.min(Math.max(a, b), data.length);
      const engine = createCrc(params);
      expect(engine.compute(data, start, end)).toBe(engine.compute(data.subarray(start, end)));
    },
  );
});

describe("streaming", () => {
  test.prop([
    fc.constantFrom(...ALL),
    fc.uint8Array({ maxLength: 200 }),
    fc.array(fc.nat(200), { maxLength: 6 }),
  ])("update in chunks then finish equals one-shot compute", (params, data, cuts) => {
    const engine = createCrc(params);
    const points = [...new Set([0, ...cuts.map((c) => Math.min(c, data.length)), data.length])];
    points.sort((x, y) => x - y);
    let state = engine.init();
    for (let i = 1; i < points.length; i++) {
      // alternate between the (start, end) form and subarrays
      state =
        i % 2 === 0
          ? engine.update(state, data, points[i - 1], points[i])
          : engine.update(state, data.subarray(points[i - 1], points[i]));
    }
    expect(engine.finish(state)).toBe(engine.compute(data));
  });

  it("init/finish of an empty stream gives the CRC of nothing", () => {
    for (const p of ALL) {
      const engine = createCrc(p);
      expect(engine.finish(engine.init())).toBe(engine.compute(new Uint8Array(0)));
    }
  });
});

describe("residues", () => {
  const withResidue = ALL.filter((p) => p.residue !== undefined && p.width % 8 === 0);

  it("covers the byte-sized presets", () => {
    expect(withResidue.map((p) => p.name)).toEqual(
      expect.arrayContaining([CRC16_CCITT_RAPIDIO.name, CRC16_PCIE_DLLP.name, CRC32_PCIE.name]),
    );
  });

  test.prop([fc.constantFrom(...withResidue), fc.uint8Array({ maxLength: 100 })])(
    "a codeword (message ‖ CRC) leaves the register at the residue",
    (params, data) => {
      const engine = createCrc(params);
      const word = codeword(params, data, engine.compute(data));
      expect((engine.compute(word) ^ params.xorout) >>> 0).toBe(params.residue);
    },
  );
});

describe("RapidIO packet CRC-16 (Part 6 §2.4)", () => {
  test.prop([fc.uint8Array({ minLength: 2, maxLength: 100 })])(
    "a packet followed by its CRC checks to 0x0000; a flipped bit does not",
    (data) => {
      const crc = crc16RapidIO.compute(data);
      const packet = Uint8Array.of(...data, crc >>> 8, crc & 0xff);
      expect(crc16RapidIO.compute(packet)).toBe(0);
      packet[0] = packet[0]! ^ 0x01;
      expect(crc16RapidIO.compute(packet)).not.toBe(0);
    },
  );

  it("early CRC: running CRC continues through an embedded CRC (Part 6 §2.4.1)", () => {
    const first80 = Uint8Array.from({ length: 80 }, (_, i) => (i * 7 + 3) & 0xff);
    const early = crc16RapidIO.compute(first80);
    const rest = Uint8Array.of(1, 2, 3, 4, 5, 6);
    const packet = Uint8Array.of(...first80, early >>> 8, early & 0xff, ...rest);
    const state = crc16RapidIO.update(
      crc16RapidIO.update(crc16RapidIO.init(), first80),
      packet,
      80,
    );
    expect(crc16RapidIO.finish(state)).toBe(crc16RapidIO.compute(packet));
    // a receiver checking the early CRC in-line sees 0 after it
    expect(crc16RapidIO.compute(packet, 0, 82)).toBe(0);
  });
});

describe("PCIe DLLP CRC-16 (docs/reference/pcie.md §5)", () => {
  /** cocotbext-style formulation quoted in pcie.md §5: reflected poly 0xD008, init 0xFFFF, ~crc. */
  function cocotbextStyle(body: Uint8Array): number {
    let crc = 0xffff;
    for (const b of body) {
      crc ^= b;
      for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xd008 : crc >>> 1;
    }
    return ~crc & 0xffff;
  }

  /** cyrozap-style formulation: poly 0x100B MSB-first register, LSB-first input bits, ^0xFFFF, bytes bit-reversed. */
  function cyrozapStyle(body: Uint8Array): { b4: number; b5: number } {
    let r = 0xffff;
    for (const b of body) {
      for (let k = 0; k < 8; k++) {
        const fb = ((r >>> 15) ^ (b >>> k)) & 1;
        r = (r << 1) & 0xffff;
        if (fb) r ^= 0x100b;
      }
    }
    r ^= 0xffff;
    const rev8 = (x: number) => {
      let y = 0;
      for (let i = 0; i < 8; i++) y |= ((x >>> i) & 1) << (7 - i);
      return y;
    };
    return { b4: rev8(r >>> 8), b5: rev8(r & 0xff) };
  }

  test.prop([fc.uint8Array({ minLength: 4, maxLength: 4 })])(
    "matches both formulations described in pcie.md",
    (body) => {
      const crc = crc16PcieDllp.compute(body);
      expect(crc).toBe(cocotbextStyle(body));
      const { b4, b5 } = cyrozapStyle(body);
      // appended low byte first
      expect(crc & 0xff).toBe(b4);
      expect(crc >>> 8).toBe(b5);
    },
  );

  test.prop([fc.uint8Array({ minLength: 4, maxLength: 4 })])(
    "running the CRC over all 6 DLLP bytes leaves the residue 0x556F",
    (body) => {
      const crc = crc16PcieDllp.compute(body);
      const dllp = Uint8Array.of(...body, crc & 0xff, crc >>> 8);
      expect(crc16PcieDllp.update(crc16PcieDllp.init(), dllp)).toBe(0x556f);
      expect(crc16PcieDllp.compute(dllp)).toBe(0x556f ^ 0xffff);
    },
  );

  it("a corrupted DLLP does not leave the residue", () => {
    const body = Uint8Array.of(0x00, 0x00, 0x00, 0x2a); // Ack, AckNak_Seq_Num 42
    const crc = crc16PcieDllp.compute(body);
    const dllp = Uint8Array.of(...body, crc & 0xff, crc >>> 8);
    dllp[3] = 0x2b;
    expect(crc16PcieDllp.update(crc16PcieDllp.init(), dllp)).not.toBe(0x556f);
  });
});

describe("CRC-32 (PCIe LCRC/ECRC, RoCE ICRC)", () => {
  it("8 bytes of 0xFF give register 0xDEBB20E3 and finished CRC 0x2144DF1C (roce.md §5)", () => {
    const ff = new Uint8Array(8).fill(0xff);
    expect(crc32.update(crc32.init(), ff)).toBe(0xdebb20e3);
    expect(crc32.compute(ff)).toBe(0x2144df1c);
  });
});

describe("CRC-5 of Control Symbol 24 (RapidIO 4.1 Part 6 §3.6.1–3.6.2)", () => {
  /**
   * Table 3-25 "Parallel CRC-5 Equations" as printed: for each data input D0..D18 the CRC bits
   * whose exclusive-OR includes it; "!" marks the inverted D18 inputs, which fold in the all-ones
   * preset and the appended 0 bit.
   */
  const TABLE_3_25: readonly string[] = [
    /* D0 */ "C0 C1 C4",
    /* D1 */ "C0 C2 C3",
    /* D2 */ "C1 C3 C4",
    /* D3 */ "C0 C1 C2 C3 C4",
    /* D4 */ "C0 C2 C4",
    /* D5 */ "C0",
    /* D6 */ "C1",
    /* D7 */ "C2",
    /* D8 */ "C3",
    /* D9 */ "C4",
    /* D10 */ "C0 C1 C3",
    /* D11 */ "C1 C2 C4",
    /* D12 */ "C0 C1 C2",
    /* D13 */ "C1 C2 C3",
    /* D14 */ "C2 C3 C4",
    /* D15 */ "C0 C1 C4",
    /* D16 */ "C0 C2 C3",
    /* D17 */ "C1 C3 C4",
    /* D18 */ "C0 !C1 !C2 !C3 C4",
  ];

  // Precompute, per CRC bit, the mask of data inputs and the constant from the "!" entries.
  // D0 (symbol bit 0) is the MSB of the 19-bit value.
  const masks = [0, 0, 0, 0, 0];
  const invert = [0, 0, 0, 0, 0];
  TABLE_3_25.forEach((row, d) => {
    for (const cell of row.split(" ")) {
      const c = Number(cell.replace("!", "").slice(1));
      masks[c] = masks[c]! | (1 << (18 - d));
      if (cell.startsWith("!")) invert[c] = 1;
    }
  });
  const parity = (x: number) => {
    let p = 0;
    for (let v = x; v !== 0; v &= v - 1) p ^= 1;
    return p;
  };
  const byEquations = (bits19: number) => {
    let crc = 0;
    for (let c = 0; c < 5; c++) crc = (crc << 1) | (parity(bits19 & masks[c]!) ^ invert[c]!);
    return crc;
  };

  it("all-zero symbol bits give C = 0b01110 (the inverted D18 terms)", () => {
    expect(crc5Cs24(0)).toBe(0b01110);
    expect(byEquations(0)).toBe(0b01110);
  });

  it("agrees with the parallel equations of Table 3-25 for all 2^19 inputs", () => {
    let mismatches = 0;
    for (let v = 0; v < 1 << 19; v++) if (crc5Cs24(v) !== byEquations(v)) mismatches++;
    expect(mismatches).toBe(0);
  });

  test.prop([fc.integer({ min: 0, max: 0x7ffff })])(
    "serial check: bits 0..18, the appended 0 and c0..c4 shifted through the register leave 0",
    (bits19) => {
      const crc = crc5Cs24(bits19);
      const stream = bits19 * 2 * 32 + crc; // 19 bits ‖ 0 ‖ c0..c4 = 25 bits
      let r = 0x1f;
      for (let i = 24; i >= 0; i--) {
        const fb = ((r >>> 4) ^ Math.floor(stream / 2 ** i)) & 1;
        r = (r << 1) & 0x1f;
        if (fb) r ^= 0x15;
      }
      expect(r).toBe(0);
    },
  );

  test.prop([fc.integer({ min: 0, max: 0x7ffff }), fc.integer({ min: 0, max: 18 })])(
    "detects every single-bit error",
    (bits19, bit) => {
      expect(crc5Cs24(bits19 ^ (1 << bit))).not.toBe(crc5Cs24(bits19));
    },
  );

  it("rejects inputs that are not 19-bit unsigned integers", () => {
    expect(() => crc5Cs24(1 << 19)).toThrow(RangeError);
    expect(() => crc5Cs24(-1)).toThrow(RangeError);
    expect(() => crc5Cs24(0.5)).toThrow(RangeError);
  });
});

describe("parameter validation", () => {
  const good = CRC16_CCITT_RAPIDIO;

  it.each([
    ["width 0", { ...good, width: 0 }],
    ["width 33", { ...good, width: 33 }],
    ["fractional width", { ...good, width: 8.5 }],
    ["poly too wide", { ...good, poly: 0x11021 }],
    ["negative init", { ...good, init: -1 }],
    ["xorout too wide", { ...good, xorout: 0x10000 }],
    ["residue too wide", { ...good, residue: 0x10000 }],
    ["non-boolean refin", { ...good, refin: 1 as unknown as boolean }],
  ])("rejects %s", (_label, params) => {
    expect(() => createCrc(params)).toThrow(RangeError);
  });

  it("rejects a parameter set whose check value does not match", () => {
    expect(() => createCrc({ ...good, check: 0x29b2 })).toThrow(/check value 0x29b1/);
  });

  it("rejects bad start/end ranges", () => {
    const data = new Uint8Array(4);
    expect(() => crc32.compute(data, 3, 2)).toThrow(RangeError);
    expect(() => crc32.compute(data, 0, 5)).toThrow(RangeError);
    expect(() => crc32.compute(data, -1)).toThrow(RangeError);
    expect(() => crc32.update(crc32.init(), data, 0.5)).toThrow(RangeError);
    expect(crc32.compute(data, 4, 4)).toBe(crc32.compute(new Uint8Array(0)));
  });

  it("freezes the parameters of an engine", () => {
    const engine = createCrc({ ...good });
    expect(Object.isFrozen(engine.params)).toBe(true);
    expect(Object.isFrozen(CRC32_PCIE)).toBe(true);
  });
});
