/**
 * `rashpa acquire --remote` and `rashpa receive` as three processes: the system manager with the
 * emulated controller, and the industrial PC's data receiver in a process of its own (RDMA
 * WRITEs over loopback UDP into its own memory, frames announced over TCP), each run as the
 * built `rashpa` program. Then the receive command's argument errors.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { run } from "../test/run-cli.js";

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const ROCE = fileURLToPath(new URL("../../../examples/acquisition-roce.yaml", import.meta.url));

/** Runs the built CLI as a process; `onErr` sees its standard error as it comes. */
function runProcess(
  args: readonly string[],
  onErr: (text: string) => void = () => undefined,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.setEncoding("utf8").on("data", (t: string) => (out += t));
    p.stderr.setEncoding("utf8").on("data", (t: string) => {
      err += t;
      onErr(err);
    });
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("rashpa receive: a data receiver in another process", () => {
  it("the manager and the receiver run as separate processes; every ROI arrives bit-exact in the receiver", async () => {
    let manager!: ReturnType<typeof runProcess>;
    const port = await new Promise<string>((resolve) => {
      manager = runProcess(
        ["acquire", ROCE, "--frames", "12", "--remote", "industrial-pc", "--no-preview", "--json"],
        (err) => {
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
          if (m !== null) resolve(m[1]!);
        },
      );
    });
    const receiver = await runProcess([
      "receive",
      ROCE,
      "--frames",
      "12",
      "--receiver",
      "industrial-pc",
      "--manager",
      `127.0.0.1:${port}`,
      "--json",
    ]);
    const m = await manager;
    expect(receiver.err).toBe("");
    expect(receiver.code).toBe(0);
    expect(m.code).toBe(0);
    const rx = JSON.parse(receiver.out) as {
      receiver: string;
      frames: number;
      bytes: number;
      verified: boolean;
      channels: { name: string; frames: number; bad: number }[];
      responder: { badPackets: number; completions: number };
    };
    expect(rx).toMatchObject({ receiver: "industrial-pc", frames: 12, verified: true });
    expect(rx.bytes).toBe(12 * 128 * 128 * 2);
    expect(rx.channels).toEqual([{ name: "roi", frames: 12, bad: 0 }]);
    expect(rx.responder.badPackets).toBe(0);
    const mj = JSON.parse(m.out) as {
      verified: boolean;
      channels: { name: string; remote: boolean; frames: number; errored: number }[];
    };
    expect(mj.verified).toBe(true);
    expect(mj.channels.map((c) => [c.name, c.remote, c.frames, c.errored])).toEqual([
      ["full-frames", false, 12, 0],
      ["roi", true, 12, 0],
    ]);
  });

  it.each([
    [["receive", ROCE, "--manager", "127.0.0.1:1"], /--receiver NAME is required/],
    [["receive", ROCE, "--receiver", "industrial-pc"], /--manager HOST:PORT is required/],
    [["receive", ROCE, "--receiver", "x", "--manager", "nowhere"], /--manager: expected HOST:PORT/],
    [
      ["receive", ROCE, "--receiver", "nobody", "--manager", "127.0.0.1:1"],
      /receiver nobody: not in the configuration/,
    ],
    [
      ["receive", "--receiver", "detector-pc", "--manager", "127.0.0.1:1"],
      /detector-pc: its link kind is not roce/,
    ],
    [
      ["receive", ROCE, "--receiver", "industrial-pc", "--manager", "127.0.0.1:1"],
      /cannot reach the manager at 127\.0\.0\.1:1/,
    ],
    [["acquire", ROCE, "--remote", "nobody"], /--remote: no receiver "nobody"/],
    [
      ["acquire", "--remote", "industrial-pc"],
      /receiver "industrial-pc" is not reached over RoCEv2/,
    ],
  ])("%j fails with one line", async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split("\n")).toHaveLength(1);
  });
});
