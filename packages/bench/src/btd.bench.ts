/**
 * `npm run bench`: the generated BTD codec against the hand-written one of the same layout,
 * measured side by side in one run. Goal (issue 2): generated ≥ 0.7× hand-written for decode
 * and encode.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { decodeBtd, encodeBtd, encodeBtdInto } from "@rashpa/descriptors";
import type { Btd } from "@rashpa/descriptors";
import { compare, rate } from "./harness.js";
import { decodeBtdHand, encodeBtdHand, encodeBtdHandInto } from "./btd-hand.js";

const GOAL = 0.7;
const POOL = 1024;

/** Deterministic descriptors of every variant (xorshift PRNG, fixed seed). */
function pool(): Btd[] {
  let s = 0x2545f491;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const out: Btd[] = [];
  const big = (hiBits: number): bigint =>
    BigInt((next() & hiBits) >>> 0) * 0x1_0000_0000n + BigInt(next());
  for (let i = 0; i < POOL; i++) {
    const size = next();
    const channel = next() & 0xf;
    const sof = (next() & 1) === 1;
    const eof = (next() & 1) === 1;
    const notify = (next() & 1) === 1;
    const block = next() & 0xffff;
    const atuIndex = next() & 0xffff;
    const offset = big(0xffff);
    const k = i % 4;
    if (k === 1) {
      const source = big(0xffff);
      out.push({
        size,
        kind: "roi",
        channel,
        sof,
        eof,
        eoa: false,
        notify,
        block,
        layout: "roi",
        source,
        frame: next(),
        lineBytes: next() & 0xffff,
        pitch: next(),
        atuIndex,
        offset,
      });
    } else if (k === 3) {
      const data = Uint8Array.from({ length: 16 }, () => next() & 0xff);
      out.push({
        size,
        kind: "inline",
        channel,
        sof,
        eof,
        eoa: false,
        notify,
        block,
        layout: "inline",
        data,
        atuIndex,
        offset,
      });
    } else {
      const kind = k === 0 ? "image" : "metadata";
      out.push({
        size,
        kind,
        channel,
        sof,
        eof,
        eoa: false,
        notify,
        block,
        layout: "dma",
        source: big(0xffffffff),
        frame: next(),
        atuIndex,
        offset,
      });
    }
  }
  return out;
}

// Values are object literals of one shape per variant, as applications build them. (Objects
// built with spread syntax can fall into V8's dictionary mode, and a codec whose inline caches
// once saw them stays slow: that would measure property lookup, not the codec.)
const values = pool();
const images = values.map((v) => encodeBtd(v));
// Both codecs must agree before their speed means anything.
for (let i = 0; i < POOL; i++) {
  const a = JSON.stringify(decodeBtd(images[i]!), (_k, v: unknown) =>
    typeof v === "bigint" ? v.toString() : v,
  );
  const b = JSON.stringify(decodeBtdHand(images[i]!), (_k, v: unknown) =>
    typeof v === "bigint" ? v.toString() : v,
  );
  if (a !== b || encodeBtdHand(values[i]!).some((x, j) => x !== images[i]![j]))
    throw new Error(`codecs disagree on descriptor ${i}`);
}
const target = new DataView(new ArrayBuffer(32 * POOL));

let cursor = 0;
const decodeWith =
  (fn: (b: Uint8Array) => Btd) =>
  (batch: number): number => {
    let acc = 0;
    for (let n = 0; n < batch; n++) {
      acc += fn(images[cursor]!).size;
      cursor = (cursor + 1) & (POOL - 1);
    }
    return acc;
  };
const encodeWith =
  (fn: (v: Btd) => Uint8Array) =>
  (batch: number): number => {
    let acc = 0;
    for (let n = 0; n < batch; n++) {
      acc += fn(values[cursor]!)[3]!;
      cursor = (cursor + 1) & (POOL - 1);
    }
    return acc;
  };
const intoWith =
  (fn: (view: DataView, offset: number, v: Btd) => number) =>
  (batch: number): number => {
    let acc = 0;
    for (let n = 0; n < batch; n++) {
      acc += fn(target, cursor * 32, values[cursor]!);
      cursor = (cursor + 1) & (POOL - 1);
    }
    return acc;
  };

const OPERATIONS = {
  decode: () =>
    compare([
      { name: "generated", run: decodeWith((b) => decodeBtd(b)) },
      { name: "hand-written", run: decodeWith((b) => decodeBtdHand(b)) },
    ]),
  "encode (new array)": () =>
    compare([
      { name: "generated", run: encodeWith(encodeBtd) },
      { name: "hand-written", run: encodeWith(encodeBtdHand) },
    ]),
  "encodeInto (shared buffer)": () =>
    compare([
      { name: "generated", run: intoWith(encodeBtdInto) },
      { name: "hand-written", run: intoWith(encodeBtdHandInto) },
    ]),
} as const;
type Operation = keyof typeof OPERATIONS;

// Each operation runs in its own process, so that the JIT feedback one operation leaves
// (shared functions called from several call sites) does not skew the next one. Within a
// process, generated and hand-written code are measured in interleaved rounds.
const child = process.argv[2];
if (child !== undefined) {
  const results = OPERATIONS[child as Operation]();
  process.stdout.write(JSON.stringify(results.map((r) => r.opsPerSecond)));
} else {
  console.log(
    `rashpa.btd (32 bytes), ${POOL} descriptors of all variants, median of 7 interleaved rounds`,
  );
  console.log(`Node ${process.version}; figures are this machine's, only the ratios compare.`);
  console.log("");
  console.log(
    `${"operation".padEnd(28)}${"generated".padStart(14)}${"hand-written".padStart(16)}${"ratio".padStart(9)}`,
  );
  let met = true;
  for (const name of Object.keys(OPERATIONS)) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), name], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`benchmark ${name} failed: ${r.stderr}`);
    const [gen, hand] = JSON.parse(r.stdout) as [number, number];
    const ratio = gen / hand;
    if (ratio < GOAL) met = false;
    console.log(
      `${name.padEnd(28)}${`${rate(gen)} op/s`.padStart(14)}${`${rate(hand)} op/s`.padStart(16)}${`${ratio.toFixed(2)}x`.padStart(9)}`,
    );
  }
  console.log("");
  console.log(
    `goal: generated >= ${GOAL}x hand-written for every operation: ${met ? "met" : "NOT met"}`,
  );
}
