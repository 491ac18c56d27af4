/**
 * Priority, flow and ordering rules (Part 6 §6.6.3, §6.11, §6.12; srio.md §6).
 */
import { describe, expect, it } from "vitest";
import {
  SrioPriorityError,
  checkCompletionDoorbell,
  checkDeliveryOrder,
  checkRequestPriority,
  checkResponsePriority,
  flowKey,
  priorityLevel,
  requiresResponse,
  responsePriority,
  sameFlow,
} from "./index.js";
import type { SrioFlowPacket, SrioPriorityRule } from "./index.js";

function ruleOf(f: () => void): SrioPriorityRule | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SrioPriorityError);
    expect((e as Error).name).toBe("SrioPriorityError");
    expect((e as Error).message).toMatch(/^"[a-z]+" expected .+, got .+/);
    return (e as SrioPriorityError).rule;
  }
  return undefined;
}

const pkt = (kind: SrioFlowPacket["kind"], prio: number, extra: Partial<SrioFlowPacket> = {}) =>
  ({ kind, srcId: 1, destId: 2, prio, crf: 0, vc: 0, ...extra }) as SrioFlowPacket;

describe("deadlock avoidance (Part 6 §6.12, Tables 6-6 to 6-9)", () => {
  it("response priority = request priority + 1, CRF kept (Xilinx response_prio = prio + 1)", () => {
    expect(responsePriority({ prio: 0 })).toEqual({ prio: 1, crf: 0, vc: 0 });
    expect(responsePriority({ prio: 1, crf: 1 })).toEqual({ prio: 2, crf: 1, vc: 0 });
    expect(responsePriority({ prio: 2 })).toEqual({ prio: 3, crf: 0, vc: 0 });
    // Table 6-8 flow DVC: VC bit 0 prio 3 → response with the VC bit set.
    expect(responsePriority({ prio: 3 }, { vcPriority: true })).toEqual({ prio: 0, crf: 0, vc: 1 });
    expect(responsePriority({ prio: 1, vc: 1 }, { vcPriority: true })).toEqual({
      prio: 2,
      crf: 0,
      vc: 1,
    });
  });

  it("no request-with-response at the highest priority; VC0 only", () => {
    expect(ruleOf(() => responsePriority({ prio: 3 }))).toBe("request-highest-priority");
    for (const kind of ["nread", "nwrite-r", "doorbell", "atomic", "maintenance-read"] as const)
      expect(ruleOf(() => checkRequestPriority(kind, { prio: 3 }))).toBe(
        "request-highest-priority",
      );
    expect(ruleOf(() => checkRequestPriority("swrite", { prio: 3 }))).toBeUndefined();
    expect(ruleOf(() => checkRequestPriority("nwrite", { prio: 3 }))).toBeUndefined();
    expect(ruleOf(() => checkRequestPriority("nread", { prio: 1, vc: 1 }))).toBe("request-not-vc0");
    expect(
      ruleOf(() => checkRequestPriority("nread", { prio: 3, vc: 1 }, { vcPriority: true })),
    ).toBe("request-highest-priority");
    expect(ruleOf(() => checkRequestPriority("nread", { prio: 3 }, { vcPriority: true }))).toBe(
      undefined,
    );
    expect(ruleOf(() => checkRequestPriority("nread", { prio: 4 }))).toBe("range");
    expect(ruleOf(() => checkRequestPriority("nread", { prio: 0, crf: 2 }))).toBe("range");
    expect(requiresResponse("swrite")).toBe(false);
    expect(requiresResponse("doorbell")).toBe(true);
  });

  it("responses at least one level above the request", () => {
    expect(ruleOf(() => checkResponsePriority({ prio: 1 }, { prio: 2 }))).toBeUndefined();
    expect(ruleOf(() => checkResponsePriority({ prio: 1 }, { prio: 3 }))).toBeUndefined(); // promotion
    expect(ruleOf(() => checkResponsePriority({ prio: 1 }, { prio: 1 }))).toBe("response-priority");
    expect(ruleOf(() => checkResponsePriority({ prio: 2 }, { prio: 0 }))).toBe("response-priority");
    expect(ruleOf(() => checkResponsePriority({ prio: 0 }, { prio: 1, vc: 1 }))).toBe(
      "response-not-vc0",
    );
    // Table 6-8: CVC (VC 0, prio 2) → response VC 0 prio 3 or VC 1 any prio.
    const vp = { vcPriority: true };
    expect(
      ruleOf(() => checkResponsePriority({ prio: 2 }, { prio: 0, vc: 1 }, vp)),
    ).toBeUndefined();
    expect(ruleOf(() => checkResponsePriority({ prio: 0, vc: 1 }, { prio: 0, vc: 1 }, vp))).toBe(
      "response-priority",
    );
  });

  it("priority levels: prio, then CRF, then (with vcPriority) the VC bit on top", () => {
    expect(priorityLevel({ prio: 0, crf: 1 })).toBeGreaterThan(priorityLevel({ prio: 0 }));
    expect(priorityLevel({ prio: 1 })).toBeGreaterThan(priorityLevel({ prio: 0, crf: 1 }));
    expect(priorityLevel({ prio: 0, vc: 1 }, { vcPriority: true })).toBeGreaterThan(
      priorityLevel({ prio: 3, crf: 1 }),
    );
    expect(priorityLevel({ prio: 0, vc: 1 })).toBe(0);
  });
});

