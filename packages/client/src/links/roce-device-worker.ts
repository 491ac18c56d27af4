/**
 * The emulated RoCEv2 device of {@link openEmulatedRoceLink}, run in a worker thread: the
 * RASHPA controller emulator (`@rashpa/emulator`, with its PCIe timing model) whose switch
 * ports are RDMA NIC memories ({@link RdmaNicMemory}): every memory write the controller makes
 * becomes an RDMA WRITE on a reliable connection to its receiver (`RcSender` of
 * `@rashpa/roce`, one queue pair per receiver, docs/reference/roce.md §3–§4) sent on a real UDP
 * socket. An event-record write goes as RDMA WRITE with Immediate, immediate = its ring slot:
 * the receiver's completion is the interrupt. Register accesses arrive as messages, as on the
 * PCIe link, and the simulation runs in slices of simulated time between them.
 *
 * Ordering: a reliable connection delivers its writes in order, so a frame and the records
 * after it on the same receiver stay in order. Across receivers (a region of interest written
 * to one receiver, its record to another) an event record waits, like a fenced work request,
 * until every write posted earlier on the other connections is acknowledged — `RcReceiver`
 * acknowledges a packet only after writing its payload, and an ACK covers every packet up to
 * its PSN (docs/reference/roce.md §4) — so a record never arrives before the frame it
 * announces.
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { ATU_ENTRY_BYTES, EVENT_BYTES, decodeAtuEntry } from "@rashpa/descriptors";
import { HostMemory, PcieSwitch, RashpaController } from "@rashpa/emulator";
import { RcSender, UdpTransport, rocePath } from "@rashpa/roce";
import { serveDevice } from "./device-server.js";
import type {
  RoceConnectionInit,
  RoceDeviceInit,
  RoceDeviceReply,
  RoceDeviceRequest,
} from "./roce-protocol.js";

const init = workerData as RoceDeviceInit;
const port = parentPort!;
const post = (m: RoceDeviceReply): void => port.postMessage(m);

/** A write waiting to be posted on its connection. */
interface QueuedWrite {
  readonly address: bigint;
  readonly data: Uint8Array;
  /** The ring slot, for an event record (RDMA WRITE with Immediate). */
  readonly immediate: number | undefined;
  /** For a record: writes posted on each connection before it, to be acknowledged first. */
  readonly fence: readonly number[] | undefined;
}

/** One reliable connection: the requester and the writes not yet posted on it. */
interface Connection {
  readonly init: RoceConnectionInit;
  readonly sender: RcSender;
  /** The local UDP port of its socket. */
  readonly port: number;
  readonly queue: QueuedWrite[];
  posted: number;
  completed: number;
}

const connections: Connection[] = [];
let failed = false;

/**
 * A receiver's memory reached through an RDMA NIC: the switch routes by its window (`base`,
 * the arena's size), and {@link RdmaNicMemory.write} sends each write as an RDMA WRITE to
 * VA = bus address, R_Key = the receiver's. The local bytes are only the window's extent: the
 * data lives in the receiver.
 */
class RdmaNicMemory extends HostMemory {
  readonly #connection: Connection;

  constructor(connection: Connection) {
    super(connection.init.name, connection.init.base, connection.init.size);
    this.#connection = connection;
  }

  /** Posts `data` (copied: the controller reuses its buffers) as an RDMA WRITE to `address`. */
  override write(address: bigint, data: Uint8Array): void {
    this.offsetOf(address, data.length); // the bounds check of a memory write
    const slot = recordSlot(address, data.length);
    const c = this.#connection;
    c.queue.push({
      address,
      data: data.slice(),
      immediate: slot,
      fence: slot === undefined ? undefined : connections.map((d) => d.posted + d.queue.length),
    });
    pumpConnection(c);
  }
}

/**
 * The ring slot when `[address, address + length)` is one record of the event ring
 * (`event.ring`: ATU entry and size in records, specs/rashpa/controller.yaml), else undefined.
 */
function recordSlot(address: bigint, length: number): number | undefined {
  if (length !== EVENT_BYTES) return undefined;
  const ring = controller.hw.event.ring.readFields();
  const atu = controller.registers.memory("atu.entries");
  const at = ring.atuIndex * ATU_ENTRY_BYTES;
  if (at + ATU_ENTRY_BYTES > atu.length) return undefined;
  const entry = decodeAtuEntry(atu, at);
  const offset = address - entry.address;
  if (offset < 0n || offset >= BigInt(ring.size * EVENT_BYTES)) return undefined;
  if (offset % BigInt(EVENT_BYTES) !== 0n) return undefined;
  return Number(offset) / EVENT_BYTES;
}

/** Posts the queued writes of `c` whose fence is passed. */
function pumpConnection(c: Connection): void {
  while (c.queue.length > 0 && !failed) {
    const w = c.queue[0]!;
    if (w.fence !== undefined && connections.some((d, i) => d !== c && d.completed < w.fence![i]!))
      return;
    c.queue.shift();
    c.posted++;
    c.sender
      .postWrite({
        va: w.address,
        rKey: c.init.rkey,
        data: w.data,
        immediate: w.immediate,
      })
      .then(
        () => {
          c.completed++;
          for (const d of connections) pumpConnection(d);
          serving.wake(); // an idle report may be due
        },
        (e: unknown) => {
          if (failed) return;
          failed = true;
          post({
            kind: "fault",
            message: `${c.init.name}: ${e instanceof Error ? e.message : String(e)}`,
          });
        },
      );
  }
}

for (const c of init.connections) {
  const transport = await UdpTransport.open({
    address: init.deviceIp,
    remote: { address: c.ip, port: c.remotePort },
  });
  connections.push({
    init: c,
    sender: new RcSender({
      transport,
      path: rocePath({ source: init.deviceIp, destination: c.ip, sourcePort: c.sourcePort }),
      localQp: c.deviceQpn,
      remoteQp: c.qpn,
      pmtu: init.pmtu,
      window: init.window,
      timeoutMs: init.timeoutMs,
      retryLimit: init.retryLimit,
    }),
    port: transport.port,
    queue: [],
    posted: 0,
    completed: 0,
  });
}

const memories = connections.map((c) => new RdmaNicMemory(c));
const controller = new RashpaController({
  pcieSwitch: new PcieSwitch(memories.map((m) => ({ name: m.name, memory: m }))),
  link: init.link,
  speed: init.speed,
});

/** Posts the requesters' counters. */
function postStats(): void {
  post({
    kind: "sender-stats",
    id: undefined,
    stats: connections.map((c) => ({ ...c.sender.stats })),
  });
}

const serving = serveDevice<RoceDeviceRequest>({
  port,
  sim: controller.sim,
  registers: controller.registers,
  slicePs: init.slicePs,
  // Idle once the simulation is quiet and every write is acknowledged.
  busy: () => connections.some((c) => c.queue.length > 0 || c.completed < c.posted),
  beforeIdle: postStats,
  onClose: postStats,
  extra: (m) => {
    if (m.op !== "stats") return false;
    postStats();
    post({ kind: "value", id: m.id, value: 0 });
    return true;
  },
});

post({ kind: "ready", ports: connections.map((c) => c.port) });
