import { fc, test } from "@fast-check/vitest";
import { lawSeed } from "@rashpa/laws";
import { describe, expect, it } from "vitest";
import { asyncBus, offsetBus } from "./bus.js";
import type { Bus } from "./bus.js";
import { bindRegisters, bindRegistersAsync } from "./bind.js";
import type { MemoryHandle, RegisterHandle } from "./bind.js";
import { RegisterAccessError, RegisterAddressError, RegisterValueError } from "./errors.js";
import { fieldMask, fieldRaw, resetValue } from "./fields.js";
import type { RegisterInfo, RegisterMapInfo } from "./info.js";
import { describeRegister, registerAt, registerInstances } from "./locate.js";

/** A little map with one field of every access kind. */
const CONTROL: RegisterInfo = {
  kind: "register",
  name: "control",
  offset: 0x0,
  count: 1,
  stride: 4,
  width: 32,
  doc: "Control.",
  fields: [
    { name: "enable", msb: 0, lsb: 0, sw: "rw", hw: "r", reset: 0, doc: "Enable." },
    { name: "start", msb: 1, lsb: 1, sw: "w", hw: "r", singlepulse: true, doc: "Start." },
    {
      name: "mode",
      msb: 5,
      lsb: 4,
      sw: "rw",
      hw: "r",
      reset: 1,
      enumName: "Mode",
      enumMembers: [
        { name: "off", value: 0 },
        { name: "single", value: 1 },
        { name: "ring", value: 3 },
      ],
      doc: "Mode.",
    },
    { name: "done", msb: 8, lsb: 8, sw: "rw", hw: "w", onwrite: "woclr", doc: "Done, W1C." },
    { name: "armed", msb: 9, lsb: 9, sw: "rw", hw: "w", onwrite: "wzc", doc: "Armed, W0C." },
    { name: "depth", msb: 23, lsb: 16, sw: "rw", hw: "r", reset: 0x10, doc: "Depth." },
    { name: "version", msb: 31, lsb: 28, sw: "r", hw: "w", reset: 2, doc: "Version." },
  ],
};

const MAP: RegisterMapInfo = {
  id: "test.map",
  title: "Test map",
  width: 32,
  spec: "specs/test.yaml",
  blocks: [
    {
      name: "core",
      offset: 0x100,
      doc: "Core.",
      nodes: [
        CONTROL,
        {
          kind: "register",
          name: "irq-pending",
          offset: 0x4,
          count: 1,
          stride: 4,
          width: 32,
          doc: "Pending, clear on read.",
          fields: [
            { name: "frame", msb: 0, lsb: 0, sw: "r", hw: "w", onread: "rclr", doc: "Frame." },
            { name: "mask", msb: 8, lsb: 8, sw: "rw", hw: "r", doc: "Mask." },
          ],
        },
        {
          kind: "register",
          name: "key",
          offset: 0x8,
          count: 1,
          stride: 4,
          width: 32,
          doc: "Write-only key and a plain field.",
          fields: [
            { name: "key", msb: 15, lsb: 0, sw: "w", hw: "r", doc: "Key." },
            { name: "flags", msb: 23, lsb: 16, sw: "rw", hw: "r", doc: "Flags." },
          ],
        },
        {
          kind: "register",
          name: "scratch",
          offset: 0x10,
          count: 4,
          stride: 4,
          width: 32,
          doc: "Scratch.",
          fields: [{ name: "value", msb: 31, lsb: 0, sw: "rw", hw: "r", doc: "Value." }],
        },
        {
          kind: "regfile",
          name: "channel",
          offset: 0x40,
          count: 3,
          stride: 0x10,
          doc: "Channels.",
          registers: [
            {
              kind: "register",
              name: "base",
              offset: 0x4,
              count: 1,
              stride: 4,
              width: 32,
              doc: "Base.",
              fields: [{ name: "address", msb: 31, lsb: 2, sw: "rw", hw: "r", doc: "Address." }],
            },
          ],
        },
        {
          kind: "memory",
          name: "table",
          offset: 0x80,
          entries: 4,
          entryBytes: 8,
          sw: "rw",
          doc: "Table.",
        },
      ],
    },
  ],
};

/** A bus over a plain word array that logs every access. */
function loggingBus(): Bus & { words: Map<number, number>; log: string[] } {
  const words = new Map<number, number>();
  const log: string[] = [];
  return {
    words,
    log,
    read32(a) {
      log.push(`r ${a.toString(16)}`);
      return words.get(a) ?? 0;
    },
    write32(a, v) {
      log.push(`w ${a.toString(16)} ${v.toString(16)}`);
      words.set(a, v >>> 0);
    },
  };
}

