/**
 * `npm run bench`: the generated BTD codec against the hand-written one of the same layout,
 * measured side by side in one run. Goal (issue 2): generated ≥ 0.7× hand-written for decode
 * and encode.
 *
 * @module
 */
import { decodeBtd, encodeBtd, encodeBtdInto } from "@rashpa/descriptors";
import type { Btd } from "@rashpa/descriptors";
import { codecOperations, runSideBySide } from "./harness.js";
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

const OPERATIONS = codecOperations(
  { values, images, target, stride: 32, checksum: (v) => v.size },
  { decode: (b) => decodeBtd(b), encode: encodeBtd, encodeInto: encodeBtdInto },
  { decode: (b) => decodeBtdHand(b), encode: encodeBtdHand, encodeInto: encodeBtdHandInto },
);

runSideBySide(
  import.meta.url,
  OPERATIONS,
  `rashpa.btd (32 bytes), ${POOL} descriptors of all variants, median of 7 interleaved rounds`,
  GOAL,
);
