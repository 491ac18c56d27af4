/**
 * The device abstraction of librashpa (docs/system.md, "RASHPA": "link-independent device
 * abstraction"): whatever carries the data — PCIe through a switch, SRIO through the bridge,
 * RoCEv2 over Ethernet — the host sees the same three things: the controller's registers, the
 * memory of each receiver, and interrupts (MSI) telling it that event records arrived.
 *
 * @module
 */
import type { AsyncBus } from "@rashpa/registers";

/** Kinds of link (the configuration's `receivers[].link.kind`). */
export type LinkKind = "pcie" | "srio" | "roce";

/** An interrupt from the controller: an event record was written into ring slot `slot`. */
export interface LinkInterrupt {
  /** Ring slot of the record. */
  readonly slot: number;
  /** Simulated (or device) time at which the record reached the receiver, ps. */
  readonly atPs: number;
}

/** State of a link's device, reported when its simulation (or the device) goes quiet. */
export interface LinkIdle {
  /** Device time, ps. */
  readonly atPs: number;
}

/** A link to one RASHPA controller and the receivers it writes to. */
export interface Link {
  /** Which kind of link. */
  readonly kind: LinkKind;
  /** A name for messages (e.g. `emulated-pcie gen2x4`). */
  readonly name: string;
  /** The controller's registers (relative to the controller map's base). */
  readonly bus: AsyncBus;
  /**
   * The memory of receiver `receiver` (its arena: index 0 is the arena's base address). The
   * controller writes frames and event records there; reading it copies nothing.
   *
   * @throws LinkError for a receiver the link does not serve
   */
  memory(receiver: string): Uint8Array;
  /**
   * Subscribes to the controller's interrupts (in order).
   *
   * @returns a function that unsubscribes
   */
  onInterrupt(listener: (irq: LinkInterrupt) => void): () => void;
  /**
   * Subscribes to idle reports: the device has nothing left to do until software acts.
   *
   * @returns a function that unsubscribes
   */
  onIdle(listener: (idle: LinkIdle) => void): () => void;
  /** Closes the link (the device is removed). */
  close(): Promise<void>;
}

/** A link failed: the device did not answer, refused an access, or is closed. */
export class LinkError extends Error {
  /** Always `"LinkError"`. */
  override readonly name = "LinkError";
  /** The link's name. */
  readonly link: string;
  /**
   * @param link - the link's name
   * @param message - what went wrong
   */
  constructor(link: string, message: string) {
    super(`${link}: ${message}`);
    this.link = link;
  }
}
