/**
 * TLP rules (pcie.md §1.1, §1.2, §1.5, §1.6, §4.1–§4.4, §8): every golden vector and every TLP
 * built legally passes; each illegal construction is rejected with the right field named.
 */
import { readFileSync } from "node:fs";
import { CodecError } from "@rashpa/bits";
import { lawSeed } from "@rashpa/laws";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TLP_FORMAT, decodeTlp, encodeTlp, type Tlp } from "./gen/tlp.js";
import { assertTlpRules, checkTlpRules, TlpRuleError, type TlpRuleOptions } from "./rules.js";

interface Vector {
  note: string;
  hex: string;
  value: Record<string, unknown>;
}

const vectors = JSON.parse(
  readFileSync(new URL("../test/vectors/tlp.json", import.meta.url), "utf8"),
) as Vector[];
const seed = lawSeed();
const numRuns = Number(process.env["FC_RUNS"] ?? 100);

function template(type: string, pred: (v: Vector) => boolean = () => true): Tlp {
  const v = vectors.find((x) => x.value["tlpType"] === type && pred(x));
  if (v === undefined) throw new Error(`no ${type} vector`);
  return TLP_FORMAT.fromJson(v.value);
}

const MRD32 = template("mrd-32", (v) => v.value["beField"] === "byte-enables");
const MRD64 = template("mrd-64");
const MWR32 = { ...template("mwr-32"), td: false } as Tlp;

/** The fields a rule names, in order. */
function paths(tlp: Tlp, options?: TlpRuleOptions): string[] {
  return checkTlpRules(tlp, options).map((e) => e.path ?? "");
}

/** Round-trips a value through the codec, so every test value is a real, encodable TLP. */
function real(value: unknown): Tlp {
  return decodeTlp(encodeTlp(value as Tlp));
}

/**
 * A memory request built legally from (byte address, byte length) as pcie.md §4.2 and §4.3 say:
 * DW-aligned address, First/Last BE from the byte range, single DW → Last BE 0, zero length →
 * Length 1 with both BEs 0; the 3-DW form below 4 GiB, the 4-DW form above (§1.2).
 */
function memRequest(kind: "mrd" | "mwr", byteAddress: bigint, bytes: number): Tlp {
  const off = Number(byteAddress % 4n);
  let dw = 1;
  let firstBe = 0;
  let lastBe = 0;
  if (bytes > 0) {
    dw = Math.ceil((off + bytes) / 4);
    firstBe = (0xf << off) & 0xf;
    const end = (off + bytes) % 4;
    lastBe = end === 0 ? 0xf : (1 << end) - 1;
    if (dw === 1) {
      firstBe &= lastBe;
      lastBe = 0;
    }
  }
  const wide = byteAddress >= 0x1_0000_0000n;
  const base = kind === "mrd" ? (wide ? MRD64 : MRD32) : MWR32;
  const fields: Record<string, unknown> = {
    ...base,
    length: dw === 1024 ? 0 : dw,
    firstBe,
    lastBe,
    address: wide ? byteAddress / 4n : Number(byteAddress / 4n),
  };
  if (kind === "mwr") {
    fields["data"] = new Uint8Array(dw * 4);
    if (wide) Object.assign(fields, { fmt: "data-4dw", tlpType: "mwr-64" });
  }
  return real(fields);
}

function withFields(tlp: Tlp, fields: Record<string, unknown>): Tlp {
  return real({ ...tlp, ...fields });
}

describe("TLP rules: legal TLPs pass", () => {
  it("every golden vector of test/vectors/tlp.json", () => {
    for (const v of vectors) expect(paths(TLP_FORMAT.fromJson(v.value)), v.note).toEqual([]);
  });

  it("zero-length read and write (§4.3)", () => {
    expect(paths(memRequest("mrd", 0x1000n, 0))).toEqual([]);
    expect(paths(memRequest("mwr", 0x1002n, 0))).toEqual([]);
    const z = memRequest("mrd", 0x1000n, 0);
    expect([z.length, "firstBe" in z && z.firstBe, "lastBe" in z && z.lastBe]).toEqual([1, 0, 0]);
  });

  it("non-contiguous BEs: any First BE at Length 1, QW-aligned Length 2 (§4.2)", () => {
    expect(paths(withFields(MRD32, { length: 1, firstBe: 0b1010, lastBe: 0 }))).toEqual([]);
    const two = withFields(MWR32, { address: 0x400, length: 2, firstBe: 0b0101, lastBe: 0b1010 });
    expect(paths(two)).toEqual([]);
  });

  it("a full 4 KiB page (Length 0 = 1024 DW, §4.1) and the 64-bit form when allowed (§1.2)", () => {
    expect(paths(memRequest("mwr", 0x2000n, 4096))).toEqual([]);
    const low = withFields(MRD64, { address: 0x400n });
    expect(paths(low, { allow64BitFormBelow4GiB: true })).toEqual([]);
  });

  it("completions: Byte Count 0 = 4096 and RCB-aligned non-final completions (§4.4, §8.2)", () => {
    const cpld = template("cpld");
    const full = withFields(cpld, {
      byteCount: 0,
      lowerAddress: 0,
      length: 0,
      data: new Uint8Array(4096),
    });
    expect(paths(full)).toEqual([]);
    // 64 B at lower address 0x40 with 4096 B remaining: not the last, ends at 0x80.
    const part = withFields(cpld, {
      byteCount: 0,
      lowerAddress: 0x40,
      length: 16,
      data: new Uint8Array(64),
    });
    expect(paths(part, { rcbBytes: 64 })).toEqual([]);
    expect(paths(part, { rcbBytes: 128 })).toEqual([]);
  });
});

