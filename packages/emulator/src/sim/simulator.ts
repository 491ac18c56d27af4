/**
 * The discrete-event simulation core of the emulator's timing model (docs/ARCHITECTURE.md,
 * "Two speeds in the emulator"): a deterministic event queue in simulated picoseconds
 * ({@link SimTime}).
 *
 * Events are kept in a binary min-heap ordered by time, then by the order in which they were
 * scheduled (a strictly increasing sequence number), so the same sequence of `schedule` calls
 * always runs in the same order — no randomness, no wall clock. Time never goes backwards:
 * scheduling before {@link Simulator.now} throws {@link SimTimeError}.
 *
 * @module
 */
import { SimTimeError, addSimTime, checkSimTime } from "./time.js";
import type { SimTime } from "./time.js";

/** A callback run by the simulator at its scheduled time; receives the simulator. */
export type EventCallback = (sim: Simulator) => void;

/** The handle of a scheduled event, for {@link Simulator.cancel}. */
export interface EventHandle {
  /** The time the event is scheduled for, in ps. */
  readonly at: SimTime;
  /** Insertion sequence number (unique per simulator, increasing). */
  readonly seq: number;
}

interface QueuedEvent extends EventHandle {
  callback: EventCallback | undefined;
}

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * A discrete-event simulator: a clock in ps and a queue of pending events.
 *
 * @example
 * ```ts
 * const sim = new Simulator();
 * sim.scheduleAfter(60_000, (s) => console.log(s.now())); // 60000
 * sim.run();
 * ```
 */
export class Simulator {
  #now: SimTime = 0;
  #seq = 0;
  #live = 0;
  #executed = 0;
  #inlined = 0;
  readonly #heap: QueuedEvent[] = [];

  /** The current simulated time in ps. */
  now(): SimTime {
    return this.#now;
  }

  /** Number of pending (scheduled, not cancelled, not yet run) events. */
  get pending(): number {
    return this.#live;
  }

  /** Number of events run so far. */
  get executed(): number {
    return this.#executed;
  }

  /**
   * Schedules `callback` at absolute time `at`.
   *
   * @param at - a time ≥ {@link Simulator.now}, in ps
   * @param callback - run when the simulation reaches `at` (after every event scheduled
   *   earlier for the same time)
   * @returns a handle for {@link Simulator.cancel}
   * @throws {@link SimTimeError} when `at` is invalid or in the past
   */
  schedule(at: SimTime, callback: EventCallback): EventHandle {
    checkSimTime(at, "at");
    if (at < this.#now)
      throw new SimTimeError("at", `a time not before now (${this.#now} ps)`, `${at} ps`);
    const ev: QueuedEvent = { at, seq: this.#seq++, callback };
    this.#push(ev);
    this.#live++;
    return ev;
  }

  /**
   * Schedules `callback` `delay` ps after now.
   *
   * @param delay - a non-negative duration in ps
   * @param callback - the event
   * @returns a handle for {@link Simulator.cancel}
   * @throws {@link SimTimeError} when `delay` is invalid or now + delay exceeds the range
   */
  scheduleAfter(delay: SimTime, callback: EventCallback): EventHandle {
    return this.schedule(addSimTime(this.#now, delay, "delay"), callback);
  }

  /**
   * Cancels a pending event.
   *
   * @param handle - a handle returned by this simulator
   * @returns `true` when the event was pending, `false` when it had already run or been cancelled
   */
  cancel(handle: EventHandle): boolean {
    const ev = handle as QueuedEvent;
    if (ev.callback === undefined) return false;
    ev.callback = undefined;
    this.#live--;
    return true;
  }

  /** Time of the next pending event, or `undefined` when none is pending. */
  peek(): SimTime | undefined {
    this.#dropCancelled();
    return this.#heap[0]?.at;
  }

  /**
   * Advances the clock to `at` without an event, when that is exactly what scheduling an event
   * at `at` and running it would do: `at` is not before now and no pending event comes at or
   * before `at` (an event pending at `at` itself was scheduled earlier, so it would run first).
   * A model calls it to run a chain of steps inline (e.g. the CDMA transfers of one block) and
   * schedules the step as an ordinary event when it returns `false`; the outcome is the same
   * event order, with fewer events. Counted in {@link Simulator.inlined}.
   *
   * @param at - the time of the step, in ps
   * @returns `true` when the clock now stands at `at`; `false` (clock unchanged) when the step
   *   must be scheduled
   * @throws {@link SimTimeError} when `at` is invalid or in the past
   */
  advanceTo(at: SimTime): boolean {
    if (!(at >= this.#now) || !Number.isSafeInteger(at)) {
      checkSimTime(at, "at");
      throw new SimTimeError("at", `a time not before now (${this.#now} ps)`, `${at} ps`);
    }
    this.#dropCancelled();
    const next = this.#heap[0];
    if (next !== undefined && next.at <= at) return false;
    this.#now = at;
    this.#inlined++;
    return true;
  }

  /** Number of steps run inline through {@link Simulator.advanceTo}. */
  get inlined(): number {
    return this.#inlined;
  }

  /**
   * Runs the next pending event, advancing the clock to its time.
   *
   * @returns `false` when no event was pending
   */
  step(): boolean {
    this.#dropCancelled();
    const ev = this.#pop();
    if (ev === undefined) return false;
    const cb = ev.callback!;
    ev.callback = undefined;
    this.#live--;
    this.#now = ev.at;
    this.#executed++;
    cb(this);
    return true;
  }

  /**
   * Runs events in order until none is pending or, when `until` is given, until the next event
   * lies after `until`; the clock then stands at `until` (if that is later than now).
   *
   * @param until - optional end time in ps (events at exactly `until` run)
   * @returns the number of events run
   * @throws {@link SimTimeError} when `until` is invalid or in the past
   */
  run(until?: SimTime): number {
    const start = this.#executed;
    if (until === undefined) {
      while (this.step());
      return this.#executed - start;
    }
    checkSimTime(until, "until");
    if (until < this.#now)
      throw new SimTimeError("until", `a time not before now (${this.#now} ps)`, `${until} ps`);
    for (;;) {
      const next = this.peek();
      if (next === undefined || next > until) break;
      this.step();
    }
    this.#now = until;
    return this.#executed - start;
  }

  #dropCancelled(): void {
    while (this.#heap.length > 0 && this.#heap[0]!.callback === undefined) this.#pop();
  }

  #push(ev: QueuedEvent): void {
    const h = this.#heap;
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!before(ev, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = ev;
  }

  #pop(): QueuedEvent | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
