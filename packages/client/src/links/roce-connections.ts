/**
 * The reliable connection of each receiver reached over RoCEv2, as both ends work it out from
 * the configuration alone — the device's link ({@link openEmulatedRoceLink}) and a receiver in
 * another process (`openRemoteReceiver`) must agree on QPs, R_Key and the UDP source port
 * covered by the ICRC (docs/reference/roce.md §2, §5).
 *
 * @module
 */
import type { AcquisitionConfig } from "../config.js";

/** First UDP source port written in the connections' paths (receiver i: + i). */
export const ROCE_SOURCE_PORT = 49152;
/** Device QP of receiver i's connection: this + i. */
export const ROCE_DEVICE_QPN = 0x100;

/** One receiver's connection parameters. */
export interface RoceConnection {
  /** Index among the configuration's RoCE receivers. */
  readonly index: number;
  /** The receiver's IP address. */
  readonly ip: string;
  /** The receiver's QP. */
  readonly qpn: number;
  /** R_Key of its memory region. */
  readonly rkey: number;
  /** The device's QP of this connection. */
  readonly deviceQpn: number;
  /** UDP source port in the connection's path. */
  readonly sourcePort: number;
}

/**
 * The connection of receiver `name`, or undefined when it is not reached over RoCE.
 *
 * @param config - the acquisition configuration
 * @param name - a receiver name
 * @returns its connection parameters
 */
export function roceConnectionOf(
  config: AcquisitionConfig,
  name: string,
): RoceConnection | undefined {
  const roce = config.receivers.filter((r) => r.link.kind === "roce");
  const index = roce.findIndex((r) => r.name === name);
  if (index < 0) return undefined;
  const link = roce[index]!.link as { kind: "roce"; ip: string; qpn: number; rkey?: number };
  return {
    index,
    ip: link.ip,
    qpn: link.qpn,
    rkey: link.rkey ?? 0,
    deviceQpn: ROCE_DEVICE_QPN + index,
    sourcePort: ROCE_SOURCE_PORT + index,
  };
}
