/**
 * The reliable connection over real UDP sockets on loopback (docs/reference/roce.md §1, §4):
 * 64 frames of 64 KiB, each an RDMA WRITE with immediate = frame number, first straight, then
 * through a relay that drops, duplicates and reorders datagrams from a printed seed. Every frame
 * must be bit-exact in the receiver's memory region and every completion must arrive once, in
 * order. Real timers drive the retransmission; nothing is asserted about timing. Last, the
 * receiver runs in a worker thread (the built package, test/receiver-worker.mjs) with its own
 * socket, writing into a shared memory region.
 */
import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { lawSeed } from "@rashpa/laws";
import { describe, expect, it } from "vitest";
import { rocePath } from "./icrc.js";
import { LossyRelay } from "./lossy-relay.js";
import { RcReceiver, RcSender } from "./rc.js";
import type { WriteCompletion } from "./rc.js";
import { UdpTransport } from "./transport.js";

const FRAMES = 64;
const FRAME_BYTES = 64 * 1024;
const REGION_VA = 0x7f0000000000n;
const path = rocePath({ source: "127.0.0.1", destination: "127.0.0.1", sourcePort: 49200 });

function frame(n: number): Uint8Array {
  const b = new Uint8Array(FRAME_BYTES);
  for (let i = 0; i < b.length; i++) b[i] = (i * 7 + n * 131 + (i >>> 9)) & 0xff;
  return b;
}

interface Loss {
  readonly seed: number;
  readonly drop: number;
  readonly duplicate: number;
  readonly reorder: number;
}

async function run(loss: Loss | undefined) {
  const receiverSocket = await UdpTransport.open();
  const relay =
    loss === undefined
      ? undefined
      : await LossyRelay.open({
          ...loss,
          target: { address: "127.0.0.1", port: receiverSocket.port },
        });
  const senderSocket = await UdpTransport.open({
    remote: { address: "127.0.0.1", port: relay?.frontPort ?? receiverSocket.port },
  });
  await receiverSocket.connect("127.0.0.1", relay?.backPort ?? senderSocket.port);
  const region = { va: REGION_VA, rKey: 0x5a5a, bytes: new Uint8Array(FRAMES * FRAME_BYTES) };
  const completions: WriteCompletion[] = [];
  const receiver = new RcReceiver({
    transport: receiverSocket,
    path,
    localQp: 0x11,
    remoteQp: 0x22,
    pmtu: 4096,
    startPsn: 0xffff00,
    regions: [region],
    onCompletion: (c) => completions.push(c),
  });
  const sender = new RcSender({
    transport: senderSocket,
    path,
    localQp: 0x22,
    remoteQp: 0x11,
    pmtu: 4096,
    startPsn: 0xffff00,
    window: 128,
    timeoutMs: 10,
    retryLimit: 1000,
  });
  const frames = Array.from({ length: FRAMES }, (_, n) => frame(n));
  try {
    await Promise.all(
      frames.map((data, n) =>
        sender.postWrite({
          va: REGION_VA + BigInt(n * FRAME_BYTES),
          rKey: 0x5a5a,
          data,
          immediate: n,
        }),
      ),
    );
    // The last ACK may overtake the last completion only in another process; here both are done.
    return {
      frames,
      region,
      completions,
      sender: sender.stats,
      receiver: receiver.stats,
      relay: relay?.stats,
    };
  } finally {
    await sender.close();
    await receiver.close();
    await relay?.close();
  }
}

function check(r: Awaited<ReturnType<typeof run>>): void {
  r.frames.forEach((f, n) => {
    const got = r.region.bytes.subarray(n * FRAME_BYTES, (n + 1) * FRAME_BYTES);
    expect(Buffer.compare(Buffer.from(got), Buffer.from(f)), `frame ${n}`).toBe(0);
  });
  expect(r.completions.map((c) => c.immediate)).toEqual(r.frames.map((_, n) => n));
  r.completions.forEach((c, n) => {
    expect(c.va).toBe(REGION_VA + BigInt(n * FRAME_BYTES));
    expect(c.length).toBe(FRAME_BYTES);
  });
  expect(r.receiver.packets).toBe(FRAMES * (FRAME_BYTES / 4096));
}

