/**
 * Data receivers served elsewhere: the system manager here (controller emulator in its worker,
 * event ring read here), the industrial PC's responder and frames behind a TCP control
 * connection and its own (not shared) memory — the same code a receiver process runs
 * (`rashpa receive`, whose test runs it in a process of its own). Every ROI is checked byte for
 * byte in the receiver's memory; a slow receiver holds back only its own channel. Then the
 * faults: a bad configuration, an unexpected or malformed control line on either side.
 */
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { Acquisition, type AcquisitionEvent } from "../acquisition.js";
import {
  DEFAULT_ACQUISITION,
  resolveAcquisitionConfig,
  type AcquisitionConfig,
} from "../config.js";
import { intact } from "../frames.test-helpers.js";
import { LinkError } from "./link.js";
import {
  RemoteReceiverError,
  listenForReceivers,
  openRemoteReceiver,
  type ReceiverListener,
  type RemoteFrame,
} from "./remote-receivers.js";
import { openEmulatedRoceLink } from "./roce-emulator.js";

/** The demo over RoCE with `frames` frames, back-pressure on both channels. */
function roceDemo(frames: number): AcquisitionConfig {
  return resolveAcquisitionConfig({
    ...DEFAULT_ACQUISITION,
    receivers: DEFAULT_ACQUISITION.receivers.map((r, i) => ({
      ...r,
      link: { kind: "roce", ip: "127.0.0.1", qpn: 0x20 + i, rkey: 0x7000 + i },
    })),
    detector: { ...DEFAULT_ACQUISITION.detector, frames },
    channels: DEFAULT_ACQUISITION.channels.map((c) => ({ ...c, overflow: "back-pressure" })),
  });
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** A raw TCP client of a listener (a misbehaving receiver). */
async function rawClient(listener: ReceiverListener): Promise<Socket> {
  const s = await new Promise<Socket>((resolve, reject) => {
    const c = connect(listener.port, "127.0.0.1", () => resolve(c));
    c.once("error", reject);
  });
  cleanups.push(() => Promise.resolve(s.destroy()));
  return s;
}

describe("a data receiver served by another process (TCP control, RDMA data)", () => {
  it("gets every ROI bit-exact in its own memory at its own slow pace; the manager gets the full frames", async () => {
    const config = roceDemo(12);
    const listener = await listenForReceivers(["industrial-pc"]);
    cleanups.push(() => listener.close());
    const rx = await openRemoteReceiver({
      config,
      receiver: "industrial-pc",
      manager: { host: "127.0.0.1", port: listener.port },
    });
    cleanups.push(() => rx.close());
    const remote = await listener.accepted();
    const link = await openEmulatedRoceLink(config, { remote });
    cleanups.push(() => link.close());
    expect(() => link.memory("industrial-pc")).toThrow(LinkError);
    const acq = await Acquisition.start(link, config);
    acq.remoteReceiver("industrial-pc", remote.get("industrial-pc")!);
    const seen: AcquisitionEvent[] = [];
    acq.on((e) => seen.push(e));

    const remoteFrames: { frame: number; ok: boolean; sameMemory: boolean }[] = [];
    const receiving = (async () => {
      for await (const f of rx) {
        remoteFrames.push({
          frame: f.frame,
          ok: f.status === 0 && intact(config, f),
          sameMemory: f.bytes.buffer === rx.memory.buffer,
        });
        await sleep(5); // a slow receiver: the ROI channel waits for its releases
      }
    })();
    const managerFrames: number[] = [];
    let managerRois = 0;
    let bad = 0;
    for await (const e of acq) {
      if (e.type === "frame") {
        managerFrames.push(e.frame);
        if (!intact(config, e)) bad++;
      }
      if (e.type === "roi") managerRois++;
    }
    await receiving;
    await rx.finished();

    expect(bad).toBe(0);
    // Back-pressure: the slow receiver made its channel wait, nothing was dropped.
    expect(seen.filter((e) => e.type === "overrun" || e.type === "error")).toHaveLength(0);
    expect(managerFrames).toEqual([...Array(12).keys()]);
    expect(managerRois).toBe(0); // the ROIs went to their receiver
    expect(remoteFrames.map((f) => f.frame)).toEqual([...Array(12).keys()]);
    expect(remoteFrames.every((f) => f.ok && f.sameMemory)).toBe(true);
    // Callbacks still see the remote ROIs, without bytes (the data is in the other memory).
    const rois = seen.filter((e) => e.type === "roi");
    expect(rois).toHaveLength(12);
    expect(rois.every((e) => e.type === "roi" && e.bytes.length === 0)).toBe(true);
    expect(acq.tally.map((t) => t.frames)).toEqual([12, 12]);
    expect(rx.stats().badPackets).toBe(0);
    expect(rx.stats().bytes).toBe(12 * 128 * 128 * 2);
  });

  it("refuses remote receivers the link cannot serve, naming them", async () => {
    const config = roceDemo(2);
    const listener = await listenForReceivers(["detector-pc"]);
    cleanups.push(() => listener.close());
    const rx = await openRemoteReceiver({
      config,
      receiver: "detector-pc",
      manager: { host: "127.0.0.1", port: listener.port },
    });
    cleanups.push(() => rx.close());
    const remote = await listener.accepted();
    // The event ring is in the detector PC: its records must be read where the manager runs.
    await expect(openEmulatedRoceLink(config, { remote })).rejects.toThrow(
      /event ring's receiver "detector-pc" must be served in this process/,
    );
    const pcie = resolveAcquisitionConfig(DEFAULT_ACQUISITION);
    await expect(
      openEmulatedRoceLink(roceDemo(2), {
        remote: new Map([["nobody", remote.get("detector-pc")!]]),
      }),
    ).rejects.toThrow(/remote receiver "nobody" is not a receiver reached over RoCE/);
    await expect(
      openRemoteReceiver({
        config: pcie,
        receiver: "detector-pc",
        manager: { host: "127.0.0.1", port: listener.port },
      }),
    ).rejects.toThrow(RemoteReceiverError);
    await expect(
      openRemoteReceiver({
        config,
        receiver: "nobody",
        manager: { host: "127.0.0.1", port: listener.port },
      }),
    ).rejects.toThrow(/not in the configuration \(receivers: detector-pc, industrial-pc\)/);
  });

  it("says clearly when the manager cannot be reached", async () => {
    const listener = await listenForReceivers([]);
    const port = listener.port;
    await listener.close();
    await expect(
      openRemoteReceiver({
        config: roceDemo(2),
        receiver: "industrial-pc",
        manager: { host: "127.0.0.1", port },
      }),
    ).rejects.toThrow(/cannot reach the manager at 127\.0\.0\.1:\d+/);
  });

  it("rejects a receiver that is not expected, says hello twice, or sends a malformed line", async () => {
    const cases: [string, RegExp][] = [
      [
        `{"t":"hello","receiver":"elsewhere","port":4000}\n`,
        /elsewhere: not expected \(expected: industrial-pc\)/,
      ],
      [`{"t":"release","channel":1,"frame":0}\n`, /first line must be a hello, got "release"/],
      [`not json\n`, /a control line is not JSON/],
      [`{"t":"hello","receiver":"industrial-pc","port":70000}\n`, /"port" expected a UDP port/],
      [`{"t":"shout"}\n`, /unknown message "shout"/],
      [`${"x".repeat(70_000)}`, /longer than 65536 bytes/],
    ];
    for (const [line, error] of cases) {
      const listener = await listenForReceivers(["industrial-pc"]);
      cleanups.push(() => listener.close());
      const s = await rawClient(listener);
      const accepted = listener.accepted();
      s.write(line);
      await expect(accepted).rejects.toThrow(RemoteReceiverError);
      await expect(accepted).rejects.toThrow(error);
    }
  });

  it("a receiver ends with a typed error on a malformed manager line or a frame outside its memory", async () => {
    const config = roceDemo(2);
    const bad: [string, RegExp][] = [
      [
        `{"t":"frame","type":"roi","channel":1,"name":"roi","frame":0,"status":0,"offset":1048000,"length":32768,"timestampNs":"1","sequence":0,"atPs":0}\n`,
        /outside the 1048576-byte arena/,
      ],
      [`{"t":"frame","type":"roi","channel":1}\n`, /"frame" expected an integer/],
      [`[1,2]\n`, /unknown message undefined/],
    ];
    for (const [line, error] of bad) {
      const { createServer } = await import("node:net");
      const sockets: Socket[] = [];
      const server = createServer((s) => {
        sockets.push(s);
        s.write(line);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            for (const s of sockets) s.destroy();
            server.close(() => resolve());
          }),
      );
      const address = server.address();
      const rx = await openRemoteReceiver({
        config,
        receiver: "industrial-pc",
        manager: {
          host: "127.0.0.1",
          port: typeof address === "object" && address ? address.port : 0,
        },
      });
      cleanups.push(() => rx.close());
      const frames: RemoteFrame[] = [];
      const run = (async () => {
        for await (const f of rx) frames.push(f);
      })();
      await expect(run).rejects.toThrow(error);
      expect(frames).toHaveLength(0);
    }
  });
});
