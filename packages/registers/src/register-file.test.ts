import { fc, test } from "@fast-check/vitest";
import { lawSeed } from "@rashpa/laws";
import { describe, expect, it } from "vitest";
import { bindRegisters } from "./bind.js";
import type { RegisterHandle } from "./bind.js";
import { RegisterAddressError } from "./errors.js";
import type {
  OnRead,
  OnWrite,
  RegisterFieldInfo,
  RegisterInfo,
  RegisterMapInfo,
  RegisterNodeInfo,
  SwAccess,
  HwAccess,
} from "./info.js";
import { RegisterFile } from "./register-file.js";
import type { RegisterWriteEvent } from "./register-file.js";

function mapOf(
  registers: RegisterNodeInfo[],
  extra: Partial<RegisterMapInfo> = {},
): RegisterMapInfo {
  return {
    id: "test.rf",
    title: "Register file test",
    width: 32,
    spec: "specs/test.yaml",
    blocks: [{ name: "b", offset: 0, doc: "Block.", nodes: registers }],
    ...extra,
  };
}

function reg(name: string, offset: number, fields: RegisterFieldInfo[], count = 1): RegisterInfo {
  return { kind: "register", name, offset, count, stride: 4, width: 32, doc: name, fields };
}

const f = (
  name: string,
  msb: number,
  lsb: number,
  sw: SwAccess,
  hw: HwAccess,
  more: Partial<RegisterFieldInfo> = {},
): RegisterFieldInfo => ({ name, msb, lsb, sw, hw, doc: name, ...more });

describe("RegisterFile software side", () => {
  const map = mapOf([
    reg("status", 0x0, [
      f("done", 0, 0, "rw", "w", { onwrite: "woclr" }),
      f("error", 1, 1, "rw", "w", { onwrite: "woclr" }),
      f("level", 15, 8, "r", "w", { reset: 3 }),
    ]),
    reg("control", 0x4, [
      f("enable", 0, 0, "rw", "r"),
      f("start", 1, 1, "w", "r", { singlepulse: true }),
      f("key", 31, 16, "w", "r"),
    ]),
    reg("event", 0x8, [f("pending", 7, 0, "r", "w", { onread: "rclr" })]),
    reg("lock", 0xc, [f("owner", 15, 0, "rw1", "r", { reset: 0xffff })]),
    reg("channel-ctrl", 0x10, [f("run", 0, 0, "rw", "r")], 4),
    {
      kind: "memory",
      name: "table",
      offset: 0x40,
      entries: 2,
      entryBytes: 8,
      sw: "rw",
      doc: "Table.",
    },
  ]);

  it("starts at the reset values and reads reserved bits as 0", () => {
    const rf = new RegisterFile(map);
    expect(rf.read32(0x0)).toBe(0x300);
    expect(rf.read32(0xc)).toBe(0xffff);
  });

  it("clears write-1-to-clear bits and ignores writes to read-only fields", () => {
    const rf = new RegisterFile(map);
    rf.hardwareBus.write32(0x0, 0x0000_ff03);
    expect(rf.read32(0x0)).toBe(0xff03);
    rf.write32(0x0, 0x0000_0001);
    expect(rf.read32(0x0)).toBe(0xff02);
  });

  it("never stores single pulses or reads back write-only fields, but reports them", () => {
    const rf = new RegisterFile(map);
    const seen: RegisterWriteEvent[] = [];
    rf.watch("b.control", (e) => seen.push(e));
    rf.write32(0x4, 0xbeef_0003);
    expect(rf.read32(0x4)).toBe(0x1);
    expect(rf.hardwareBus.read32(0x4)).toBe(0xbeef_0001);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      path: "b.control",
      written: 0xbeef_0003,
      pulses: 0x2,
      before: 0,
      after: 0xbeef_0001,
    });
  });

  it("clears a clear-on-read field after returning it, and lets the hardware refresh it first", () => {
    const rf = new RegisterFile(map);
    let refreshed = 0;
    rf.onRead("b.event", () => {
      refreshed++;
      rf.hardwareBus.write32(0x8, 0x42);
    });
    expect(rf.read32(0x8)).toBe(0x42);
    expect(rf.hardwareBus.read32(0x8)).toBe(0);
    expect(refreshed).toBe(1);
  });

  it("takes only the first write after reset of a write-once field", () => {
    const rf = new RegisterFile(map);
    rf.write32(0xc, 0x1234);
    rf.write32(0xc, 0x5678);
    expect(rf.read32(0xc)).toBe(0x1234);
    rf.reset();
    rf.write32(0xc, 0x5678);
    expect(rf.read32(0xc)).toBe(0x5678);
  });

  it("matches watch patterns with [*] and removes listeners", () => {
    const rf = new RegisterFile(map);
    const paths: string[] = [];
    const off = rf.watch("b.channelCtrl[*]", (e) => paths.push(e.path));
    rf.write32(0x18, 1);
    rf.write32(0x4, 1);
    off();
    rf.write32(0x1c, 1);
    expect(paths).toEqual(["b.channelCtrl[2]"]);
    expect(() => rf.watch("b.nothing", () => undefined)).toThrow(RegisterAddressError);
  });

  it("stores memory words big-endian and reports memory writes", () => {
    const rf = new RegisterFile(map);
    const events: unknown[] = [];
    rf.onMemoryWrite((e) => events.push({ entry: e.entry, offset: e.offset, value: e.value }));
    rf.write32(0x4c, 0x0102_0304);
    expect([...rf.memory("b.table").subarray(12, 16)]).toEqual([1, 2, 3, 4]);
    expect(rf.read32(0x4c)).toBe(0x0102_0304);
    expect(events).toEqual([{ entry: 1, offset: 4, value: 0x0102_0304 }]);
  });

  it("rejects unmapped and unaligned addresses, or ignores them on request", () => {
    const rf = new RegisterFile(map);
    expect(() => rf.read32(0x30)).toThrow(/no register at this address \(software access\)/);
    expect(() => rf.write32(0x2, 0)).toThrow(/unaligned/);
    expect(() => rf.hardwareBus.read32(0x30)).toThrow(/hardware access/);
    const lax = new RegisterFile(map, { unmapped: "ignore" });
    expect(lax.read32(0x30)).toBe(0);
    lax.write32(0x30, 5);
  });

  it("gives typed hardware-side access through the hardware bus", () => {
    const rf = new RegisterFile(map);
    const hw = bindRegisters(map, rf.hardwareBus) as {
      b: { status: RegisterHandle<Record<string, unknown>, Record<string, unknown>, "hardware"> };
    };
    hw.b.status.fields["level"]!.write(9);
    hw.b.status.fields["error"]!.write(true);
    expect(rf.read32(0x0)).toBe(0x0902);
    expect(hw.b.status.readFields()).toEqual({ done: false, error: true, level: 9 });
    expect(() => hw.b.status.fields["nope" as "level"]!.write(1)).toThrow(TypeError);
  });
});

