/**
 * Transaction IDs, response matching and timeouts (Part 1 §3.1, §4.2; Part 2 §4.3; Part 8
 * Table 2-7): examples and a property test against a simulated clock.
 */
import fc from "fast-check";
import { lawSeed } from "@rashpa/laws";
import { describe, expect, it } from "vitest";
import {
  TRANSACTION_STATUS,
  SrioPriorityError,
  SrioTransactionError,
  TransactionTable,
} from "./index.js";
import type {
  SrioRequestInfo,
  SrioResponseInfo,
  SrioTransactionFault,
  TransactionEvent,
} from "./index.js";

const seed = lawSeed();
const runs = Number(process.env["FC_RUNS"] ?? 200);

const LOCAL = 1;
const req = (kind: SrioRequestInfo["kind"], destId = 5, extra: Partial<SrioRequestInfo> = {}) => ({
  kind,
  srcId: LOCAL,
  destId,
  prio: 0,
  ...extra,
});
const resp = (targetTid: number, extra: Partial<SrioResponseInfo> = {}): SrioResponseInfo => ({
  kind: "response",
  srcId: 5,
  destId: LOCAL,
  targetTid,
  status: TRANSACTION_STATUS.DONE,
  prio: 1,
  dataBytes: 0,
  ...extra,
});
const faultOf = (e: TransactionEvent): SrioTransactionFault | undefined => {
  if (e.type !== "fault") return undefined;
  expect(e.error).toBeInstanceOf(SrioTransactionError);
  expect(e.error.name).toBe("SrioTransactionError");
  expect(e.error.message).toMatch(/^"[A-Za-z]+" expected .+, got .+/);
  return e.error.reason;
};

describe("matching (Part 1 §4.2, Part 2 §4.3)", () => {
  it("NREAD → DONE with its data; TIDs round-robin per destination", () => {
    const t = new TransactionTable({ localId: LOCAL, timeout: 100 });
    const a = t.issue(req("nread", 5, { byteLength: 256 }), 0);
    const b = t.issue(req("nwrite-r", 5), 1);
    const c = t.issue(req("nwrite-r", 6), 1);
    expect([a.tid, b.tid, c.tid]).toEqual([0, 1, 0]); // per destination
    expect(a.deadline).toBe(100);
    expect(t.outstanding()).toBe(3);
    expect(t.outstanding(5)).toBe(2);
    const e = t.accept(resp(0, { dataBytes: 256 }), 5);
    expect(e.type).toBe("done");
    expect(t.accept(resp(1), 6).type).toBe("done");
    expect(t.accept(resp(0, { srcId: 6 }), 7).type).toBe("done");
    expect(t.outstanding()).toBe(0);
    expect(t.issue(req("nwrite-r"), 8).tid).toBe(2); // the just-freed TIDs are reused last
  });

  it("faults: unexpected, duplicate, wrong source, wrong destination, wrong type, wrong length", () => {
    const t = new TransactionTable({ localId: LOCAL, timeout: 100 });
    expect(faultOf(t.accept(resp(7), 0))).toBe("unexpected-response");
    const { tid } = t.issue(req("nread", 5, { byteLength: 4 }), 0);
    const u = t.accept(resp(tid, { srcId: 9, dataBytes: 8 }), 1);
    expect(faultOf(u)).toBe("wrong-source");
    expect(u.type === "fault" && u.error.csrBit).toBe("Unsolicited Response");
    expect(faultOf(t.accept(resp(tid, { destId: 3 }), 1))).toBe("wrong-destination");
    expect(faultOf(t.accept(resp(tid, { kind: "maintenance-read-response" }), 1))).toBe(
      "wrong-type",
    );
    expect(faultOf(t.accept(resp(tid, { dataBytes: 4 }), 1))).toBe("wrong-length"); // a sub-DW read returns one DW
    expect(faultOf(t.accept(resp(tid, { dataBytes: 8, prio: 0 }), 1))).toBe("response-priority");
    expect(t.outstanding()).toBe(1); // faulty responses are dropped
    expect(t.accept(resp(tid, { dataBytes: 8 }), 2).type).toBe("done");
    const dup = t.accept(resp(tid, { dataBytes: 8 }), 3);
    expect(faultOf(dup)).toBe("duplicate-response");
    expect(faultOf(t.accept(resp(300), 3))).toBe("unexpected-response");
  });

  it("ERROR (no data, ttype 0 or 8), RETRY only for DOORBELL, implementation-defined, reserved", () => {
    const t = new TransactionTable({ localId: LOCAL, timeout: 100 });
    const r = t.issue(req("nread", 5, { byteLength: 64 }), 0);
    expect(
      faultOf(t.accept(resp(r.tid, { status: TRANSACTION_STATUS.ERROR, dataBytes: 64 }), 1)),
    ).toBe("data-with-error");
    expect(t.accept(resp(r.tid, { status: TRANSACTION_STATUS.ERROR }), 1).type).toBe("error");
    const w = t.issue(req("nwrite-r"), 2);
    expect(faultOf(t.accept(resp(w.tid, { status: TRANSACTION_STATUS.RETRY }), 3))).toBe(
      "retry-not-allowed",
    );
    expect(faultOf(t.accept(resp(w.tid, { status: 0b0001 }), 3))).toBe("reserved-status");
    expect(t.accept(resp(w.tid, { status: 0b1100 }), 3).type).toBe("implementation-defined");
    const db = t.issue(req("doorbell"), 4);
    const retry = t.accept(resp(db.tid, { status: TRANSACTION_STATUS.RETRY }), 5);
    expect(retry.type).toBe("retry");
    expect(retry.type === "retry" && retry.request.kind).toBe("doorbell");
    expect(t.outstanding()).toBe(0);
    const m = t.issue(req("maintenance-read", 5, { byteLength: 4 }), 6);
    expect(t.accept(resp(m.tid, { kind: "maintenance-read-response", dataBytes: 8 }), 7).type).toBe(
      "done",
    );
  });

  it("timeouts by a simulated clock; late responses recognised", () => {
    const t = new TransactionTable({ localId: LOCAL, timeout: 50 });
    const a = t.issue(req("nwrite-r"), 0);
    const b = t.issue(req("nwrite-r"), 20);
    expect(t.nextDeadline()).toBe(50);
    expect(t.expire(49)).toEqual([]);
    const ev = t.expire(50);
    expect(ev.map((e) => [e.type, e.type === "timeout" && e.tid])).toEqual([["timeout", a.tid]]);
    expect(faultOf(t.accept(resp(a.tid), 51))).toBe("late-response");
    expect(t.accept(resp(b.tid), 52).type).toBe("done");
    expect(t.expire(1000)).toEqual([]); // b completed: its queue entry is stale
    expect(t.nextDeadline()).toBeNull();
    expect(() => t.expire(10)).toThrow(SrioTransactionError); // the clock never goes back
  });

  it("the 8-bit TID space: 256 outstanding, then a typed error; priority checked on issue", () => {
    const t = new TransactionTable({ localId: LOCAL, timeout: 10 });
    const tids = new Set<number>();
    for (let i = 0; i < 256; i++) tids.add(t.issue(req("nwrite-r"), 0).tid);
    expect(tids.size).toBe(256);
    let err: unknown;
    try {
      t.issue(req("nwrite-r"), 0);
    } catch (e) {
      err = e;
    }
    expect((err as SrioTransactionError).reason).toBe("tids-exhausted");
    expect(t.issue(req("nwrite-r", 6), 0).tid).toBe(0); // another destination
    expect(() => t.issue(req("nread", 7, { prio: 3 }), 0)).toThrow(SrioPriorityError);
    const small = new TransactionTable({ localId: LOCAL, timeout: 10, maxOutstanding: 2 });
    small.issue(req("doorbell"), 0);
    small.issue(req("doorbell"), 0);
    expect(() => small.issue(req("doorbell"), 0)).toThrow(/"tid" expected a free transaction ID/);
    expect(() => new TransactionTable({ localId: LOCAL, timeout: 0 })).toThrow(
      SrioTransactionError,
    );
  });
});

