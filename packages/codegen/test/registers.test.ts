/**
 * Register-map outputs on a fixture with every register-map feature (test/fixtures/registers.yaml):
 * the TypeScript description and accessors typecheck and bind where the spec says, and the C
 * macros (arrays in register files included) give the same offsets, resets and masks.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { compileSelfCheck, hasGcc } from "@rashpa/laws";
import type { Bus, RegisterMapInfo } from "@rashpa/registers";
import { registerInstances, registerTableLines } from "@rashpa/registers";
import { afterAll, describe, expect, it } from "vitest";
import { generateTsCodecs } from "../src/index.js";
import { generateFixture, typecheck } from "./fixture.test-helpers.js";

const fx = generateFixture("registers");
afterAll(() => fx.cleanup());

const gen = (await import(join(fx.dir, "registers.ts"))) as {
  DEV_MAP: RegisterMapInfo;
  devRegisters: (
    bus: Bus,
    base?: number,
  ) => {
    global: { control: { fields: { mode: { write(v: string): void } } } };
    dma: {
      channel: readonly { window: readonly { address: number; path: string }[] }[];
      table: { address: number };
    };
  };
};

describe("generated register-map TypeScript", () => {
  it("typechecks under the repository's strict tsconfig", () => {
    const r = typecheck(fx.dir, ["registers.ts", "registers.arb.ts"]);
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  it("describes every register instance at its spec address", () => {
    const all = registerInstances(gen.DEV_MAP);
    expect(all.map((r) => `${r.path}@${r.address.toString(16)}`)).toEqual([
      "global.id@0",
      "global.control@4",
      "global.pending@8",
      "global.scratch[0]@10",
      "global.scratch[1]@14",
      "global.scratch[2]@18",
      "global.scratch[3]@1c",
      "dma.channel[0].control@100",
      "dma.channel[0].window[0]@108",
      "dma.channel[0].window[1]@110",
      "dma.channel[1].control@120",
      "dma.channel[1].window[0]@128",
      "dma.channel[1].window[1]@130",
      "dma.channel[2].control@140",
      "dma.channel[2].window[0]@148",
      "dma.channel[2].window[1]@150",
    ]);
  });

  it("binds accessors at the map base", () => {
    const log: string[] = [];
    const bus: Bus = {
      read32: () => 0,
      write32: (a, v) => void log.push(`${a.toString(16)}=${v.toString(16)}`),
    };
    const regs = gen.devRegisters(bus, 0x1_0000);
    expect(regs.dma.channel[2]!.window[1]!.address).toBe(0x1_0150);
    expect(regs.dma.channel[2]!.window[1]!.path).toBe("dma.channel[2].window[1]");
    expect(regs.dma.table.address).toBe(0x1_0200);
    regs.global.control.fields.mode.write("ring");
    expect(log).toEqual(["10004=30"]);
  });
});

describe("imports of generated register maps", () => {
  const importLines = (pkg: string): string[] =>
    generateTsCodecs({ ...fx.spec, package: pkg })
      .split("\n")
      .filter((l) => l.startsWith("import ") && !l.includes("@rashpa/bits"));

  it("name @rashpa/registers from any other package", () => {
    expect(importLines("descriptors")).toEqual([
      'import { bindRegisters, bindRegistersAsync } from "@rashpa/registers";',
      'import type { AccessMode, AsyncBus, Bus, HardwareBus, MemoryHandle, RegisterHandle, RegisterMapInfo } from "@rashpa/registers";',
    ]);
  });

  it("are relative to the defining modules inside @rashpa/registers itself", () => {
    expect(importLines("registers")).toEqual([
      'import { bindRegisters, bindRegistersAsync } from "../bind.js";',
      'import type { AccessMode, AsyncBus, Bus, HardwareBus } from "../bus.js";',
      'import type { MemoryHandle, RegisterHandle } from "../bind.js";',
      'import type { RegisterMapInfo } from "../info.js";',
    ]);
  });
});

describe.runIf(hasGcc())("generated register-map C macros", () => {
  it("compile warning-free and give the TypeScript offsets, resets and masks", () => {
    const build = compileSelfCheck(join(fx.dir, "c"), "registers");
    try {
      const r = spawnSync(build.exe, ["--registers"], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const lines = r.stdout
        .split("\n")
        .filter((l) => l !== "")
        .sort();
      expect(lines).toEqual(registerTableLines(gen.DEV_MAP));
      expect(lines).toContain("reg fixture.dev dma.channel[1].window[1] 0x130 0xfff");
      expect(lines).toContain("field fixture.dev global.control.mode 4 2 0x30");
    } finally {
      build.cleanup();
    }
  });

  it("rejects arguments it does not know", () => {
    const build = compileSelfCheck(join(fx.dir, "c"), "registers");
    try {
      const r = spawnSync(build.exe, ["--bogus"], { encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/usage: selfcheck/);
    } finally {
      build.cleanup();
    }
  });
});

describe("register diagrams in the Markdown page", () => {
  it("draws each register MSB first with reserved bits marked", async () => {
    const { readFileSync } = await import("node:fs");
    const md = readFileSync(join(fx.dir, "registers.md"), "utf8");
    const row = `|${" ".repeat(5)}whole${" ".repeat(5)}|${" ".repeat(14)}-${" ".repeat(14)}|d| - |mod| - |s|e|`;
    expect(md).toContain(row);
    expect(md).toContain(" 3 3 2 2 2 2 2 2 2 2 2 2 1 1 1 1 1 1 1 1 1 1 0 0 0 0 0 0 0 0 0 0");
    expect(
      md.match(/^ 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0$/gm),
    ).toHaveLength(
      6, // one per register definition: id, control, pending, scratch, channel control and window
    );
  });
});
