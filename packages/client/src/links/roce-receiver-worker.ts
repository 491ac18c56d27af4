/**
 * The receivers of {@link openEmulatedRoceLink} in a thread of their own (`receivers:
 * "worker"`): the responders of `roce-responders.ts` on their own UDP sockets, writing into
 * the shared receiver arenas; each completion's interrupt is posted to the opening thread,
 * after the payloads it announces are in the shared memory.
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { openResponders, type RespondersInit } from "./roce-responders.js";
import type { ReceiverReply, ReceiverRequest } from "./roce-protocol.js";

const port = parentPort!;
const post = (m: ReceiverReply): void => port.postMessage(m);
const responders = await openResponders(workerData as RespondersInit, (irq) =>
  post({ kind: "interrupt", slot: irq.slot, atPs: irq.atPs }),
);

port.on("message", (m: ReceiverRequest) => {
  if (m.op === "connect")
    void responders.connect(m.remotes).then(
      () => post({ kind: "connected" }),
      (e: unknown) => post({ kind: "fault", message: e instanceof Error ? e.message : String(e) }),
    );
  else if (m.op === "stats") post({ kind: "stats", id: m.id, stats: responders.stats() });
  else
    void responders
      .close()
      .then(() => post({ kind: "closed", stats: responders.stats(), capture: responders.capture }));
});

post({ kind: "ready", ports: responders.ports });
