/**
 * Messages between {@link openEmulatedRoceLink} and its device worker: register accesses are
 * the PCIe link's ({@link DeviceRequest}, answered by `value` / `error` replies); the worker adds
 * its readiness (the UDP ports of its queue pairs), the requesters' counters, and a fault of a
 * reliable connection. The receiver worker (receivers in a thread of their own) is told where
 * the device's sockets are and posts interrupts, counters and the capture.
 *
 * @module
 */
import type { Pmtu, RcReceiverStats, RcSenderStats, RoceCaptureRecord } from "@rashpa/roce";
import type { DeviceReply, DeviceRequest } from "./pcie-protocol.js";

/** One reliable connection of the device: its requester, the receiver's responder. */
export interface RoceConnectionInit {
  /** Receiver name (the switch port's). */
  readonly name: string;
  /** Bus address of the receiver arena's first byte: the memory region's VA. */
  readonly base: bigint;
  /** Arena size, bytes. */
  readonly size: number;
  /** The receiver's IP address (data-direction destination, covered by the ICRC). */
  readonly ip: string;
  /** Where the device's datagrams go: the receiver's socket, or a relay's front socket. */
  readonly remotePort: number;
  /** The receiver's QP (BTH DestQP of the writes). */
  readonly qpn: number;
  /** The device's QP of this connection (DestQP of the ACKs). */
  readonly deviceQpn: number;
  /** R_Key of the receiver's memory region. */
  readonly rkey: number;
  /** UDP source port written in the ICRC'd header (the connection's path). */
  readonly sourcePort: number;
}

/** What the RoCE device worker is built with. */
export interface RoceDeviceInit {
  /** One connection per receiver, in configuration order. */
  readonly connections: readonly RoceConnectionInit[];
  /** The device's IP address (its sockets bind there). */
  readonly deviceIp: string;
  /** The controller's PCIe link (its timing model), e.g. `gen2x4`. */
  readonly link: string;
  /** Emulator speed. */
  readonly speed: "fast" | "wire";
  /** Simulated time run between two looks at the message queue, ps. */
  readonly slicePs: number;
  /** Path MTU of every connection. */
  readonly pmtu: Pmtu;
  /** Requester window, packets. */
  readonly window: number;
  /** Local ACK timeout, ms. */
  readonly timeoutMs: number;
  /** Retries without progress before a connection fails. */
  readonly retryLimit: number;
}

/** A request to the RoCE device: a register access, or the requesters' counters. */
export type RoceDeviceRequest = DeviceRequest | { readonly op: "stats"; readonly id: number };

/** A message from the RoCE device worker. */
export type RoceDeviceReply =
  | DeviceReply
  | { readonly kind: "ready"; readonly ports: readonly number[] }
  | {
      readonly kind: "sender-stats";
      /** The `stats` request answered, or undefined for a report at idle. */
      readonly id: number | undefined;
      readonly stats: readonly RcSenderStats[];
    }
  | { readonly kind: "fault"; readonly message: string };

/** A request to the receiver worker. */
export type ReceiverRequest =
  | {
      readonly op: "connect";
      readonly remotes: readonly { readonly address: string; readonly port: number }[];
    }
  | { readonly op: "stats"; readonly id: number }
  | { readonly op: "close" };

/** A message from the receiver worker. */
export type ReceiverReply =
  | { readonly kind: "ready"; readonly ports: readonly number[] }
  | { readonly kind: "connected" }
  | { readonly kind: "interrupt"; readonly slot: number; readonly atPs: number }
  | { readonly kind: "stats"; readonly id: number; readonly stats: readonly RcReceiverStats[] }
  | {
      readonly kind: "closed";
      readonly stats: readonly RcReceiverStats[];
      readonly capture: readonly RoceCaptureRecord[] | undefined;
    }
  | { readonly kind: "fault"; readonly message: string };
