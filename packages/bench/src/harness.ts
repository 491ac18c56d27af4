/**
 * A small benchmark harness: cases are measured side by side in interleaved rounds (so that
 * machine noise hits both alike) and reported as the median rate over the rounds.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** One measured function: runs `batch` operations per call and returns a checksum. */
export interface BenchCase {
  readonly name: string;
  readonly run: (batch: number) => number;
}

/** Options of {@link compare}. */
export interface CompareOptions {
  /**
   * Interleaved rounds per case.
   * @defaultValue 7
   */
  readonly rounds?: number;
  /**
   * Milliseconds per case per round.
   * @defaultValue 300
   */
  readonly roundMs?: number;
  /**
   * Operations per call of `run`.
   * @defaultValue 1024
   */
  readonly batch?: number;
}

/** Result of one case: median operations per second over the rounds. */
export interface BenchResult {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly rounds: readonly number[];
}

let sink = 0;

function measure(c: BenchCase, ms: number, batch: number): number {
  const start = process.hrtime.bigint();
  const limit = start + BigInt(Math.round(ms * 1e6));
  let ops = 0;
  let now: bigint;
  do {
    sink = (sink + c.run(batch)) | 0;
    ops += batch;
    now = process.hrtime.bigint();
  } while (now < limit);
  return ops / (Number(now - start) / 1e9);
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/**
 * Measures cases side by side: a warm-up round, then `rounds` interleaved rounds.
 *
 * @returns one result per case, in the given order
 */
export function compare(cases: readonly BenchCase[], options: CompareOptions = {}): BenchResult[] {
  const rounds = options.rounds ?? 7;
  const roundMs = options.roundMs ?? 300;
  const batch = options.batch ?? 1024;
  for (const c of cases) measure(c, roundMs, batch);
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    cases.forEach((c, i) => samples[i]!.push(measure(c, roundMs, batch)));
  }
  if (sink === 0x7fffffff) console.log("");
  return cases.map((c, i) => ({
    name: c.name,
    opsPerSecond: median(samples[i]!),
    rounds: samples[i]!,
  }));
}

/** `1234567` → `"1.23 M"`. */
export function rate(opsPerSecond: number): string {
  if (opsPerSecond >= 1e6) return `${(opsPerSecond / 1e6).toFixed(2)} M`;
  if (opsPerSecond >= 1e3) return `${(opsPerSecond / 1e3).toFixed(1)} k`;
  return opsPerSecond.toFixed(0);
}

/** The codec functions one side of a codec comparison provides. */
export interface CodecUnderTest<V> {
  readonly decode: (bytes: Uint8Array) => V;
  readonly encode: (value: V) => Uint8Array;
  readonly encodeInto: (view: DataView, offset: number, value: V) => number;
}

/** What codec operations run over: a pool of values, their images and a shared target. */
export interface CodecPool<V> {
  readonly values: readonly V[];
  readonly images: readonly Uint8Array[];
  /** Target of `encodeInto`, at least `stride × values.length` bytes. */
  readonly target: DataView;
  /** Bytes between consecutive values in `target`. */
  readonly stride: number;
  /** A number read from each decoded value, so that decoding cannot be skipped. */
  readonly checksum: (decoded: V) => number;
}

/** One benchmark operation: measures generated and hand-written code side by side. */
export type Operation = () => BenchResult[];

/**
 * The decode, encode and encodeInto operations of a generated codec against a hand-written
 * one over the same pool (the pool's length must be a power of two).
 */
export function codecOperations<V>(
  pool: CodecPool<V>,
  generated: CodecUnderTest<V>,
  handWritten: CodecUnderTest<V>,
): Record<string, Operation> {
  const mask = pool.values.length - 1;
  let cursor = 0;
  const decodeWith =
    (fn: (b: Uint8Array) => V) =>
    (batch: number): number => {
      let acc = 0;
      for (let n = 0; n < batch; n++) {
        acc += pool.checksum(fn(pool.images[cursor]!));
        cursor = (cursor + 1) & mask;
      }
      return acc;
    };
  const encodeWith =
    (fn: (v: V) => Uint8Array) =>
    (batch: number): number => {
      let acc = 0;
      for (let n = 0; n < batch; n++) {
        acc += fn(pool.values[cursor]!)[3]!;
        cursor = (cursor + 1) & mask;
      }
      return acc;
    };
  const intoWith =
    (fn: (view: DataView, offset: number, v: V) => number) =>
    (batch: number): number => {
      let acc = 0;
      for (let n = 0; n < batch; n++) {
        acc += fn(pool.target, cursor * pool.stride, pool.values[cursor]!);
        cursor = (cursor + 1) & mask;
      }
      return acc;
    };
  const side = (
    name: string,
    c: CodecUnderTest<V>,
    op: "decode" | "encode" | "encodeInto",
  ): BenchCase => ({
    name,
    run:
      op === "decode"
        ? decodeWith(c.decode)
        : op === "encode"
          ? encodeWith(c.encode)
          : intoWith(c.encodeInto),
  });
  const pair = (op: "decode" | "encode" | "encodeInto") => () =>
    compare([side("generated", generated, op), side("hand-written", handWritten, op)]);
  return {
    decode: pair("decode"),
    "encode (new array)": pair("encode"),
    "encodeInto (shared buffer)": pair("encodeInto"),
  };
}

