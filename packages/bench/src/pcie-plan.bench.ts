/**
 * `npm run bench` (after the BTD benchmark): planning the MWr TLPs of a 1 GiB write at MPS 256
 * (4 Mi TLPs) and walking their descriptors with `@rashpa/pcie`'s closed-form
 * {@link TransferPlan} (no object per TLP), side by side with a naive baseline that builds one
 * object per TLP. Goal (issue 3, item 9): plan + iterate in under 50 ms.
 *
 * @module
 */
import { emptySlice, planWrite } from "@rashpa/pcie";
import { compare } from "./harness.js";

const GOAL_MS = 50;
const GIB = 1 << 30;
const MPS = 256;
/** Starts 0x80 below a 4 KiB boundary and crosses 4 GiB: short first TLP, both header sizes. */
const ADDRESS = 0xf000_0f80n;

/** Plan, then walk every TLP through `forEach` (plain numbers). */
function planForEach(): number {
  const plan = planWrite(ADDRESS, GIB, MPS);
  let sum = plan.headerBytes;
  plan.forEach((_i, offset, byteLength, lengthDw, firstBe, lastBe) => {
    sum = (sum + offset + byteLength + lengthDw + firstBe + lastBe) | 0;
  });
  return sum;
}

/** Plan, then random-access every TLP through `tlpAt` into one reused slice. */
function planTlpAt(): number {
  const plan = planWrite(ADDRESS, GIB, MPS);
  const s = emptySlice();
  let sum = plan.headerBytes;
  for (let i = 0; i < plan.count; i++) {
    plan.tlpAt(i, s);
    sum = (sum + s.offset + s.byteLength + s.lengthDw + s.firstBe + s.lastBe) | 0;
  }
  return sum;
}

interface NaiveTlp {
  address: bigint;
  byteLength: number;
  lengthDw: number;
  firstBe: number;
  lastBe: number;
}

/** The naive way: loop the §8.1 rule, pushing one object (with a bigint address) per TLP. */
function naive(): number {
  const list: NaiveTlp[] = [];
  let address = ADDRESS;
  let remaining = GIB;
  while (remaining > 0) {
    const a = Number(address & 0xfffn);
    const n = Math.min(remaining, MPS - (a & 3), 4096 - a);
    const end = (a & 3) + n;
    const lengthDw = (end + 3) >>> 2;
    let firstBe = (0xf << (a & 3)) & 0xf;
    let lastBe = 0xf >>> (lengthDw * 4 - end);
    if (lengthDw === 1) {
      firstBe &= lastBe;
      lastBe = 0;
    }
    list.push({ address, byteLength: n, lengthDw, firstBe, lastBe });
    address += BigInt(n);
    remaining -= n;
  }
  let sum = 0;
  for (const t of list) sum = (sum + t.byteLength + t.lengthDw + t.firstBe + t.lastBe) | 0;
  return sum;
}

const plan = planWrite(ADDRESS, GIB, MPS);
console.log("");
console.log(
  `pcie plan: 1 GiB MWr at 0x${ADDRESS.toString(16)}, MPS ${MPS}: ${plan.count} TLPs, ` +
    `${plan.headerBytes} header bytes; median of 5 interleaved rounds`,
);
console.log(`Node ${process.version}; times are this machine's, only the ratios compare.`);
console.log("");
const results = compare(
  [
    { name: "plan + forEach", run: planForEach },
    { name: "plan + tlpAt (reused slice)", run: planTlpAt },
    { name: "naive (object per TLP)", run: naive },
  ],
  { rounds: 5, roundMs: 1000, batch: 1 },
);
const naiveMs = 1000 / results[2]!.opsPerSecond;
console.log(`${"case".padEnd(30)}${"time".padStart(12)}${"vs naive".padStart(12)}`);
for (const r of results) {
  const ms = 1000 / r.opsPerSecond;
  console.log(
    `${r.name.padEnd(30)}${`${ms.toFixed(1)} ms`.padStart(12)}${`${(naiveMs / ms).toFixed(1)}x`.padStart(12)}`,
  );
}
const best = 1000 / results[0]!.opsPerSecond;
console.log("");
console.log(
  `goal: plan + iterate a 1 GiB write in < ${GOAL_MS} ms: ${best < GOAL_MS ? "met" : "NOT met"}`,
);
