/**
 * `rashpa decode|encode srio.packet…` round-trips a packet of every ftype of @rashpa/srio
 * (RapidIO 4.1 Part 1 §4, Part 2 §4, Part 6 §2.3–2.5), for the three address sizes.
 */
import { toHex } from "@rashpa/bits";
import { encodeSrioPacket } from "@rashpa/srio";
import type { AnySrioPacket, SrioAddressSize } from "@rashpa/srio";
import { describe, expect, it } from "vitest";
import { run } from "../test/run-cli.js";

const head = { ackId: 1, vc: 0, crf: 0, prio: 1, destinationId: 0x12, sourceId: 0x34 };
const address = { address: 0x200, wdptr: 0, xamsbs: 0 };
const data = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i * 3);

/** One packet of every ftype and ttype (34-bit addressing). */
const PACKETS: Record<string, unknown>[] = [
  { ...head, tt: "dev8", ftype: "request", ttype: "nread", rdsize: 0b1011, srcTid: 1, ...address },
  { ...head, tt: "dev8", ftype: "request", ttype: "atomic-inc", rdsize: 0b1000, srcTid: 1, ...address },
  { ...head, tt: "dev8", ftype: "request", ttype: "atomic-dec", rdsize: 0b1000, srcTid: 1, ...address },
  { ...head, tt: "dev8", ftype: "request", ttype: "atomic-set", rdsize: 0b1000, srcTid: 1, ...address },
  { ...head, tt: "dev8", ftype: "request", ttype: "atomic-clr", rdsize: 0b1000, srcTid: 1, ...address },
  { ...head, tt: "dev16", ftype: "write", ttype: "nwrite", wrsize: 0b1111, srcTid: 2, ...address, wdptr: 1, payload: data(256) },
  { ...head, tt: "dev16", ftype: "write", ttype: "nwrite-r", wrsize: 0b1011, srcTid: 2, ...address, payload: data(8) },
  { ...head, tt: "dev16", ftype: "write", ttype: "atomic-swap", wrsize: 0b1000, srcTid: 2, ...address, payload: data(8) },
  { ...head, tt: "dev16", ftype: "write", ttype: "atomic-compare-and-swap", wrsize: 0b1011, srcTid: 2, ...address, wdptr: 1, payload: data(16) },
  { ...head, tt: "dev16", ftype: "write", ttype: "atomic-test-and-swap", wrsize: 0b1000, srcTid: 2, ...address, payload: data(8) },
  { ...head, tt: "dev8", ftype: "streaming-write", address: 0x200, xamsbs: 0, payload: data(72) },
  { ...head, tt: "dev16", ftype: "streaming-write", address: 0x200, xamsbs: 0, payload: data(72) },
  { ...head, tt: "dev16", ftype: "maintenance", ttype: "read-request", sizeOrStatus: 0b1000, srcTid: 3, hopCount: 0, configOffset: 0x2b, wdptr: 1 },
  { ...head, tt: "dev16", ftype: "maintenance", ttype: "write-request", sizeOrStatus: 0b1011, srcTid: 3, hopCount: 2, configOffset: 0x0c, wdptr: 0, payload: data(8) },
  { ...head, tt: "dev16", ftype: "maintenance", ttype: "read-response", sizeOrStatus: 0, targetTid: 3, hopCount: 0xff, payload: data(8) },
  { ...head, tt: "dev16", ftype: "maintenance", ttype: "write-response", sizeOrStatus: 7, targetTid: 3, hopCount: 0xff },
  { ...head, tt: "dev8", ftype: "maintenance", ttype: "port-write", sizeOrStatus: 0b1011, hopCount: 0xff, wdptr: 1, payload: data(16) },
  { ...head, tt: "dev32", destinationId: 0x01020304, sourceId: 0x05060708, ftype: "doorbell", srcTid: 4, info: 0xbeef },
  { ...head, tt: "dev8", ftype: "message", msglen: 0, ssize: 0b1001, letter: 1, mbox: 2, msgseg: 3, payload: data(8) },
  { ...head, tt: "dev8", ftype: "response", ttype: "no-data", status: 0, targetTid: 5 },
  { ...head, tt: "dev8", ftype: "response", ttype: "with-data", status: 0, targetTid: 5, payload: data(8) },
  { ...head, tt: "dev8", ftype: "response", ttype: "message-response", status: 3, letter: 1, mbox: 2, msgseg: 3 },
]; // prettier-ignore

function json(value: Record<string, unknown>): string {
  return JSON.stringify(value, (_, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v));
}

describe("rashpa decode / encode of SRIO packets (@rashpa/srio)", () => {
  it("lists the SRIO formats", async () => {
    const r = await run(["formats"]);
    for (const id of ["srio.packet", "srio.packet-50", "srio.packet-66", "srio.stream"])
      expect(r.out).toContain(id);
  });

  for (const p of PACKETS) {
    const what = `${String(p["tt"])} ${String(p["ftype"])} ${(p["ttype"] as string | undefined) ?? ""}`;
    it(`round-trips ${what} through decode and encode srio.packet`, async () => {
      const hex = toHex(encodeSrioPacket(p as unknown as AnySrioPacket));
      const d = await run(["decode", "srio.packet", hex]);
      expect(d.err).toBe("");
      expect(d.code).toBe(0);
      expect(JSON.parse(d.out)).toEqual(JSON.parse(json(p)));
      const e = await run(["encode", "srio.packet", d.out]);
      expect(e.err).toBe("");
      expect(e.out).toBe(`${hex}\n`);
    });
  }

  for (const [size, ext] of [
    [50, 0xabcd],
    [66, 0x89abcdef],
  ] as [SrioAddressSize, number][]) {
    it(`round-trips request, write and SWRITE packets through srio.packet-${size}`, async () => {
      for (const p of PACKETS.filter((q) =>
        ["request", "write", "streaming-write"].includes(q["ftype"] as string),
      )) {
        const value = { ...p, extendedAddress: ext };
        const hex = toHex(
          encodeSrioPacket(value as unknown as AnySrioPacket, { addressSize: size }),
        );
        const d = await run(["decode", `srio.packet-${size}`, hex]);
        expect(d.code).toBe(0);
        expect(JSON.parse(d.out)).toEqual(JSON.parse(json(value)));
        const e = await run(["encode", `srio.packet-${size}`, d.out]);
        expect(e.out).toBe(`${hex}\n`);
      }
    });
  }

  it("reports a bad CRC as one line naming the field and byte", async () => {
    const hex = toHex(encodeSrioPacket(PACKETS[0] as unknown as AnySrioPacket));
    const bad = `${hex.slice(0, -4)}${hex.slice(-4) === "0000" ? "0001" : "0000"}`;
    const r = await run(["decode", "srio.packet", bad]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^rashpa: .*"crc" expected 0x[0-9a-f]{4}, got 0x[0-9a-f]{4} at byte 10\n$/,
    );
  });

  it("refuses to encode a payload that is not whole double-words", async () => {
    const p = { ...PACKETS[10], payload: "00112233" };
    const r = await run(["encode", "srio.packet", JSON.stringify(p)]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/"payload" expected whole double-words/);
  });
});