/**
 * In a child process started by {@link spawnOperation}: measures the operation named on the
 * command line, writes its rates as JSON and returns `true`; in the parent returns `false`.
 */
function measureInChild(operations: Record<string, Operation>): boolean {
  const child = process.argv[2];
  if (child === undefined) return false;
  const op = operations[child];
  if (!op) throw new Error(`unknown operation ${child}`);
  process.stdout.write(JSON.stringify(op().map((r) => r.opsPerSecond)));
  return true;
}

/** Runs operation `name` of the benchmark module `script` in a child process; its two rates. */
function spawnOperation(script: string, name: string): [number, number] {
  const r = spawnSync(process.execPath, [fileURLToPath(script), name], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`benchmark ${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as [number, number];
}

/**
 * Runs each operation in its own child process (so that the JIT feedback one operation leaves
 * in shared functions does not skew the next) and prints the generated / hand-written table.
 * Called at the end of a benchmark module: in a child it measures the operation named on its
 * command line; in the parent it runs `beforeTable`, prints `title`, then one row per operation.
 *
 * @param script - `import.meta.url` of the benchmark module
 * @param goal - minimum generated / hand-written ratio reported as met
 */
export function runSideBySide(
  script: string,
  operations: Record<string, Operation>,
  title: string,
  goal: number,
  beforeTable: () => void = () => undefined,
): void {
  if (measureInChild(operations)) return;
  beforeTable();
  console.log(title);
  console.log(`Node ${process.version}; figures are this machine's, only the ratios compare.`);
  console.log("");
  console.log(
    `${"operation".padEnd(28)}${"generated".padStart(14)}${"hand-written".padStart(16)}${"ratio".padStart(9)}`,
  );
  let met = true;
  for (const name of Object.keys(operations)) {
    const [gen, hand] = spawnOperation(script, name);
    const ratio = gen / hand;
    if (ratio < goal) met = false;
    console.log(
      `${name.padEnd(28)}${`${rate(gen)} op/s`.padStart(14)}${`${rate(hand)} op/s`.padStart(16)}${`${ratio.toFixed(2)}x`.padStart(9)}`,
    );
  }
  console.log("");
  console.log(
    `goal: generated >= ${goal}x hand-written for every operation: ${met ? "met" : "NOT met"}`,
  );
}

/**
 * Like {@link runSideBySide} for operations that each compare a codec case with a plain
 * `Uint8Array.set` copy of the same payload bytes (in that order): each operation in its own
 * child process, one row per operation in MB/s of payload and the codec / copy ratio.
 *
 * @param script - `import.meta.url` of the benchmark module
 * @param payloadBytes - payload bytes one operation of either case moves (one count for every
 *   operation, or one per operation name)
 */
export function runAgainstCopy(
  script: string,
  operations: Record<string, Operation>,
  title: string,
  payloadBytes: number | Readonly<Record<string, number>>,
): void {
  if (measureInChild(operations)) return;
  let bytes = 0;
  const mbps = (opsPerSecond: number): string =>
    `${((opsPerSecond * bytes) / 1e6).toFixed(0)} MB/s`;
  const width = Math.max(24, ...Object.keys(operations).map((n) => n.length + 2));
  console.log(title);
  console.log(`Node ${process.version}; figures are this machine's, only the ratios compare.`);
  console.log("");
  console.log(
    `${"operation".padEnd(width)}${"codec".padStart(14)}${"Uint8Array.set".padStart(16)}${"ratio".padStart(9)}`,
  );
  for (const name of Object.keys(operations)) {
    bytes = typeof payloadBytes === "number" ? payloadBytes : (payloadBytes[name] ?? 0);
    const [codec, limit] = spawnOperation(script, name);
    console.log(
      `${name.padEnd(width)}${mbps(codec).padStart(14)}${mbps(limit).padStart(16)}${`${(codec / limit).toFixed(2)}x`.padStart(9)}`,
    );
  }
  console.log("");
  console.log(
    "MB/s of payload (10^6 bytes); ratio = codec / copy of the same bytes in the same run.",
  );
}