describe("TLP rules: illegal TLPs are typed errors naming the field", () => {
  it("error shape: stable name, field, offset, section, message", () => {
    const bad = withFields(MRD32, { length: 1, firstBe: 0xf, lastBe: 0x1 });
    const [e] = checkTlpRules(bad);
    expect(e).toBeInstanceOf(TlpRuleError);
    expect(e).toBeInstanceOf(CodecError);
    expect(e!.name).toBe("TlpRuleError");
    expect(e!.path).toBe("lastBe");
    expect(e!.offset).toBe(7);
    expect(e!.section).toBe("§4.2");
    expect(e!.message).toBe('"lastBe" expected 0000b (Length 1), got 0001b at byte 7');
    expect(() => assertTlpRules(bad)).toThrow(TlpRuleError);
    expect(() => assertTlpRules(MRD32)).not.toThrow();
  });

  const cases: [string, () => Tlp, string, TlpRuleOptions?][] = [
    ["AT 11b is reserved (§1.1)", () => withFields(MRD32, { at: "reserved" }), "at"],
    [
      "message routing 110b is reserved (§1.5)",
      () => withFields(template("msg"), { type: "msg-reserved-6" }),
      "type",
    ],
    ["Length must be 0 in Msg (§1.1)", () => withFields(template("msg"), { length: 1 }), "length"],
    ["Length must be 0 in Cpl (§1.1)", () => withFields(template("cpl"), { length: 2 }), "length"],
    [
      "Length must be 1 in IORd (§4.2)",
      () => withFields(template("iord"), { length: 2, lastBe: 0xf }),
      "length",
    ],
    [
      "Length must be 1 in CfgRd0 (§4.2)",
      () => withFields(template("cfgrd0"), { length: 0 }),
      "length",
    ],
    [
      "FetchAdd operand of 12 B (§1.6)",
      () => withFields(template("fetchadd-64"), { length: 3, data: new Uint8Array(12) }),
      "length",
    ],
    [
      "CAS operands of 2 × 6 B (§1.6)",
      () => withFields(template("cas-32"), { length: 3, data: new Uint8Array(12) }),
      "length",
    ],
    [
      "MWr payload above MPS (§8.1)",
      () => memRequest("mwr", 0x1000n, 512),
      "length",
      { maxPayloadBytes: 256 },
    ],
    [
      "MRd above MRRS (§8.1)",
      () => memRequest("mrd", 0x1000n, 1024),
      "length",
      { maxReadRequestBytes: 512 },
    ],
    ["1 DW with Last BE ≠ 0 (§4.2)", () => withFields(MRD32, { lastBe: 0xf }), "lastBe"],
    ["2 DW with First BE 0 (§4.2, §4.3)", () => withFields(MWR32, { firstBe: 0 }), "firstBe"],
    ["2 DW with Last BE 0 (§4.2)", () => withFields(MWR32, { lastBe: 0 }), "lastBe"],
    [
      "3 DW non-contiguous First BE (§4.2)",
      () => withFields(MRD32, { length: 3, firstBe: 0b0111, lastBe: 0xf }),
      "firstBe",
    ],
    [
      "3 DW non-contiguous Last BE (§4.2)",
      () => withFields(MRD32, { length: 3, firstBe: 0xf, lastBe: 0b1110 }),
      "lastBe",
    ],
    [
      "2 DW non-contiguous, not QW-aligned (§4.2)",
      () => withFields(MWR32, { address: 0x401, length: 2, firstBe: 0b0101, lastBe: 0xf }),
      "firstBe",
    ],
    [
      "MRd crossing 4 KiB (§8.1)",
      () => withFields(MRD32, { address: 0x3fc, length: 8, lastBe: 0xf }),
      "length",
    ],
    [
      "MWr crossing 4 KiB (§8.1)",
      () => withFields(memRequest("mwr", 0xff8n, 8), { length: 3, data: new Uint8Array(12) }),
      "length",
    ],
    ["64-bit form below 4 GiB (§1.2)", () => withFields(MRD64, { address: 0x400n }), "address"],
    [
      "FetchAdd 64-bit form below 4 GiB (§1.2)",
      () => withFields(template("fetchadd-64"), { address: 0x400n }),
      "address",
    ],
    [
      "CplD longer than its Byte Count (§4.4)",
      () => withFields(template("cpld"), { byteCount: 4, lowerAddress: 0x40 }),
      "byteCount",
    ],
    [
      "non-final CplD not ending on the RCB (§8.2)",
      () =>
        withFields(template("cpld"), {
          byteCount: 0,
          lowerAddress: 0x44,
          length: 16,
          data: new Uint8Array(64),
        }),
      "lowerAddress",
      { rcbBytes: 64 },
    ],
  ];
  for (const [name, build, field, options] of cases)
    it(`${name}: "${field}"`, () => {
      const errors = checkTlpRules(build(), options);
      expect(errors.map((e) => e.path)).toContain(field);
      for (const e of errors)
        expect(e.message).toMatch(/^"[A-Za-z]+" expected .+, got .+ at byte \d+$/);
    });
});