// ---- reference model -------------------------------------------------------------------

interface ModelField {
  readonly info: RegisterFieldInfo;
  readonly width: number;
  value: number;
  written: boolean;
}

const swReads = (fi: RegisterFieldInfo): boolean =>
  (fi.sw === "r" || fi.sw === "rw" || fi.sw === "rw1") && fi.singlepulse !== true;
const swWrites = (fi: RegisterFieldInfo): boolean =>
  fi.sw === "w" || fi.sw === "rw" || fi.sw === "w1" || fi.sw === "rw1";

/** A direct, field-by-field restatement of SystemRDL 2.0 §9.4–9.8, written independently of the implementation. */
class ReferenceRegister {
  readonly fields: ModelField[];
  constructor(infos: readonly RegisterFieldInfo[]) {
    this.fields = infos.map((info) => ({
      info,
      width: info.msb - info.lsb + 1,
      value: 0,
      written: false,
    }));
    this.reset();
  }
  reset(): void {
    for (const m of this.fields) {
      m.value = m.info.reset ?? 0;
      m.written = false;
    }
  }
  private part(word: number, m: ModelField): number {
    return Math.floor(word / 2 ** m.info.lsb) % 2 ** m.width;
  }
  private join(values: (m: ModelField) => number): number {
    return this.fields.reduce((acc, m) => acc + values(m) * 2 ** m.info.lsb, 0);
  }
  swRead(): number {
    const out = this.join((m) => (swReads(m.info) ? m.value : 0));
    for (const m of this.fields) {
      if (m.info.onread === "rclr") m.value = 0;
      if (m.info.onread === "rset") m.value = 2 ** m.width - 1;
    }
    return out;
  }
  swWrite(word: number): void {
    for (const m of this.fields) {
      if (!swWrites(m.info)) continue;
      if (m.info.sw === "w1" || m.info.sw === "rw1") {
        if (m.written) continue;
        m.written = true;
      }
      const x = this.part(word, m);
      const all = 2 ** m.width - 1;
      const v = m.value;
      const bits = (fn: (a: number, b: number) => number): number => {
        let r = 0;
        for (let i = 0; i < m.width; i++)
          r += fn(Math.floor(v / 2 ** i) % 2, Math.floor(x / 2 ** i) % 2) * 2 ** i;
        return r;
      };
      if (m.info.singlepulse === true) m.value = 0;
      else
        switch (m.info.onwrite) {
          case "woclr":
            m.value = bits((a, b) => (b ? 0 : a));
            break;
          case "woset":
            m.value = bits((a, b) => (b ? 1 : a));
            break;
          case "wot":
            m.value = bits((a, b) => (b ? 1 - a : a));
            break;
          case "wzc":
            m.value = bits((a, b) => (b ? a : 0));
            break;
          case "wzs":
            m.value = bits((a, b) => (b ? a : 1));
            break;
          case "wzt":
            m.value = bits((a, b) => (b ? a : 1 - a));
            break;
          case "wclr":
            m.value = 0;
            break;
          case "wset":
            m.value = all;
            break;
          default:
            m.value = x;
        }
    }
  }
  hwWrite(word: number): void {
    for (const m of this.fields)
      if (m.info.hw === "w" || m.info.hw === "rw") m.value = this.part(word, m);
  }
  hwRead(): number {
    return this.join((m) => m.value);
  }
}

