/** The fake clock the reliable connection is tested with, and the relay's seeded generator. */
import { describe, expect, it } from "vitest";
import { FakeClock } from "./clock.js";
import { LossyRelay, seededRandom } from "./lossy-relay.js";

describe("FakeClock", () => {
  it("runs due timers in time order, ties in the order set, and not cancelled ones", () => {
    const clock = new FakeClock();
    const log: string[] = [];
    clock.setTimer(5, () => log.push("b"));
    clock.setTimer(2, () => log.push("a"));
    const c = clock.setTimer(5, () => log.push("c"));
    clock.setTimer(5, () => log.push("d"));
    c.cancel();
    clock.advance(4);
    expect(log).toEqual(["a"]);
    expect(clock.pending).toBe(2);
    clock.advance(1);
    expect(log).toEqual(["a", "b", "d"]);
    expect(clock.now()).toBe(5);
  });

  it("runs a timer set by a timer when it falls due in the same advance", () => {
    const clock = new FakeClock();
    const at: number[] = [];
    clock.setTimer(1, () => {
      at.push(clock.now());
      clock.setTimer(1, () => at.push(clock.now()));
    });
    clock.advance(10);
    expect(at).toEqual([1, 2]);
    expect(clock.now()).toBe(10);
  });
});

describe("seededRandom", () => {
  it("gives the same numbers in [0, 1) for the same seed, others for another", () => {
    const a = Array.from({ length: 100 }, seededRandom(7));
    const b = Array.from({ length: 100 }, seededRandom(7));
    const c = Array.from({ length: 100 }, seededRandom(8));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("the relay refuses a probability outside 0..1", async () => {
    await expect(
      LossyRelay.open({
        seed: 1,
        drop: 1.5,
        duplicate: 0,
        reorder: 0,
        target: { address: "127.0.0.1", port: 9 },
      }),
    ).rejects.toThrow(/"drop" expected a probability/);
  });
});
