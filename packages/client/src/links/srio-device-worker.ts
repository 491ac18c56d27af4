/**
 * The emulated device of {@link openEmulatedSrioLink}, run in a worker thread: the RASHPA
 * controller emulator behind a PCIe switch, and the PCIe–SRIO bridge emulator with its SRIO
 * switch and processing nodes, all in the controller's simulator. A receiver reached over SRIO
 * is a switch port whose memory hands every write to the bridge ({@link PcieSrioBridge.postedWrite}):
 * the bytes travel as SWRITEs (RapidIO 4.1 Part 1 §3.5) through the bridge's datapath, its SRIO
 * link (link-level protocol, Part 6 §6.8), the switch and the node's link, and land in the
 * node's memory — the host's `SharedArrayBuffer` — when the node receives them. When the event
 * ring is in a node, each record's MSI goes to it as a DOORBELL after the record
 * ({@link PcieSrioBridge.postedDoorbell}). An event record's interrupt is posted once every SRIO
 * packet issued before it (its DOORBELL included) has landed in its node (so the record, and
 * the frame it names, are in memory when the host reads them), at that time.
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import {
  BRIDGE_2017_GEN2X4_SRIO5G,
  HostMemory,
  LINKTYPE_SRIO,
  PcapFileWriter,
  PcieSrioBridge,
  PcieSwitch,
  ProcessingNode,
  RashpaController,
  Simulator,
  SrioSwitch,
  bridgeTiming,
} from "@rashpa/emulator";
import { serveDevice } from "./device-server.js";
import type { SrioDeviceInit, SrioReceiverInit } from "./srio-protocol.js";

const init = workerData as SrioDeviceInit;
const port = parentPort!;

const sim = new Simulator();
const parameters = BRIDGE_2017_GEN2X4_SRIO5G.parameters;
const timing = bridgeTiming(parameters);
const capture =
  init.capture === undefined
    ? undefined
    : new PcapFileWriter(init.capture, { linkType: LINKTYPE_SRIO });
const network = new SrioSwitch(sim, {
  deviceId: init.switchId,
  link: { bitsPerSecond: timing.srioBitsPerSecond, controlSymbol: parameters.srioControlSymbol },
  latencyPs: timing.switchLatencyPs,
  speed: init.speed,
});

/** Per node (by device ID): SRIO packets handed to the bridge, and those landed in the node. */
const issued = new Map<number, number>();
const landed = new Map<number, number>();
/**
 * MSIs waiting for the packets issued before their record to land (each node receives its
 * packets in order: one flow, Part 6 §6.11 rule 1).
 */
const held: { slot: number; at: number; fence: ReadonlyMap<number, number> }[] = [];

function settle(): void {
  while (held.length > 0) {
    const h = held[0]!;
    for (const [id, n] of h.fence) if (landed.get(id)! < n) return;
    held.shift();
    serving.interrupt(h.slot, Math.max(h.at, sim.now()));
  }
}

/** A processing node whose memory is the receiver arena; counts the packets it receives. */
class ReceiverNode extends ProcessingNode {
  override receive(bytes: Uint8Array): void {
    super.receive(bytes);
    landed.set(this.deviceId, landed.get(this.deviceId)! + 1);
    settle();
  }
}

for (const r of init.srio) {
  issued.set(r.destinationId, 0);
  landed.set(r.destinationId, 0);
  network.attachNode(
    new ReceiverNode(sim, {
      deviceId: r.destinationId,
      memoryBytes: r.buffer.byteLength,
      buffer: r.buffer,
      responseLatencyPs: timing.nodeLatencyPs,
    }),
  );
}
const bridge = new PcieSrioBridge(sim, {
  parameters,
  network,
  deviceId: init.bridgeId,
  speed: init.speed,
  // The bridge's RIFFA buffers are not used: the controller's writes arrive as posted writes.
  hostMemory: new HostMemory("bridge-host", 0x8000_0000n, 64 * 1024),
  ...(capture === undefined ? {} : { pcap: capture }),
});

/**
 * The window of a receiver behind the bridge: a posted write into it goes to the node at the
 * same offset (SRIO address = bus address − window base).
 */
class BridgedMemory extends HostMemory {
  readonly #r: SrioReceiverInit;

  constructor(r: SrioReceiverInit) {
    super(r.name, r.base, r.buffer);
    this.#r = r;
  }

  override write(address: bigint, data: Uint8Array): void {
    const offset = this.offsetOf(address, data.length);
    // The controller reuses its buffers: the bridge keeps its own copy until the bytes are sent.
    const id = this.#r.destinationId;
    issued.set(
      id,
      issued.get(id)! +
        bridge.postedWrite({
          destId: id,
          dev16: this.#r.dev16,
          address: BigInt(offset),
          data: data.slice(),
        }),
    );
  }
}

/**
 * The posted flow-control credits the bridge's PCIe endpoint advertises: 127 header and 2047
 * data credits (fitting the 8-bit HdrFC and 12-bit DataFC fields of InitFC/UpdateFC, pcie.md
 * §5), each returned as its TLP is received, so they never hold the controller back. With
 * credits the controller moves its data transfer by transfer on both speeds, each transfer's
 * bytes reaching the bridge as the transfer starts (without, the fast path would hand over a
 * whole run of transfers when the run ends), so both speeds give the same SRIO times.
 */
const BRIDGE_POSTED_CREDITS = { header: 127, data: 2047, returnLatencyPs: 0 } as const;

const memories: HostMemory[] = [
  ...init.pcie.map((r) => new HostMemory(r.name, r.base, r.buffer)),
  ...init.srio.map((r) => new BridgedMemory(r)),
];
const controller = new RashpaController({
  pcieSwitch: new PcieSwitch(memories.map((m) => ({ name: m.name, memory: m }))),
  link: init.link,
  speed: init.speed,
  simulator: sim,
  credits: BRIDGE_POSTED_CREDITS,
});
// DOORBELLs may wait behind a long queue of posted writes (the bridge is slower than the
// controller's link): no response timeout.
bridge.regs.errors.timeout.writeFields({ cycles: 0 });
const eventsNode = init.srio.find((r) => r.destinationId === init.eventsNode);
controller.onNotification((n) => {
  if (eventsNode !== undefined) {
    // The record's MSI, written into the bridge's doorbell window, goes on as a DOORBELL in
    // the flow of the writes (srio.md §6): the interrupt is its arrival at the node.
    const id = eventsNode.destinationId;
    if (bridge.postedDoorbell({ destId: id, dev16: eventsNode.dev16, info: n.slot & 0xffff }))
      issued.set(id, issued.get(id)! + 1);
  }
  held.push({ slot: n.slot, at: n.at, fence: new Map(issued) });
  settle();
});

const serving = serveDevice({
  port,
  sim,
  registers: controller.registers,
  slicePs: init.slicePs,
  onClose: () => capture?.close(),
});