describe(`TLP rules properties (pcie.md §4.2, §4.3, §8.1) — seed ${seed}`, () => {
  const arbMps = fc.constantFrom(128, 256, 512, 1024, 2048, 4096);
  const arbAddress = fc.oneof(
    fc.bigInt({ min: 0n, max: 0xffff_ffffn }),
    fc.bigInt({ min: 0x1_0000_0000n, max: (1n << 62n) - 1n }),
    fc.bigInt({ min: 0xffff_f000n, max: 0x1_0000_0fffn }),
  );
  /** (kind, address, byte length, MPS) of a legal memory request: within MPS and one page. */
  const arbLegal = fc
    .tuple(fc.constantFrom("mrd" as const, "mwr" as const), arbAddress, arbMps, fc.nat())
    .map(([kind, address, mps, n]) => {
      // MPS bounds the DW count: at most MPS − (address mod 4) bytes (§8.1).
      const room = 4096 - Number(address % 4096n);
      const max = Math.min(mps - Number(address % 4n), room);
      return { kind, address, mps, bytes: n % (max + 1) };
    });
  const opts = (mps: number): TlpRuleOptions => ({
    maxPayloadBytes: mps,
    maxReadRequestBytes: mps,
  });

  it("every memory request built legally passes", () => {
    fc.assert(
      fc.property(arbLegal, ({ kind, address, mps, bytes }) => {
        expect(paths(memRequest(kind, address, bytes), opts(mps))).toEqual([]);
      }),
      { seed, numRuns },
    );
  });

  it("zeroing a BE of a multi-DW request is rejected naming that BE", () => {
    fc.assert(
      fc.property(arbLegal, fc.constantFrom("firstBe", "lastBe"), (r, be) => {
        const t = memRequest(r.kind, r.address, r.bytes);
        fc.pre(t.length !== 1);
        expect(paths(withFields(t, { [be]: 0 }), opts(r.mps))).toContain(be);
      }),
      { seed, numRuns },
    );
  });

  it("a Last BE on a 1-DW request is rejected naming lastBe", () => {
    fc.assert(
      fc.property(arbLegal, fc.integer({ min: 1, max: 15 }), (r, lastBe) => {
        const t = memRequest(r.kind, r.address, r.bytes);
        fc.pre(t.length === 1);
        expect(paths(withFields(t, { lastBe }), opts(r.mps))).toContain("lastBe");
      }),
      { seed, numRuns },
    );
  });

  it("a request running past the end of its page is rejected naming length", () => {
    fc.assert(
      fc.property(arbLegal, fc.integer({ min: 1, max: 64 }), (r, extra) => {
        const room = 4096 - Number(r.address % 4096n);
        const t = memRequest(r.kind, r.address, room);
        const dw = (t.length === 0 ? 1024 : t.length) + extra;
        fc.pre(dw <= 1024);
        const fields: Record<string, unknown> = { length: dw === 1024 ? 0 : dw, lastBe: 0xf };
        if (dw === 1 + extra && "firstBe" in t) fields["firstBe"] = t.firstBe | 0x8; // was 1 DW
        if (r.kind === "mwr") fields["data"] = new Uint8Array(dw * 4);
        expect(paths(withFields(t, fields))).toContain("length");
      }),
      { seed, numRuns },
    );
  });

  it("a payload above MPS is rejected naming length", () => {
    fc.assert(
      fc.property(
        arbMps.filter((m) => m < 4096),
        fc.nat(),
        (mps, n) => {
          const bytes = mps + 1 + (n % (4096 - mps));
          expect(paths(memRequest("mwr", 0x10000n, bytes), { maxPayloadBytes: mps })).toEqual([
            "length",
          ]);
        },
      ),
      { seed, numRuns },
    );
  });
});
