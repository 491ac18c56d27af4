/**
 * `npm run bench` (after the emulator): RoCEv2 RDMA WRITE over UDP sockets on loopback with
 * `@rashpa/roce` — an `RcSender` posting 64 KiB writes to an `RcReceiver` that checks each ICRC
 * and PSN and writes the payload into its memory region, ACKs coming back — against plain Node
 * `dgram` send/receive of datagrams of the same size (copied into a buffer on arrival, with the
 * same window of datagrams in flight and a count sent back every 32 datagrams), side by side in
 * interleaved rounds in one process. Goal: RoCE payload rate at least 0.5× the plain rate.
 *
 * @module
 */
import { createSocket } from "node:dgram";
import type { Socket } from "node:dgram";
import { RcReceiver, RcSender, UdpTransport, rocePath } from "@rashpa/roce";
import type { Pmtu } from "@rashpa/roce";

const TOTAL_BYTES = 32 << 20;
const WRITE_BYTES = 64 << 10;
const WINDOW = 128;
/** AckReq every 32 packets, as often as the plain receiver reports its count. */
const ACK_EVERY = 32;
const ROUNDS = 7;
/** Packets the RoCE runs sent again, and datagrams the plain runs lost, over the timed rounds. */
let resent = 0;
let lost = 0;
const path = rocePath({ source: "127.0.0.1", destination: "127.0.0.1", sourcePort: 49300 });

/** One RoCE run: bytes per second of payload, after checking the region holds every write. */
async function roceRun(pmtu: Pmtu, verify: boolean): Promise<number> {
  const rx = await UdpTransport.open();
  const tx = await UdpTransport.open({ remote: { address: "127.0.0.1", port: rx.port } });
  await rx.connect("127.0.0.1", tx.port);
  const region = { va: 0n, rKey: 1, bytes: new Uint8Array(TOTAL_BYTES) };
  let completions = 0;
  const receiver = new RcReceiver({
    transport: rx,
    path,
    localQp: 2,
    remoteQp: 1,
    pmtu,
    regions: [region],
    onCompletion: () => completions++,
  });
  const sender = new RcSender({
    transport: tx,
    path,
    localQp: 1,
    remoteQp: 2,
    pmtu,
    window: WINDOW,
    ackEvery: ACK_EVERY,
    timeoutMs: 20,
    retryLimit: 1000,
  });
  const data = new Uint8Array(WRITE_BYTES).map((_, i) => (i * 7) & 0xff);
  const writes = TOTAL_BYTES / WRITE_BYTES;
  const start = process.hrtime.bigint();
  const done: Promise<unknown>[] = [];
  for (let n = 0; n < writes; n++)
    done.push(sender.postWrite({ va: BigInt(n * WRITE_BYTES), rKey: 1, data, immediate: n }));
  await Promise.all(done);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (verify) {
    if (completions !== writes)
      throw new Error(`expected ${writes} completions, got ${completions}`);
    console.log(
      `  (PMTU ${pmtu} check run: ${sender.stats.packets} packets, ${sender.stats.retransmitted} resent, ${receiver.stats.acks} ACKs, ${receiver.stats.naks} NAKs)`,
    );
    for (let n = 0; n < writes; n++)
      if (
        Buffer.compare(
          Buffer.from(region.bytes.subarray(n * WRITE_BYTES, (n + 1) * WRITE_BYTES)),
          Buffer.from(data),
        ) !== 0
      )
        throw new Error(`write ${n} is not in the region`);
  }
  resent += sender.stats.retransmitted;
  await sender.close();
  await receiver.close();
  return TOTAL_BYTES / seconds;
}

async function socket(): Promise<Socket> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", () => resolve()));
  s.setRecvBufferSize(4 << 20);
  s.setSendBufferSize(4 << 20);
  return s;
}

/**
 * One plain run: datagrams of `datagramBytes` (payload `payloadBytes` of them counted), the
 * receiver copying each into a buffer and sending its count back every 32 datagrams (and when
 * idle for 2 ms, so that a lost datagram cannot stall the window).
 */
async function plainRun(datagramBytes: number, payloadBytes: number): Promise<number> {
  const rx = await socket();
  const tx = await socket();
  await new Promise<void>((resolve) => tx.connect(rx.address().port, "127.0.0.1", () => resolve()));
  await new Promise<void>((resolve) => rx.connect(tx.address().port, "127.0.0.1", () => resolve()));
  const count = TOTAL_BYTES / payloadBytes;
  const sink = new Uint8Array(TOTAL_BYTES + datagramBytes);
  const datagram = Buffer.alloc(datagramBytes, 0x5a);
  let received = 0;
  let reported = 0;
  const report = (): void => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(received);
    rx.send(b);
    reported = received;
  };
  const idle = setInterval(() => {
    if (received !== reported) report();
  }, 2);
  let sent = 0;
  let acked = 0;
  const start = process.hrtime.bigint();
  const seconds = await new Promise<number>((resolve) => {
    const pump = (): void => {
      while (sent < count && sent - acked < WINDOW) {
        tx.send(datagram);
        sent++;
      }
    };
    rx.on("message", (msg: Buffer) => {
      sink.set(msg, (received % count) * payloadBytes);
      received++;
      if (received % ACK_EVERY === 0 || received === count) report();
      if (received === count) resolve(Number(process.hrtime.bigint() - start) / 1e9);
    });
    tx.on("message", (msg: Buffer) => {
      acked = msg.readUInt32BE(0);
      // datagrams lost on the way (plain UDP does not resend them): the run ends 50 ms after
      // the last count that falls short, and only what arrived is counted
      if (acked < sent && sent === count) {
        const late = setTimeout(() => resolve(Number(process.hrtime.bigint() - start) / 1e9), 50);
        late.unref();
      }
      pump();
    });
    pump();
  });
  clearInterval(idle);
  lost += count - received;
  await Promise.all([rx, tx].map((s) => new Promise<void>((r) => s.close(() => r()))));
  return (received * payloadBytes) / seconds;
}

const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  console.log(
    `roce: RDMA WRITE over UDP loopback (${TOTAL_BYTES >> 20} MiB per run in ${WRITE_BYTES >> 10} KiB writes, window ${WINDOW} packets) against plain dgram send/receive of the same datagrams; median of ${ROUNDS} interleaved rounds`,
  );
  for (const pmtu of [4096, 1024] as const) {
    const datagramBytes = 12 + pmtu + 4; // BTH, payload, ICRC (Middle packets)
    await roceRun(pmtu, true); // warm-up, and checks every write arrived
    await plainRun(datagramBytes, pmtu);
    const roce: number[] = [];
    const plain: number[] = [];
    resent = 0;
    lost = 0;
    for (let r = 0; r < ROUNDS; r++) {
      roce.push(await roceRun(pmtu, false));
      plain.push(await plainRun(datagramBytes, pmtu));
    }
    const a = median(roce);
    const b = median(plain);
    console.log(
      `  PMTU ${String(pmtu).padStart(4)} (${datagramBytes}-byte datagrams): roce ${(a / 1e9).toFixed(3)} GB/s of payload, plain dgram ${(b / 1e9).toFixed(3)} GB/s  → ${(a / b).toFixed(2)}× (goal >= 0.5×); ${resent} RoCE packets resent, ${lost} plain datagrams lost`,
    );
  }
}

await main();
