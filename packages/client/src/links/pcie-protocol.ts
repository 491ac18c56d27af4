/**
 * Messages between {@link openEmulatedPcieLink} and its device worker.
 *
 * @module
 */

/** What the worker is built with. */
export interface DeviceInit {
  /** The receivers: switch ports over the host's shared memory. */
  readonly receivers: readonly {
    readonly name: string;
    readonly base: bigint;
    readonly buffer: SharedArrayBuffer;
  }[];
  /** The controller's PCIe link, e.g. `gen2x4`. */
  readonly link: string;
  /** Emulator speed. */
  readonly speed: "fast" | "wire";
  /** Simulated time run between two looks at the message queue, ps. */
  readonly slicePs: number;
}

/** A request to the device. */
export type DeviceRequest =
  | { readonly op: "read"; readonly id: number; readonly address: number }
  | {
      /** Posted writes in order: address, value, address, value, … */
      readonly op: "writes";
      readonly id: number;
      readonly list: readonly number[];
    }
  | { readonly op: "close"; readonly id: number };

/** A message from the device. */
export type DeviceReply =
  | { readonly kind: "value"; readonly id: number; readonly value: number }
  | { readonly kind: "error"; readonly id: number; readonly name: string; readonly message: string }
  | {
      /** MSIs in the order raised: event-ring slot and device time of each. */
      readonly kind: "msis";
      readonly slots: readonly number[];
      readonly atPs: readonly number[];
    }
  | { readonly kind: "idle"; readonly atPs: number };