describe(`transaction table properties (seed ${seed})`, () => {
  it("every request ends exactly once; outstanding TIDs unique per destination", () => {
    const op = fc.oneof(
      fc.record({
        op: fc.constant("issue" as const),
        dest: fc.integer({ min: 2, max: 4 }),
        pick: fc.nat(),
      }),
      fc.record({
        op: fc.constant("respond" as const),
        pick: fc.nat(),
        src: fc.integer({ min: 2, max: 5 }),
        status: fc.constantFrom(0, 3, 7, 1, 12),
      }),
      fc.record({ op: fc.constant("tick" as const), dt: fc.integer({ min: 0, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const t = new TransactionTable({ localId: LOCAL, timeout: 100, maxOutstanding: 16 });
        let now = 0;
        const issued: { destId: number; tid: number; request: SrioRequestInfo }[] = [];
        const ended = new Map<SrioRequestInfo, number>();
        const end = (e: TransactionEvent): void => {
          if (e.type === "fault") return;
          ended.set(e.request, (ended.get(e.request) ?? 0) + 1);
        };
        for (const o of ops) {
          if (o.op === "tick") {
            now += o.dt;
            t.expire(now).forEach(end);
          } else if (o.op === "issue") {
            if (t.outstanding(o.dest) >= 16) continue;
            const request = req(o.pick % 2 === 0 ? "doorbell" : "nwrite-r", o.dest);
            const { tid } = t.issue(request, now);
            issued.push({ destId: o.dest, tid, request });
          } else if (issued.length > 0) {
            const target = issued[o.pick % issued.length]!;
            end(t.accept(resp(target.tid, { srcId: o.src, status: o.status }), now));
          }
          // outstanding TIDs are unique per destination
          const seen = new Set<string>();
          for (const x of issued)
            if (t.get(x.destId, x.tid) === x.request) {
              const k = `${x.destId}:${x.tid}`;
              expect(seen.has(k)).toBe(false);
              seen.add(k);
            }
          expect(seen.size).toBe(t.outstanding());
        }
        now += 1000;
        t.expire(now).forEach(end);
        expect(t.outstanding()).toBe(0);
        for (const x of issued) expect(ended.get(x.request)).toBe(1);
      }),
      { seed, numRuns: runs },
    );
  });
});
