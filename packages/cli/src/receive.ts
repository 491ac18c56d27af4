/**
 * `rashpa receive <config> --receiver NAME --manager HOST:PORT`: a data receiver in a process
 * of its own (docs/system.md, "RASHPA": data receivers beside the system manager) — the
 * receiver's RoCEv2 responder on its configured IP address, with its own memory arena, and a
 * control connection to the system manager (`rashpa acquire <config> --remote NAME`), which
 * announces each frame once it is in place; every frame is checked bit-exactly against the
 * generator and released.
 *
 * Options: `--frames N` (as given to the manager), `--json`.
 *
 * Wall-clock figures count from the first frame. JSON shape (stable): `{ receiver, frames, bytes, wallSeconds, wallGbps, verified,
 * channels: [{ name, frames, bad }], responder: { packets, bytes, completions, badPackets } }`.
 *
 * @module
 */
import { RemoteReceiverError, openRemoteReceiver } from "@rashpa/client";
import { frameChecker, loadAcquisitionConfig } from "./acquire.js";
import { CliError, type CliIo } from "./cli.js";
import { framesOption, hostPortOption, walkOptions } from "./options.js";

/**
 * Runs `rashpa receive`.
 *
 * @param argv - the arguments after `receive`
 * @param io - where to write
 * @throws CliError for bad arguments, an unreachable manager, or a frame that is not intact
 */
export async function receiveCommand(argv: readonly string[], io: CliIo): Promise<void> {
  let file: string | undefined;
  let receiver: string | undefined;
  let manager: { host: string; port: number } | undefined;
  let frames: number | undefined;
  let json = false;
  walkOptions(argv, (a, value) => {
    switch (a) {
      case "--receiver":
        receiver = value();
        break;
      case "--manager":
        manager = hostPortOption("--manager", value());
        break;
      case "--frames":
        frames = framesOption(value(), 1_000_000);
        break;
      case "--json":
        json = true;
        break;
      default:
        if (a.startsWith("--") || file !== undefined)
          throw new CliError(`receive: unexpected argument "${a}" (see rashpa help)`);
        file = a;
    }
  });
  if (receiver === undefined) throw new CliError("receive: --receiver NAME is required");
  if (manager === undefined) throw new CliError("receive: --manager HOST:PORT is required");
  const config = loadAcquisitionConfig("receive", file, frames);
  const check = frameChecker(config);
  let rx;
  try {
    rx = await openRemoteReceiver({ config, receiver, manager });
  } catch (e) {
    throw e instanceof RemoteReceiverError ? new CliError(`receive: ${e.message}`) : e;
  }
  const perChannel = new Map<string, { frames: number; bad: number }>();
  let bytes = 0;
  let count = 0;
  // Wall-clock throughput from the first frame (the manager may start later than this process).
  let started: number | undefined;
  try {
    for await (const f of rx) {
      started ??= performance.now();
      const row = perChannel.get(f.name) ?? { frames: 0, bad: 0 };
      perChannel.set(f.name, row);
      row.frames++;
      count++;
      if (f.status !== 0 || !check(f.name, f.frame, f.bytes)) row.bad++;
      else bytes += f.bytes.length;
    }
  } catch (e) {
    throw e instanceof RemoteReceiverError ? new CliError(`receive: ${e.message}`) : e;
  } finally {
    await rx.close();
  }
  const wall = started === undefined ? 0 : (performance.now() - started) / 1000;
  const channels = [...perChannel].map(([name, r]) => ({ name, ...r }));
  const verified = channels.every((c) => c.bad === 0);
  const s = rx.stats();
  const responder = {
    packets: s.packets,
    bytes: s.bytes,
    completions: s.completions,
    badPackets: s.badPackets,
  };
  const wallGbps = wall > 0 ? (bytes * 8) / wall / 1e9 : 0;
  if (json)
    io.stdout(
      `${JSON.stringify({ receiver, frames: count, bytes, wallSeconds: wall, wallGbps, verified, channels, responder }, null, 2)}\n`,
    );
  else
    io.stdout(
      [
        `rashpa receive: ${receiver}: ${count} frames, ${(bytes / 1e6).toFixed(2)} MB in ${wall.toFixed(2)} s (${wallGbps.toFixed(2)} Gb/s wall), RDMA packets ${responder.packets} (bad ${responder.badPackets})`,
        ...channels.map((c) => `  ${c.name}: ${c.frames} frames, ${c.bad} not intact`),
        `every frame verified bit-exactly: ${verified ? "yes" : "NO"}`,
      ].join("\n") + "\n",
    );
  if (!verified) throw new CliError("receive: some frames did not arrive intact");
}