describe("reliable connection over UDP sockets on loopback", () => {
  it(`delivers ${FRAMES} frames of 64 KiB bit-exact, each completion once`, async () => {
    const r = await run(undefined);
    check(r);
  });

  const loss: Loss = { seed: lawSeed(), drop: 0.03, duplicate: 0.02, reorder: 0.03 };
  it(`… and through a lossy relay (seed ${loss.seed}, drop ${loss.drop}, duplicate ${loss.duplicate}, reorder ${loss.reorder})`, async () => {
    const r = await run(loss);
    console.log(
      `[roce] lossy relay seed ${loss.seed} drop ${loss.drop} duplicate ${loss.duplicate} reorder ${loss.reorder}: ` +
        `relay ${JSON.stringify(r.relay)}; sender ${JSON.stringify(r.sender)}; receiver ${JSON.stringify(r.receiver)}`,
    );
    check(r);
    expect(r.relay!.dropped).toBeGreaterThan(0);
    expect(r.sender.retransmitted).toBeGreaterThan(0);
  });

  it("with the receiver in a worker thread", async () => {
    const built = new URL("../dist/index.js", import.meta.url);
    expect(existsSync(built), "the worker runs the built package: npm run build first").toBe(true);
    const frames = Array.from({ length: 16 }, (_, n) => frame(n));
    const shared = new SharedArrayBuffer(frames.length * FRAME_BYTES);
    const tx = await UdpTransport.open();
    const w = new Worker(new URL("../test/receiver-worker.mjs", import.meta.url), {
      execArgv: [], // not the test runner's source-first resolution: the worker runs dist/
      workerData: {
        senderPort: tx.port,
        path: { source: "127.0.0.1", destination: "127.0.0.1", sourcePort: 49200 },
        region: { va: REGION_VA.toString(), rKey: 0x5a5a, buffer: shared },
        pmtu: 1024,
        startPsn: 77,
      },
    });
    const completions: { immediate: number; length: number; va: string }[] = [];
    let closed: (stats: unknown) => void = () => undefined;
    const stats = new Promise((resolve) => (closed = resolve));
    const port = await new Promise<number>((resolve, reject) => {
      w.on("error", reject);
      w.on(
        "message",
        (m: { port?: number; completion?: (typeof completions)[number]; stats?: unknown }) => {
          if (m.port !== undefined) resolve(m.port);
          if (m.completion !== undefined) completions.push(m.completion);
          if (m.stats !== undefined) closed(m.stats);
        },
      );
    });
    await tx.connect("127.0.0.1", port);
    const sender = new RcSender({
      transport: tx,
      path,
      localQp: 0x22,
      remoteQp: 0x11,
      pmtu: 1024,
      startPsn: 77,
      timeoutMs: 10,
      retryLimit: 1000,
    });
    try {
      await Promise.all(
        frames.map((data, n) =>
          sender.postWrite({
            va: REGION_VA + BigInt(n * FRAME_BYTES),
            rKey: 0x5a5a,
            data,
            immediate: n,
          }),
        ),
      );
      w.postMessage("close");
      expect(await stats).toMatchObject({ completions: 16, packets: 16 * 64 });
      const region = new Uint8Array(shared);
      frames.forEach((f, n) =>
        expect(
          Buffer.compare(
            Buffer.from(region.subarray(n * FRAME_BYTES, (n + 1) * FRAME_BYTES)),
            Buffer.from(f),
          ),
          `frame ${n}`,
        ).toBe(0),
      );
      expect(completions.map((c) => c.immediate)).toEqual(frames.map((_, n) => n));
      expect(completions[3]).toEqual({
        immediate: 3,
        length: FRAME_BYTES,
        va: String(REGION_VA + BigInt(3 * FRAME_BYTES)),
      });
    } finally {
      await sender.close();
      await w.terminate();
    }
  });
});
