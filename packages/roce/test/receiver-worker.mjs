// A receiver in a worker thread, for src/udp.test.ts: it runs the built package (dist/), opens
// its own UDP socket, writes into the shared memory region it is given and reports each
// completion to the parent.
import { parentPort, workerData } from "node:worker_threads";
import { RcReceiver, UdpTransport, rocePath } from "../dist/index.js";

const { senderPort, path, region, pmtu, startPsn } = workerData;
const transport = await UdpTransport.open();
await transport.connect("127.0.0.1", senderPort);
const receiver = new RcReceiver({
  transport,
  path: rocePath(path),
  localQp: 0x11,
  remoteQp: 0x22,
  pmtu,
  startPsn,
  regions: [{ va: BigInt(region.va), rKey: region.rKey, bytes: new Uint8Array(region.buffer) }],
  onCompletion: (c) =>
    parentPort.postMessage({
      completion: { immediate: c.immediate, length: c.length, va: c.va.toString() },
    }),
});
parentPort.on("message", (m) => {
  if (m === "close")
    void receiver.close().then(() => parentPort.postMessage({ stats: receiver.stats }));
});
parentPort.postMessage({ port: transport.port });