type AnyHandle = RegisterHandle<Record<string, unknown>, Record<string, unknown>, "sync">;
interface Tree {
  core: {
    control: AnyHandle;
    irqPending: AnyHandle;
    key: AnyHandle;
    scratch: readonly AnyHandle[];
    channel: readonly { base: AnyHandle }[];
    table: MemoryHandle;
  };
}

describe("bindRegisters", () => {
  it("places registers, arrays and register files at their addresses", () => {
    const bus = loggingBus();
    const t = bindRegisters(MAP, bus, 0x1000) as Tree;
    expect(t.core.control.address).toBe(0x1100);
    expect(t.core.scratch[3]!.address).toBe(0x111c);
    expect(t.core.channel[2]!.base.address).toBe(0x1164);
    expect(t.core.channel[2]!.base.path).toBe("core.channel[2].base");
    expect(t.core.table.address).toBe(0x1180);
  });

  it("decodes whole-register reads into named fields, without write-only fields", () => {
    const bus = loggingBus();
    bus.words.set(0x100, 0x2011_0131);
    const t = bindRegisters(MAP, bus) as Tree;
    expect(t.core.control.readFields()).toEqual({
      enable: true,
      mode: "ring",
      done: true,
      armed: false,
      depth: 0x11,
      version: 2,
    });
    expect(() => t.core.control.fields["start"]!.read()).toThrow(RegisterAccessError);
  });

  it("writes a plain field by read-modify-write, with 0 in a pending write-1-to-clear bit", () => {
    const bus = loggingBus();
    // done (W1C) pending, armed (W0C) set, depth 0x22, mode ring.
    bus.words.set(0x100, 0x0022_0331);
    const t = bindRegisters(MAP, bus) as Tree;
    t.core.control.fields["depth"]!.write(0x40);
    const written = bus.words.get(0x100)!;
    expect(bus.log).toEqual(["r 100", `w 100 ${written.toString(16)}`]);
    expect(fieldRaw(CONTROL.fields[5]!, written)).toBe(0x40); // depth
    expect(fieldRaw(CONTROL.fields[2]!, written)).toBe(3); // mode kept
    expect(fieldRaw(CONTROL.fields[0]!, written)).toBe(1); // enable kept
    expect(fieldRaw(CONTROL.fields[3]!, written)).toBe(0); // done: 0 does not clear it
    expect(fieldRaw(CONTROL.fields[4]!, written)).toBe(1); // armed: 1 does not clear it (W0C)
    expect(fieldRaw(CONTROL.fields[1]!, written)).toBe(0); // start: no pulse
  });

  it("clears a write-1-to-clear bit without reading when every other field has a neutral value", () => {
    const bus = loggingBus();
    const t = bindRegisters(MAP, bus) as Tree;
    t.core.irqPending.fields["mask"]!.write(true);
    // irq-pending's other field is read-only: no read needed, so no read side effect.
    expect(bus.log).toEqual(["w 104 100"]);
  });

  it("refuses a read-modify-write of a clear-on-read register", () => {
    const bus = loggingBus();
    const map: RegisterMapInfo = {
      ...MAP,
      blocks: [
        {
          ...MAP.blocks[0]!,
          nodes: [
            {
              ...(MAP.blocks[0]!.nodes[1] as RegisterInfo),
              fields: [
                ...(MAP.blocks[0]!.nodes[1] as RegisterInfo).fields,
                { name: "other", msb: 12, lsb: 12, sw: "rw", hw: "r", doc: "Other." },
              ],
            },
          ],
        },
      ],
    };
    const t = bindRegisters(map, bus) as { core: { irqPending: AnyHandle } };
    expect(() => t.core.irqPending.fields["mask"]!.write(true)).toThrow(
      /irqPending\.frame: reading the register has a side effect \(onread rclr\)/,
    );
    expect(bus.log).toEqual([]);
  });

  it("refuses to preserve a write-only neighbour, but writes the whole register", () => {
    const bus = loggingBus();
    const t = bindRegisters(MAP, bus) as Tree;
    expect(() => t.core.key.fields["flags"]!.write(3)).toThrow(/key\.key: write-only field/);
    t.core.key.writeFields({ key: 0xbeef, flags: 3 });
    expect(bus.log).toEqual(["w 108 3beef"]);
  });

  it("writeFields fills fields not given with neutral or reset values", () => {
    const bus = loggingBus();
    const t = bindRegisters(MAP, bus) as Tree;
    t.core.control.writeFields({ enable: true, start: true });
    const v = bus.words.get(0x100)!;
    // enable, start, mode reset 1, done 0 (neutral), armed 1 (neutral for W0C), depth reset
    // 0x10; version is read-only, so the write carries 0 there.
    expect(v).toBe((0x1 | 0x2 | (1 << 4) | (1 << 9) | (0x10 << 16)) >>> 0);
  });

  it("rejects values that do not fit, unknown names and unknown fields", () => {
    const t = bindRegisters(MAP, loggingBus()) as Tree;
    expect(() => t.core.control.fields["depth"]!.write(256)).toThrow(RegisterValueError);
    expect(() => t.core.control.fields["mode"]!.write("burst")).toThrow(
      /"core.control.mode" expected one of off, single, ring or a 2-bit number, got "burst"/,
    );
    expect(() => t.core.control.modify({ nope: 1 })).toThrow(/no such field/);
    expect(() => t.core.control.fields["version"]!.write(1)).toThrow(/not writable/);
  });

  it("reads and writes memory entries as big-endian words and checks indices", () => {
    const bus = loggingBus();
    const t = bindRegisters(MAP, bus) as Tree;
    t.core.table.writeEntry(1, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    expect(bus.words.get(0x188)).toBe(0x0102_0304);
    expect(bus.words.get(0x18c)).toBe(0x0506_0708);
    expect([...t.core.table.readEntry(1)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => t.core.table.readEntry(4)).toThrow(RegisterAddressError);
    expect(() => t.core.table.writeEntry(0, new Uint8Array(4))).toThrow(/needs 8 bytes/);
  });

  it("offers the same operations asynchronously, with errors as rejections", async () => {
    const bus = loggingBus();
    bus.words.set(0x100, 0x0022_0331);
    const t = bindRegistersAsync(MAP, asyncBus(bus)) as {
      core: { control: RegisterHandle<Record<string, unknown>, Record<string, unknown>, "async"> };
    };
    await t.core.control.fields["depth"]!.write(0x41);
    expect(fieldRaw(CONTROL.fields[5]!, bus.words.get(0x100)!)).toBe(0x41);
    expect(await t.core.control.fields["mode"]!.read()).toBe("ring");
    await expect(t.core.control.fields["version"]!.write(1)).rejects.toThrow(RegisterAccessError);
  });

  it("offsetBus shifts addresses", () => {
    const bus = loggingBus();
    offsetBus(bus, 0x2000).write32(4, 7);
    expect(bus.words.get(0x2004)).toBe(7);
  });
});

describe("locate and describe", () => {
  it("lists every instance and finds registers by address", () => {
    const all = registerInstances(MAP);
    expect(all.map((r) => r.path)).toContain("core.channel[1].base");
    expect(all).toHaveLength(3 + 4 + 3);
    expect(registerAt(MAP, 0x154).path).toBe("core.channel[1].base");
    expect(() => registerAt(MAP, 0x102)).toThrow(/inside core.control/);
    expect(() => registerAt(MAP, 0x190)).toThrow(/in memory core.table, entry 2/);
    expect(() => registerAt(MAP, 0x0)).toThrow(/no register at this address/);
  });

  it("describes a value with named fields", () => {
    expect(describeRegister(MAP, 0x100, 0x2011_0131)).toBe(
      "core.control @ 0x100 = 0x20110131: enable=true mode=ring done=true armed=false depth=0x11 version=2",
    );
  });
});

describe(`read-modify-write against a reference model (seed ${lawSeed()})`, () => {
  // Reference: a write of field F changes F to the new value; every other storage field keeps
  // its value; W1C/W0C fields are written with their neutral value; start never pulses.
  test.prop(
    [
      fc.integer({ min: 0, max: 0xffff_ffff }),
      fc.constantFrom("enable", "mode", "depth", "done", "armed", "start"),
      fc.nat(),
    ],
    { seed: lawSeed() },
  )("changes exactly the written field", (initial, name, n) => {
    const bus = loggingBus();
    bus.words.set(0x100, initial >>> 0);
    const t = bindRegisters(MAP, bus) as Tree;
    const field = CONTROL.fields.find((f) => f.name === name)!;
    const width = field.msb - field.lsb + 1;
    const raw = n % 2 ** width;
    t.core.control.fields[name]!.write(
      field.enumMembers ? (raw === 2 ? 1 : raw) : width === 1 ? raw === 1 : raw,
    );
    const written = bus.words.get(0x100)!;
    for (const f of CONTROL.fields) {
      const got = fieldRaw(f, written);
      if (f.name === name) continue;
      if (f.onwrite === "woclr" || f.singlepulse) expect(got).toBe(0);
      else if (f.onwrite === "wzc") expect(got).toBe(1);
      else if (f.sw === "r") expect(got).toBe(0);
      else expect(got).toBe(fieldRaw(f, initial));
    }
    const reserved = ~CONTROL.fields.reduce((m, f) => m | fieldMask(f), 0) >>> 0;
    expect((written & reserved) >>> 0).toBe(0);
  });
});

describe("resetValue", () => {
  it("assembles the reset values of the fields", () => {
    expect(resetValue(CONTROL)).toBe(((1 << 4) | (0x10 << 16) | (2 << 28)) >>> 0);
  });
});