describe("flows and ordering (Part 6 §6.11, srio.md §6)", () => {
  it("a flow is (srcID, destID, prio, CRF, VC); maintenance has none", () => {
    expect(flowKey(pkt("swrite", 1))).toBe("1:2:1:0:0");
    expect(sameFlow(pkt("swrite", 1), pkt("doorbell", 1))).toBe(true);
    expect(sameFlow(pkt("swrite", 1), pkt("doorbell", 2))).toBe(false);
    expect(sameFlow(pkt("swrite", 1), pkt("swrite", 1, { crf: 1 }))).toBe(false);
    expect(sameFlow(pkt("swrite", 1), pkt("swrite", 1, { destId: 3 }))).toBe(false);
    expect(flowKey(pkt("maintenance-read", 0))).toBeNull();
  });

  it("a completion doorbell must use the SWRITEs' priority", () => {
    const w = [pkt("swrite", 1), pkt("swrite", 1)];
    expect(ruleOf(() => checkCompletionDoorbell(pkt("doorbell", 1), w))).toBeUndefined();
    expect(ruleOf(() => checkCompletionDoorbell(pkt("doorbell", 2), w))).toBe(
      "completion-doorbell",
    );
    expect(ruleOf(() => checkCompletionDoorbell(pkt("doorbell", 1, { crf: 1 }), w))).toBe(
      "completion-doorbell",
    );
    // SWRITEs at priority 3 cannot be signalled by a doorbell (it needs a response).
    expect(ruleOf(() => checkCompletionDoorbell(pkt("doorbell", 3), [pkt("swrite", 3)]))).toBe(
      "request-highest-priority",
    );
  });

  it("delivery order: flows in order, higher priority first, maintenance not passing", () => {
    const a = pkt("swrite", 0);
    const b = pkt("swrite", 0);
    const d = pkt("doorbell", 0);
    const r = pkt("nread", 1);
    const other = pkt("swrite", 0, { destId: 9 });
    expect(ruleOf(() => checkDeliveryOrder([a, b, d], [a, b, d]))).toBeUndefined();
    expect(ruleOf(() => checkDeliveryOrder([a, b, r], [a, r, b]))).toBeUndefined(); // higher may pass
    expect(ruleOf(() => checkDeliveryOrder([a, other], [other, a]))).toBeUndefined(); // other flow
    expect(ruleOf(() => checkDeliveryOrder([a, b, d], [a, d, b]))).toBe("flow-order");
    expect(ruleOf(() => checkDeliveryOrder([r, a], [a, r]))).toBe("priority-order");
    const m0 = pkt("maintenance-read", 0);
    const m1 = pkt("maintenance-write", 1);
    expect(ruleOf(() => checkDeliveryOrder([m0, m1], [m1, m0]))).toBeUndefined();
    expect(ruleOf(() => checkDeliveryOrder([m1, m0], [m0, m1]))).toBe("maintenance-order");
    expect(ruleOf(() => checkDeliveryOrder([a, b], [a]))).toBe("range");
    expect(ruleOf(() => checkDeliveryOrder([a, b], [a, a]))).toBe("range");
  });
});
