/**
 * A small benchmark harness: cases are measured side by side in interleaved rounds (so that
 * machine noise hits both alike) and reported as the median rate over the rounds.
 *
 * @module
 */

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