const arbField = (name: string, msb: number, lsb: number): fc.Arbitrary<RegisterFieldInfo> =>
  fc
    .record({
      sw: fc.constantFrom<SwAccess>("r", "w", "rw", "w1", "rw1", "na"),
      hw: fc.constantFrom<HwAccess>("r", "w", "rw", "na"),
      onread: fc.constantFrom<OnRead | undefined>(undefined, undefined, "rclr", "rset"),
      onwrite: fc.constantFrom<OnWrite | undefined>(
        undefined,
        undefined,
        "woclr",
        "woset",
        "wot",
        "wzc",
        "wzs",
        "wzt",
        "wclr",
        "wset",
      ),
      singlepulse: fc.boolean(),
      reset: fc.option(fc.integer({ min: 0, max: 2 ** (msb - lsb + 1) - 1 }), { nil: undefined }),
    })
    .map(({ sw, hw, onread, onwrite, singlepulse, reset }) => {
      const writable = sw === "w" || sw === "rw" || sw === "w1" || sw === "rw1";
      const readable = sw === "r" || sw === "rw" || sw === "rw1";
      return f(name, msb, lsb, sw, hw, {
        ...(readable && onread !== undefined ? { onread } : {}),
        ...(writable && onwrite !== undefined ? { onwrite } : {}),
        ...(writable && singlepulse && onwrite === undefined ? { singlepulse: true as const } : {}),
        ...(reset !== undefined ? { reset } : {}),
      });
    });

/** Random non-overlapping fields covering parts of a 32-bit register. */
const arbFields: fc.Arbitrary<RegisterFieldInfo[]> = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 3 })), {
    minLength: 1,
    maxLength: 8,
  })
  .chain((spans) => {
    const layout: [number, number][] = [];
    let bit = 0;
    for (const [width, gap] of spans) {
      bit += gap;
      if (bit + width > 32) break;
      layout.push([bit + width - 1, bit]);
      bit += width;
    }
    if (layout.length === 0) layout.push([0, 0]);
    return fc.tuple(...layout.map(([msb, lsb], i) => arbField(`f${i}`, msb, lsb)));
  });

type Op =
  | { kind: "swRead" }
  | { kind: "swWrite"; value: number }
  | { kind: "hwWrite"; value: number }
  | { kind: "reset" };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ kind: "swRead" }),
  fc.integer({ min: 0, max: 0xffff_ffff }).map<Op>((value) => ({ kind: "swWrite", value })),
  fc.integer({ min: 0, max: 0xffff_ffff }).map<Op>((value) => ({ kind: "hwWrite", value })),
  fc.constant<Op>({ kind: "reset" }),
);

describe(`RegisterFile against a reference model of every field kind (seed ${lawSeed()})`, () => {
  test.prop([arbFields, fc.array(arbOp, { maxLength: 40 })], { seed: lawSeed(), numRuns: 300 })(
    "random software and hardware operations give the same values",
    (fields, ops) => {
      const rf = new RegisterFile(mapOf([reg("r", 0x0, fields)]));
      const model = new ReferenceRegister(fields);
      for (const op of ops) {
        switch (op.kind) {
          case "swRead":
            expect(rf.read32(0)).toBe(model.swRead());
            break;
          case "swWrite":
            rf.write32(0, op.value);
            model.swWrite(op.value);
            break;
          case "hwWrite":
            rf.hardwareBus.write32(0, op.value);
            model.hwWrite(op.value);
            break;
          case "reset":
            rf.reset();
            model.reset();
        }
        expect(rf.hardwareBus.read32(0)).toBe(model.hwRead());
      }
    },
  );
});
