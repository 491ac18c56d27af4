/**
 * The reliable connection (docs/reference/roce.md §3–§5) over an in-memory link driven step by
 * step and a fake clock: in-order delivery with coalesced ACKs, one NAK per sequence error and
 * go-back-N, timeouts, duplicates, ICRC errors, R_Key and bounds checks, the retry limit, the PSN
 * wrap, and random loss/duplication/reordering.
 */
import { lawSeed } from "@rashpa/laws";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FakeClock } from "./clock.js";
import { decodeRocePacket } from "./datagram.js";
import { rocePath } from "./icrc.js";
import type { Pmtu } from "./opcode.js";
import { RcReceiver, RcSender } from "./rc.js";
import type { RcSenderOptions, WriteCompletion } from "./rc.js";
import { MemoryLink } from "./transport.js";

const path = rocePath({ source: "10.0.0.1", destination: "10.0.0.2", sourcePort: 50000 });
const seed = lawSeed();
const numRuns = Number(process.env["FC_RUNS"] ?? 60);

function pattern(n: number, salt: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 13 + salt * 101 + (i >>> 8)) & 0xff;
  return b;
}

function setup(
  options: {
    pmtu?: Pmtu;
    startPsn?: number;
    window?: number;
    regionBytes?: number;
  } & Partial<RcSenderOptions> = {},
) {
  const link = new MemoryLink();
  const clock = new FakeClock();
  const pmtu = options.pmtu ?? 256;
  const region = {
    va: 0x10000n,
    rKey: 0x1234,
    bytes: new Uint8Array(options.regionBytes ?? 1 << 16),
  };
  const completions: WriteCompletion[] = [];
  const sender = new RcSender({
    transport: link.a,
    path,
    localQp: 0x21,
    remoteQp: 0x42,
    pmtu,
    startPsn: options.startPsn ?? 100,
    window: options.window ?? 32,
    ackEvery: options.ackEvery ?? 8,
    timeoutMs: 10,
    retryLimit: options.retryLimit ?? 5,
    clock,
  });
  const receiver = new RcReceiver({
    transport: link.b,
    path,
    localQp: 0x42,
    remoteQp: 0x21,
    pmtu,
    startPsn: options.startPsn ?? 100,
    regions: [region],
    onCompletion: (c) => completions.push(c),
  });
  return { link, clock, sender, receiver, region, completions };
}

/** Lets promise callbacks run. */
const settle = () => new Promise((r) => setImmediate(r));

