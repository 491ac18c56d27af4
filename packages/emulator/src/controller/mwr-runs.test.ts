import { fc, test } from "@fast-check/vitest";
import { lawSeed } from "@rashpa/laws";
import { PAGE_BYTES, planWrite } from "@rashpa/pcie";
import { describe, expect } from "vitest";
import { emptyMwrRuns, mwrRuns } from "./mwr-runs.js";

const seed = lawSeed();

describe(`mwrRuns equals planWrite TLP by TLP (seed ${seed})`, () => {
  const input = fc
    .record({
      page: fc.integer({ min: 0, max: 2 ** 40 }),
      inPage: fc.integer({ min: 0, max: PAGE_BYTES - 1 }),
      mps: fc.constantFrom(128, 256, 512, 1024, 2048, 4096),
      n: fc.integer({ min: 1, max: PAGE_BYTES }),
    })
    .map(({ page, inPage, mps, n }) => ({
      address: page * PAGE_BYTES + inPage,
      mps,
      n: Math.min(n, PAGE_BYTES - inPage),
    }));
  test.prop([input], { seed, numRuns: 2000 })(
    "count, sizes of the full TLPs and of the last one",
    ({ address, mps, n }) => {
      const runs = mwrRuns(address, n, mps, emptyMwrRuns());
      const plan = planWrite(BigInt(address), n, mps);
      expect(runs.full + 1).toBe(plan.count);
      const sizes: number[] = [];
      plan.forEach((_i, _o, _b, lengthDw) => sizes.push(lengthDw * 4));
      expect(sizes.slice(0, -1).every((s) => s === runs.fullBytes)).toBe(true);
      expect(sizes[sizes.length - 1]).toBe(runs.lastBytes);
    },
  );
});
