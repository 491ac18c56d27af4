/**
 * The host side shared by the emulated links: a device worker thread (`*-device-worker.ts`,
 * served by `serveDevice`) reached by messages — register reads answered in order, writes
 * posted — with MSIs and idle reports coming back, over receiver memories held in
 * `SharedArrayBuffer`s the device writes in place.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import type { AsyncBus } from "@rashpa/registers";
import { LinkError, type Link, type LinkIdle, type LinkInterrupt, type LinkKind } from "./link.js";
import type { DeviceReply } from "./pcie-protocol.js";

/** What {@link openDeviceLink} starts. */
export interface DeviceLinkOptions {
  /** The link's kind. */
  readonly kind: LinkKind;
  /** The link's name, for messages. */
  readonly name: string;
  /** The worker module's file name in this directory, e.g. `pcie-device-worker.js`. */
  readonly worker: string;
  /** The worker's `workerData`. */
  readonly init: unknown;
  /** Receiver memories by name (views of the `SharedArrayBuffer`s given in `init`). */
  readonly memories: ReadonlyMap<string, Uint8Array>;
  /**
   * Messages other than answers, MSIs and idle reports (e.g. statistics); returns false when
   * it does not know the message.
   */
  readonly onMessage?: (m: { readonly kind: string }) => boolean;
  /** Waits for the worker's own first message (e.g. its socket ports) before resolving. */
  readonly ready?: (m: { readonly kind: string }) => boolean;
}

/** A {@link Link} over a device worker, with the worker's extra requests. */
export interface DeviceLink extends Link {
  /**
   * Sends a request the worker answers with a value message (`{ kind: "value", id }`) or
   * handles itself; resolves with the value.
   */
  request(m: { readonly op: string } & Record<string, unknown>): Promise<number>;
  /** The worker (for messages of its own). */
  readonly worker: Worker;
  /** Registers a failure of the device: every later access rejects with it. */
  fail(message: string): void;
  /** Delivers an interrupt that arrived another way (e.g. RDMA immediate data). */
  raise(irq: LinkInterrupt): void;
}

/** A worker module: the built file in this directory (tests run from the sources). */
function workerUrl(file: string): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith(".ts")
    ? new URL(`../../dist/links/${file}`, here)
    : new URL(`./${file}`, here);
}

/**
 * Starts a worker module of this directory on the built packages.
 *
 * @param file - e.g. `pcie-device-worker.js`
 * @param workerData - its data
 * @returns the worker
 */
export function startLinkWorker(file: string, workerData: unknown): Worker {
  // Under a test runner that resolves workspace packages to their sources, the worker must
  // not inherit that resolution: it loads the built packages.
  return new Worker(workerUrl(file), {
    workerData,
    execArgv: process.execArgv.filter((a) => !a.startsWith("--conditions") && a !== "-C"),
  });
}

/**
 * Starts a device worker and returns the link to it.
 *
 * @param o - kind, name, worker module, its data, receiver memories, extra messages
 * @returns the link, once the worker runs
 * @throws LinkError when the worker cannot start
 */
export async function openDeviceLink(o: DeviceLinkOptions): Promise<DeviceLink> {
  const name = o.name;
  const worker = startLinkWorker(o.worker, o.init);
  const pending = new Map<number, { resolve: (v: number) => void; reject: (e: Error) => void }>();
  const irqListeners: ((irq: LinkInterrupt) => void)[] = [];
  const idleListeners: ((idle: LinkIdle) => void)[] = [];
  let nextId = 0;
  let closed = false;
  let failure: LinkError | undefined;
  let readyResolve: (() => void) | undefined;

  const fail = (message: string): void => {
    failure ??= new LinkError(name, message);
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  worker.on("message", (m: DeviceReply | { readonly kind: string }) => {
    if (readyResolve !== undefined && o.ready?.(m) === true) {
      readyResolve();
      readyResolve = undefined;
      return;
    }
    const r = m as DeviceReply;
    if (r.kind === "msis")
      for (let i = 0; i < r.slots.length; i++)
        for (const l of [...irqListeners]) l({ slot: r.slots[i]!, atPs: r.atPs[i]! });
    else if (r.kind === "idle") for (const l of [...idleListeners]) l({ atPs: r.atPs });
    else if (r.kind === "value" || r.kind === "error") {
      const p = pending.get(r.id);
      pending.delete(r.id);
      if (r.kind === "value") p?.resolve(r.value);
      else if (p !== undefined) p.reject(new LinkError(name, `${r.name}: ${r.message}`));
      else fail(`a posted write failed: ${r.name}: ${r.message}`);
    } else o.onMessage?.(m);
  });
  worker.on("error", (e) => fail(`device failed: ${e.message}`));
  worker.on("exit", (code) => {
    if (!closed) fail(`device failed: worker exited with code ${code}`);
  });
  await new Promise<void>((resolve, reject) => {
    if (o.ready !== undefined) readyResolve = resolve;
    worker.once("online", () => {
      if (o.ready === undefined) resolve();
    });
    worker.once("error", reject);
  });

  const check = (): LinkError | undefined =>
    closed ? new LinkError(name, "the link is closed") : failure;
  // Posted writes wait for the end of the current turn of the event loop and go as one message
  // (a message per write cost more than the write; a microtask would send one per `await` of
  // a sequence of writes); any request first sends the writes before it.
  const writes: number[] = [];
  const flushWrites = (): void => {
    if (writes.length === 0) return;
    worker.postMessage({ op: "writes", id: nextId++, list: writes.splice(0) });
  };
  const send = (m: Record<string, unknown>): Promise<number> =>
    new Promise((resolve, reject) => {
      flushWrites();
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...m, id });
    });
  const request = (m: Record<string, unknown>): Promise<number> => {
    const e = check();
    return e !== undefined ? Promise.reject(e) : send(m);
  };
  const bus: AsyncBus = {
    read32: (address) => request({ op: "read", address }),
    // Posted, as PCIe memory writes: sent in order and not waited for (a read that follows
    // sees them); a write the device refuses fails the link for every later access.
    write32: (address, value) => {
      const e = check();
      if (e !== undefined) return Promise.reject(e);
      if (writes.length === 0) setImmediate(flushWrites);
      writes.push(address, value >>> 0);
      return Promise.resolve();
    },
  };
  const subscribe = <T>(list: T[], l: T): (() => void) => {
    list.push(l);
    return () => {
      const i = list.indexOf(l);
      if (i >= 0) list.splice(i, 1);
    };
  };
  return {
    kind: o.kind,
    name,
    bus,
    worker,
    request,
    fail,
    raise: (irq) => {
      for (const l of [...irqListeners]) l(irq);
    },
    memory(receiver) {
      const m = o.memories.get(receiver);
      if (m === undefined)
        throw new LinkError(
          name,
          `no receiver "${receiver}" (receivers: ${[...o.memories.keys()].join(", ")})`,
        );
      return m;
    },
    onInterrupt: (l) => subscribe(irqListeners, l),
    onIdle: (l) => subscribe(idleListeners, l),
    async close() {
      if (closed) return;
      // The device finishes what it must (e.g. a capture file) and answers before it goes.
      if (failure === undefined) await send({ op: "close" }).catch(() => 0);
      closed = true;
      for (const p of pending.values()) p.reject(new LinkError(name, "the link is closed"));
      pending.clear();
      await worker.terminate();
    },
  };
}