describe("reliable connection over an in-memory link", () => {
  it("delivers writes in order with coalesced ACKs and one completion per immediate", async () => {
    const { link, sender, receiver, region, completions } = setup();
    const a = pattern(3000, 1);
    const b = pattern(256, 2);
    const c = pattern(0, 3);
    const done = [
      sender.postWrite({ va: 0x10000n, rKey: 0x1234, data: a, immediate: 1 }),
      sender.postWrite({ va: 0x11000n, rKey: 0x1234, data: b }),
      sender.postWrite({ va: 0x12000n, rKey: 0x1234, data: c, immediate: 3 }),
    ];
    link.deliverAll();
    const results = await Promise.all(done);
    expect(results.map((r) => [r.firstPsn, r.packets])).toEqual([
      [100, 12],
      [112, 1],
      [113, 1],
    ]);
    expect(region.bytes.subarray(0, 3000)).toEqual(a);
    expect(region.bytes.subarray(0x1000, 0x1100)).toEqual(b);
    expect(completions.map((x) => [x.immediate, x.va, x.length, x.psn])).toEqual([
      [1, 0x10000n, 3000, 111],
      [3, 0x12000n, 0, 113],
    ]);
    expect(receiver.stats.packets).toBe(14);
    expect(receiver.stats.acks).toBeLessThan(14); // ACKs only where AckReq is set
    expect(sender.outstanding).toBe(0);
    expect(sender.stats.retransmitted).toBe(0);
  });

  it("takes writes posted after earlier ones completed", async () => {
    const { link, sender, region, completions } = setup();
    for (let n = 0; n < 3; n++) {
      const data = pattern(700 + n, n);
      const done = sender.postWrite({
        va: 0x10000n + BigInt(n * 1024),
        rKey: 0x1234,
        data,
        immediate: n,
      });
      link.deliverAll();
      expect((await done).packets).toBe(3);
      expect(region.bytes.subarray(n * 1024, n * 1024 + data.length)).toEqual(data);
    }
    expect(completions.map((c) => c.immediate)).toEqual([0, 1, 2]);
  });

  it("a lost packet draws one NAK (PSN sequence error) and go-back-N resends from it", async () => {
    const { link, sender, receiver, region } = setup({ window: 64 });
    const data = pattern(20 * 256, 4);
    const done = sender.postWrite({ va: 0x10000n, rKey: 0x1234, data, immediate: 9 });
    expect(link.queue.length).toBe(20);
    link.queue.splice(5, 1); // lose PSN 105
    link.deliverAll();
    await done;
    expect(region.bytes.subarray(0, data.length)).toEqual(data);
    expect(receiver.stats.naks).toBe(1);
    expect(receiver.stats.outOfOrder).toBe(14);
    expect(sender.stats.sequenceNaks).toBe(1);
    expect(sender.stats.retransmitted).toBe(15);
  });

  it("a lost last packet is recovered by the timeout, and only after the clock moves", async () => {
    const { link, clock, sender, region, completions } = setup();
    const data = pattern(600, 5);
    let settled = false;
    const done = sender.postWrite({ va: 0x10000n, rKey: 0x1234, data, immediate: 7 }).then(() => {
      settled = true;
    });
    link.queue.pop(); // lose the Last packet
    link.deliverAll();
    await settle();
    expect(settled).toBe(false);
    clock.advance(9);
    expect(link.queue.length).toBe(0);
    clock.advance(1);
    expect(sender.stats.timeouts).toBe(1);
    link.deliverAll();
    await done;
    expect(region.bytes.subarray(0, 600)).toEqual(data);
    expect(completions.length).toBe(1);
  });

  it("a duplicate is acknowledged again and not delivered twice", async () => {
    const { link, sender, receiver, completions } = setup();
    const done = sender.postWrite({
      va: 0x10000n,
      rKey: 0x1234,
      data: pattern(100, 6),
      immediate: 5,
    });
    const only = link.queue[0]!;
    link.deliverAll();
    await done;
    const acks = receiver.stats.acks;
    link.queue.push(only);
    link.deliverAll();
    expect(receiver.stats.duplicates).toBe(1);
    expect(receiver.stats.acks).toBe(acks + 1);
    expect(completions.length).toBe(1);
  });

  it("a packet with a bad ICRC is dropped and recovered", async () => {
    const { link, sender, receiver, region } = setup();
    const data = pattern(1000, 7);
    const done = sender.postWrite({ va: 0x10100n, rKey: 0x1234, data });
    const q = link.queue[1]!;
    q.bytes[20] = q.bytes[20]! ^ 0x01; // a payload bit
    link.deliverAll();
    await done;
    expect(receiver.stats.badPackets).toBe(1);
    expect(region.bytes.subarray(0x100, 0x100 + 1000)).toEqual(data);
  });

  it("a wrong R_Key or a write past the region draws NAK remote access error", async () => {
    for (const [va, rKey] of [
      [0x10000n, 0x9999],
      [0x1ff00n, 0x1234],
      [0xff00n, 0x1234],
    ] as const) {
      const { link, sender, region } = setup();
      const done = sender.postWrite({ va, rKey, data: pattern(512, 8) });
      link.deliverAll();
      await expect(done).rejects.toMatchObject({
        name: "RemoteNakError",
        code: "remote-access-error",
      });
      expect(region.bytes.every((x) => x === 0)).toBe(true);
      await expect(sender.postWrite({ va, rKey, data: pattern(4, 8) })).rejects.toMatchObject({
        name: "RemoteNakError",
      });
    }
  });

  it("fails with RetryExceededError when nothing gets through", async () => {
    const { link, clock, sender } = setup({ retryLimit: 3 });
    const done = sender.postWrite({ va: 0x10000n, rKey: 0x1234, data: pattern(300, 9) });
    const caught = done.catch((e: unknown) => e);
    for (let i = 0; i < 4; i++) {
      link.queue.length = 0; // everything lost
      clock.advance(10);
    }
    const e = await caught;
    expect(e).toMatchObject({ name: "RetryExceededError", retries: 4, psn: 100 });
    expect(sender.stats.timeouts).toBe(4);
  });

  it("numbers packets across the PSN wrap", async () => {
    const { link, sender, region } = setup({ startPsn: 0xfffffa });
    const data = pattern(12 * 256, 10);
    const psns: number[] = [];
    const done = sender.postWrite({ va: 0x10000n, rKey: 0x1234, data, immediate: 1 });
    for (const d of link.queue) psns.push(decodeRocePacket(d.bytes, path).bth.psn);
    link.deliverAll();
    const r = await done;
    expect(r.firstPsn).toBe(0xfffffa);
    expect(psns).toEqual([
      0xfffffa, 0xfffffb, 0xfffffc, 0xfffffd, 0xfffffe, 0xffffff, 0, 1, 2, 3, 4, 5,
    ]);
    expect(region.bytes.subarray(0, data.length)).toEqual(data);
    expect(sender.nextPsn).toBe(6);
  });

  it("keeps at most `window` packets outstanding", () => {
    const { link, sender } = setup({ window: 8 });
    void sender.postWrite({ va: 0x10000n, rKey: 0x1234, data: pattern(40 * 256, 11) });
    expect(link.queue.length).toBe(8);
    expect(sender.outstanding).toBe(8);
    const last = decodeRocePacket(link.queue[7]!.bytes, path);
    expect(last.bth.ackReq).toBe(true); // the packet that fills the window asks for an ACK
  });

  it(`survives random loss, duplication and reordering (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 2500 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom<Pmtu>(256, 512, 1024),
        fc.integer({ min: 0, max: 0xffffff }),
        fc.infiniteStream(fc.integer({ min: 0, max: 99 })),
        async (sizes, pmtu, startPsn, dice) => {
          // The retry limit is not under test here: enough retries to outlast any run of bad luck.
          const { link, clock, sender, region, completions } = setup({
            pmtu,
            startPsn,
            window: 16,
            retryLimit: 1_000_000,
          });
          const messages = sizes.map((n, i) => pattern(n, i));
          const offsets = sizes.map((_, i) => i * 4096);
          const done = Promise.all(
            messages.map((data, i) =>
              sender.postWrite({
                va: 0x10000n + BigInt(offsets[i]!),
                rKey: 0x1234,
                data,
                immediate: i,
              }),
            ),
          );
          let finished = false;
          void done.then(() => {
            finished = true;
          });
          const roll = dice[Symbol.iterator]();
          for (let step = 0; step < 100_000 && !finished; step++) {
            if (link.queue.length === 0) {
              clock.advance(10);
              await settle();
              continue;
            }
            const r = roll.next().value as number;
            if (r < 10)
              link.queue.shift(); // lose
            else if (r < 15)
              link.queue.push(link.queue[0]!); // duplicate later
            else if (r < 25 && link.queue.length > 1)
              link.queue.push(link.queue.shift()!); // reorder
            else link.deliverNext();
            if (step % 64 === 0) await settle();
          }
          await done;
          messages.forEach((m, i) =>
            expect(region.bytes.subarray(offsets[i], offsets[i]! + m.length)).toEqual(m),
          );
          expect(completions.map((c) => c.immediate)).toEqual(messages.map((_, i) => i));
        },
      ),
      { seed, numRuns },
    );
  });
});
