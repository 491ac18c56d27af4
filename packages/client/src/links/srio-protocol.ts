/**
 * What {@link openEmulatedSrioLink} builds its device worker with (the messages are those of the
 * PCIe link, `pcie-protocol.ts`).
 *
 * @module
 */

/** A receiver reached over PCIe: a switch port over the host's shared memory. */
export interface PcieReceiverInit {
  /** Receiver name. */
  readonly name: string;
  /** Bus address of the arena. */
  readonly base: bigint;
  /** The arena. */
  readonly buffer: SharedArrayBuffer;
}

/** A receiver reached through the PCIe–SRIO bridge: an SRIO processing node over the host's shared memory. */
export interface SrioReceiverInit extends PcieReceiverInit {
  /** The node's device ID (the packets' destinationID). */
  readonly destinationId: number;
  /** 16-bit device IDs (transport type dev16). */
  readonly dev16: boolean;
}

/** What the worker is built with. */
export interface SrioDeviceInit {
  /** Receivers on the controller's PCIe switch. */
  readonly pcie: readonly PcieReceiverInit[];
  /** Receivers behind the bridge. */
  readonly srio: readonly SrioReceiverInit[];
  /** The controller's PCIe link, e.g. `gen2x4`. */
  readonly link: string;
  /** Emulator speed. */
  readonly speed: "fast" | "wire";
  /** Simulated time run between two looks at the message queue, ps. */
  readonly slicePs: number;
  /** The bridge's SRIO device ID. */
  readonly bridgeId: number;
  /** The SRIO switch's device ID. */
  readonly switchId: number;
  /**
   * Device ID of the node holding the event ring, when it is behind the bridge: each record
   * is followed by a DOORBELL to it.
   */
  readonly eventsNode?: number;
  /** File receiving the pcap (LINKTYPE_SRIO) of the bridge port's packets, if any. */
  readonly capture?: string;
}
