/**
 * Helpers of the tests of the generated maps: the specs loaded together (so that cross-spec
 * format references resolve), a bus that stores words and applies the software side of each
 * field's access (read-only bits keep their value, write-one-to-clear bits clear, single
 * pulses read back 0), and the C self-check's `--registers` table.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { compileSelfCheck } from "@rashpa/laws";
import { loadSpecDir } from "@rashpa/spec";
import type { SpecModel } from "@rashpa/spec";
import type { Bus } from "./bus.js";
import { fieldMask } from "./fields.js";
import type { RegisterMapInfo } from "./info.js";
import { registerInstances } from "./locate.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** Every spec of the repository, by id. */
export function loadSpecs(): ReadonlyMap<string, SpecModel> {
  return new Map(loadSpecDir(`${root}specs`, root).map((s) => [s.id, s]));
}

/** A word-addressed store behind a {@link Bus}, with the log of bus writes. */
export interface DeviceBus extends Bus {
  /** Stored words by byte address (what hardware would hold). */
  readonly words: Map<number, number>;
  /** Every bus write, as `[address, value]`. */
  readonly writes: [number, number][];
}

/**
 * A bus over the registers of `map` placed at `base`: a write keeps read-only bits, clears
 * the write-one-to-clear bits written 1, drops single pulses and stores the rest; addresses
 * outside the map's registers (memories) store the word as written.
 */
export function deviceBus(map: RegisterMapInfo, base = 0): DeviceBus {
  const masks = new Map<number, { keep: number; w1c: number; pulse: number }>();
  for (const inst of registerInstances(map)) {
    let keep = 0;
    let w1c = 0;
    let pulse = 0;
    for (const f of inst.register.fields) {
      const m = fieldMask(f);
      if (f.sw === "r" || f.sw === "na") keep |= m;
      else if (f.onwrite === "woclr") w1c |= m;
      else if (f.singlepulse === true) pulse |= m;
    }
    masks.set(base + inst.address, { keep, w1c, pulse });
  }
  const words = new Map<number, number>();
  const writes: [number, number][] = [];
  return {
    words,
    writes,
    read32: (a) => words.get(a) ?? 0,
    write32(a, v) {
      writes.push([a, v >>> 0]);
      const m = masks.get(a);
      const old = words.get(a) ?? 0;
      if (m === undefined) words.set(a, v >>> 0);
      else
        words.set(
          a,
          ((old & m.keep) | (old & m.w1c & ~v) | (v & ~(m.keep | m.w1c | m.pulse))) >>> 0,
        );
    },
  };
}

/**
 * Compiles `gen/c/<name>-selfcheck.c` and returns the sorted lines it prints with
 * `--registers`.
 */
export function cRegisterTable(name: string): string[] {
  const build = compileSelfCheck(fileURLToPath(new URL("./gen/c/", import.meta.url)), name);
  try {
    const r = spawnSync(build.exe, ["--registers"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${name} self-check failed: ${r.stderr}`);
    return r.stdout
      .split("\n")
      .filter((l) => l !== "")
      .sort();
  } finally {
    build.cleanup();
  }
}

/** Register definitions of a map (an array or a register of a register file counts once). */
export function registerDefinitions(map: RegisterMapInfo): number {
  let n = 0;
  for (const b of map.blocks)
    for (const node of b.nodes)
      if (node.kind === "register") n++;
      else if (node.kind === "regfile") n += node.registers.length;
  return n;
}
