/**
 * Timers of the reliable connection, injectable so that tests do not depend on wall-clock speed:
 * {@link systemClock} runs on Node timers, {@link FakeClock} only moves when told to.
 *
 * @module
 */

/** A scheduled callback that can be cancelled. */
export interface TimerHandle {
  /** Cancels the callback if it has not run yet. */
  cancel(): void;
}

/** A source of time and one-shot timers, in milliseconds. */
export interface Clock {
  /** Milliseconds since an arbitrary origin. */
  now(): number;
  /** Runs `callback` once, `ms` milliseconds from now. */
  setTimer(ms: number, callback: () => void): TimerHandle;
}

/** The clock of the running process: `performance.now()` and `setTimeout`. */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  setTimer(ms: number, callback: () => void): TimerHandle {
    const t = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(t) };
  },
});

interface FakeTimer {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * A clock that stands still until {@link FakeClock.advance} moves it; due timers then run in
 * time order (ties in the order they were set).
 *
 * @example
 * ```ts
 * const clock = new FakeClock();
 * clock.setTimer(10, () => console.log("fired"));
 * clock.advance(9); // nothing
 * clock.advance(1); // fired
 * ```
 */
export class FakeClock implements Clock {
  private time = 0;
  private order = 0;
  private timers: FakeTimer[] = [];

  /** The current fake time in milliseconds (starts at 0). */
  now(): number {
    return this.time;
  }

  /** Schedules `callback` at `now() + ms`. */
  setTimer(ms: number, callback: () => void): TimerHandle {
    const timer: FakeTimer = {
      at: this.time + ms,
      order: this.order++,
      callback,
      cancelled: false,
    };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Timers set and not yet run or cancelled. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, running every timer that falls due, in time order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      let next: FakeTimer | undefined;
      for (const t of this.timers)
        if (
          t.at <= end &&
          (next === undefined || t.at < next.at || (t.at === next.at && t.order < next.order))
        )
          next = t;
      if (next === undefined) break;
      this.time = Math.max(this.time, next.at);
      next.cancelled = true;
      next.callback();
    }
    this.time = end;
  }
}
