/**
 * A whole emulated acceleration network (host + bridge + switch + processing nodes, SYSTEM.md §2
 * "Topology") and the throughput-versus-transfer-length curve of SWRITE streams, measured in
 * simulated time on the emulator itself (SYSTEM.md §2 "Results").
 *
 * @module
 */
import { encodeInstruction } from "@rashpa/descriptors";
import { HostMemory } from "../host-memory.js";
import type { PcapWriter } from "../pcap.js";
import { Simulator } from "../sim/simulator.js";
import { PcieSrioBridge } from "./bridge.js";
import type { BridgeCompletion } from "./bridge.js";
import { ProcessingNode, SrioSwitch } from "./network.js";
import { BRIDGE_2017_GEN2X4_SRIO5G, bridgeTiming } from "./parameters.js";
import type { BridgeParameters } from "./parameters.js";

/** Options of {@link createBridgeSystem}. */
export interface BridgeSystemOptions {
  /** Physical parameters. @defaultValue `BRIDGE_2017_GEN2X4_SRIO5G.parameters` */
  readonly parameters?: BridgeParameters;
  /** Device IDs of the processing nodes. @defaultValue [1, 2, 3] */
  readonly nodeIds?: readonly number[];
  /** Memory per node in bytes. @defaultValue 1 MiB */
  readonly nodeMemoryBytes?: number;
  /** The bridge's device ID. @defaultValue 0x10 */
  readonly bridgeId?: number;
  /** The switch's device ID. @defaultValue 0xfe */
  readonly switchId?: number;
  /** Capture of the bridge port's packets. */
  readonly pcap?: PcapWriter;
  /** `"fast"` (default) or `"wire"`: the bridge's PCIe TLPs and every link's control symbols materialised. */
  readonly speed?: "fast" | "wire";
  /** Host memory (RIFFA send and receive buffers, half each). @defaultValue 2 MiB at `hostBase` */
  readonly hostMemoryBytes?: number;
  /** Physical address of the host memory. @defaultValue 0x8000_0000 */
  readonly hostBase?: bigint;
  /** Wire path: pcap (LINKTYPE_USER0) of the bridge's TLPs. */
  readonly tlpCapture?: PcapWriter;
}

/** A simulator with a bridge, a switch and processing nodes. */
export interface BridgeSystem {
  /** The simulator. */
  readonly sim: Simulator;
  /** The bridge. */
  readonly bridge: PcieSrioBridge;
  /** The switch. */
  readonly network: SrioSwitch;
  /** The nodes by device ID. */
  readonly nodes: ReadonlyMap<number, ProcessingNode>;
}

/** Builds a {@link BridgeSystem}: every node and the bridge on one switch. */
export function createBridgeSystem(options: BridgeSystemOptions = {}): BridgeSystem {
  const parameters = options.parameters ?? BRIDGE_2017_GEN2X4_SRIO5G.parameters;
  const t = bridgeTiming(parameters);
  const sim = new Simulator();
  const network = new SrioSwitch(sim, {
    deviceId: options.switchId ?? 0xfe,
    link: { bitsPerSecond: t.srioBitsPerSecond, controlSymbol: parameters.srioControlSymbol },
    latencyPs: t.switchLatencyPs,
    speed: options.speed ?? "fast",
  });
  const nodes = new Map<number, ProcessingNode>();
  for (const id of options.nodeIds ?? [1, 2, 3]) {
    const node = new ProcessingNode(sim, {
      deviceId: id,
      memoryBytes: options.nodeMemoryBytes ?? 1 << 20,
      responseLatencyPs: t.nodeLatencyPs,
    });
    network.attachNode(node);
    nodes.set(id, node);
  }
  const bridge = new PcieSrioBridge(sim, {
    parameters,
    network,
    deviceId: options.bridgeId ?? 0x10,
    speed: options.speed ?? "fast",
    hostMemory: new HostMemory(
      "host",
      options.hostBase ?? 0x8000_0000n,
      options.hostMemoryBytes ?? 2 << 20,
    ),
    ...(options.pcap === undefined ? {} : { pcap: options.pcap }),
    ...(options.tlpCapture === undefined ? {} : { tlpCapture: options.tlpCapture }),
  });
  return { sim, bridge, network, nodes };
}

/** One point of {@link bridgeThroughputCurve}. */
export interface BridgeCurvePoint {
  /** Transfer length in bytes. */
  readonly bytes: number;
  /** Stream write (host → node, "down"): MB/s (10^6 B/s), from submission to completion. */
  readonly downMBps: number;
  /** Stream read (node → host, "up"): MB/s. */
  readonly upMBps: number;
}

/** The transfer lengths of the default curve: 1 kB … 16 MB, powers of two. */
export const BRIDGE_CURVE_LENGTHS: readonly number[] = Array.from(
  { length: 15 },
  (_, i) => 1024 << i,
);

function run(sys: BridgeSystem, word: Uint8Array, data?: Uint8Array): BridgeCompletion {
  const before = sys.bridge.completions.length;
  sys.bridge.submit(word, data);
  sys.sim.run();
  const c = sys.bridge.completions[before];
  if (c?.status !== "done") throw c?.error ?? new Error("no completion");
  return c;
}

/**
 * Throughput of one stream write and one stream read of each length through the emulator
 * (host → bridge → switch → node 1 and back), each on a fresh system, as the host sees it: bytes
 * over the time from submitting the instruction to its completion.
 */
export function bridgeThroughputCurve(
  lengths: readonly number[] = BRIDGE_CURVE_LENGTHS,
  parameters: BridgeParameters = BRIDGE_2017_GEN2X4_SRIO5G.parameters,
): BridgeCurvePoint[] {
  const max = Math.max(...lengths);
  return lengths.map((bytes) => {
    const common = { priority: 0, dev16: false, destId: 1, address: 0n, length: bytes } as const;
    // Host memory: send and receive buffers of the largest transfer and its instruction word.
    const sized = {
      parameters,
      nodeIds: [1],
      nodeMemoryBytes: max,
      hostMemoryBytes: 2 * (max + 64),
    };
    const down = createBridgeSystem(sized);
    const w = run(
      down,
      encodeInstruction({ ...common, opcode: "stream-write", operands: "stream", tag: 1 }),
      new Uint8Array(bytes),
    );
    const up = createBridgeSystem(sized);
    const r = run(
      up,
      encodeInstruction({ ...common, opcode: "stream-read", operands: "stream", tag: 2 }),
    );
    const mbps = (c: BridgeCompletion): number => (bytes * 1e6) / (c.completedAt - c.submittedAt);
    return { bytes, downMBps: mbps(w), upMBps: mbps(r) };
  });
}

/** The curve as a text table (bytes, down MB/s, up MB/s). */
export function formatBridgeCurve(points: readonly BridgeCurvePoint[]): string {
  const rows = points.map(
    (p) =>
      `${String(p.bytes).padStart(9)}  ${p.downMBps.toFixed(1).padStart(7)}  ${p.upMBps.toFixed(1).padStart(7)}`,
  );
  return ["    bytes  down MB/s  up MB/s", ...rows].join("\n");
}
