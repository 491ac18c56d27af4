/**
 * Priority, transaction request flows, ordering and deadlock-avoidance rules
 * (docs/reference/srio.md §6; RapidIO 4.1 Part 6 §2.2 Table 2-2, §6.6.3 Tables 6-6 to 6-9,
 * §6.11, §6.12). Each rule is a check that throws a {@link SrioPriorityError} naming the rule.
 *
 * Packets are described structurally ({@link SrioFlowPacket}: IDs, prio, CRF, VC and the kind of
 * transaction) so the rules apply to any packet representation.
 *
 * - **Priority level** (Part 6 §6.6.3): prio 0 is the lowest, 3 the highest; CRF set ranks a flow
 *   above the same prio without it. When the VC bit is used as a VC0 priority bit (Tables 6-8,
 *   6-9, option `vcPriority`) it is the most significant bit of the level.
 * - **Deadlock avoidance** (Part 6 §6.12): a request that needs a response must not use the
 *   highest priority (prio 3; VC bit 1 + prio 3 with `vcPriority`) nor VC1–8, and its response
 *   must be at least one priority level above it (Tables 6-6 to 6-9: request prio p → response
 *   prio ≥ p + 1; with `vcPriority` a prio-3 VC-bit-0 request is answered with the VC bit set).
 *   The response keeps the request's CRF (Tables 6-7, 6-9). {@link responsePriority} gives the
 *   minimum; a responder may promote further only as needed to be accepted.
 * - **Flows** (Part 6 §6.11): a transaction request flow is (sourceID, destinationID, prio, CRF,
 *   VC) with ftype ≠ 8. Order is kept only within a flow; a higher-priority request received
 *   before a lower-priority one with the same source and destination is sent first; maintenance
 *   packets (ftype 8) of priority N do not pass earlier maintenance packets of priority ≥ N.
 * - **Completion doorbell** (srio.md §6): a DOORBELL that signals "the preceding SWRITEs are
 *   complete" must be in the same flow as those SWRITEs — same priority, CRF and VC — or it may
 *   overtake them; since a DOORBELL needs a response, such SWRITEs cannot use priority 3.
 *
 * @module
 */
import { CodecError, fieldMessage } from "@rashpa/bits";

/** Transaction kinds the rules distinguish (Part 1 ch. 4, Part 2 ch. 4). */
export type SrioTransactionKind =
  | "nread"
  | "nwrite"
  | "nwrite-r"
  | "swrite"
  | "atomic"
  | "doorbell"
  | "message"
  | "maintenance-read"
  | "maintenance-write"
  | "port-write"
  | "response"
  | "maintenance-response";

/** Kinds that are requests needing a response (Part 1 §3.3–3.4, Part 2 §3). */
export const SRIO_KINDS_WITH_RESPONSE: readonly SrioTransactionKind[] = [
  "nread",
  "nwrite-r",
  "atomic",
  "doorbell",
  "message",
  "maintenance-read",
  "maintenance-write",
];

/** Whether a transaction kind is a request that needs a response. */
export function requiresResponse(kind: SrioTransactionKind): boolean {
  return SRIO_KINDS_WITH_RESPONSE.includes(kind);
}

/** Whether a transaction kind is carried in a maintenance packet (ftype 8, Part 1 §4.1.10). */
export function isMaintenanceKind(kind: SrioTransactionKind): boolean {
  return (
    kind === "maintenance-read" ||
    kind === "maintenance-write" ||
    kind === "port-write" ||
    kind === "maintenance-response"
  );
}

/** The priority bits of a packet's physical header (Part 6 §2.2, Table 2-2). */
export interface SrioPriority {
  /** prio field, 0 (lowest) – 3 (highest). */
  readonly prio: number;
  /**
   * Critical request flow bit.
   * @defaultValue 0
   */
  readonly crf?: number;
  /**
   * VC bit: a VC0 priority bit with `vcPriority`, otherwise VC1–8 selection (Table 2-2).
   * @defaultValue 0
   */
  readonly vc?: number;
}

/** A packet as the flow and ordering rules see it. */
export interface SrioFlowPacket extends SrioPriority {
  /** Transaction kind. */
  readonly kind: SrioTransactionKind;
  /** sourceID. */
  readonly srcId: number;
  /** destinationID. */
  readonly destId: number;
}

/** Options of the priority rules. */
export interface SrioPriorityOptions {
  /**
   * The VC bit is a VC0 priority bit (Part 6 §6.6.3, Tables 6-8 and 6-9) rather than the VC1–8
   * selector of Table 2-2.
   * @defaultValue false
   */
  readonly vcPriority?: boolean;
}

/** The rules a {@link SrioPriorityError} can name. */
export type SrioPriorityRule =
  | "range"
  | "request-highest-priority"
  | "request-not-vc0"
  | "response-priority"
  | "response-not-vc0"
  | "flow-order"
  | "priority-order"
  | "maintenance-order"
  | "completion-doorbell";

/**
 * A broken priority or ordering rule: `rule` names it, `path` the field (`"prio"`, `"vc"`,
 * `"order"`…); the message is `"<field>" expected X, got Y`.
 */
export class SrioPriorityError extends CodecError {
  /** Always `"SrioPriorityError"`. */
  override readonly name = "SrioPriorityError";
  /** The rule broken. */
  readonly rule: SrioPriorityRule;
  /**
   * @param rule - the rule broken
   * @param path - the field at fault
   * @param expected - what the rule requires
   * @param found - what was found
   */
  constructor(rule: SrioPriorityRule, path: string, expected: string, found: string) {
    super(fieldMessage(path, expected, found), { path, expected, found });
    this.rule = rule;
  }
}

function bit(v: number | undefined, field: string): number {
  const x = v ?? 0;
  if (x !== 0 && x !== 1) throw new SrioPriorityError("range", field, "0 or 1", String(x));
  return x;
}

function checkRange(p: SrioPriority): void {
  if (!Number.isInteger(p.prio) || p.prio < 0 || p.prio > 3)
    throw new SrioPriorityError("range", "prio", "an integer 0–3", String(p.prio));
  bit(p.crf, "crf");
  bit(p.vc, "vc");
}

/**
 * The priority level of a packet for arbitration (Part 6 §6.6.3): `prio << 1 | crf`, with the
 * VC bit on top (`vc << 3`) when `vcPriority`; higher is more urgent. Without `vcPriority` a
 * VC bit of 1 (VC1–8) does not rank against VC0 and is ignored here.
 *
 * @throws {@link SrioPriorityError} (`range`) for a field out of range
 */
export function priorityLevel(p: SrioPriority, options: SrioPriorityOptions = {}): number {
  checkRange(p);
  const vc = options.vcPriority === true ? (p.vc ?? 0) : 0;
  return (vc << 3) | (p.prio << 1) | (p.crf ?? 0);
}

/** The prio scale of the deadlock rules: prio, or VC‖prio with `vcPriority` (Tables 6-6 to 6-9). */
function responseScale(p: SrioPriority, options: SrioPriorityOptions): number {
  return options.vcPriority === true ? ((p.vc ?? 0) << 2) | p.prio : p.prio;
}

/**
 * Checks the priority of a request (Part 6 §6.12 deadlock prevention rule 2, and "request
 * transactions requiring responses shall only use VC0"): a request needing a response is not
 * at the highest priority; without `vcPriority` it has VC bit 0.
 *
 * @throws {@link SrioPriorityError} naming the rule
 */
export function checkRequestPriority(
  kind: SrioTransactionKind,
  p: SrioPriority,
  options: SrioPriorityOptions = {},
): void {
  checkRange(p);
  if (!requiresResponse(kind)) return;
  if (options.vcPriority !== true && (p.vc ?? 0) !== 0)
    throw new SrioPriorityError(
      "request-not-vc0",
      "vc",
      `0 for a ${kind} request (needs a response: VC0 only, Part 6 §6.12)`,
      String(p.vc),
    );
  const top = options.vcPriority === true ? 7 : 3;
  if (responseScale(p, options) >= top)
    throw new SrioPriorityError(
      "request-highest-priority",
      "prio",
      `below the highest priority for a ${kind} request (needs a response, Part 6 §6.12 rule 2)`,
      options.vcPriority === true ? `vc ${p.vc ?? 0}, prio ${p.prio}` : String(p.prio),
    );
}

/**
 * The minimum priority of the response to a request (Part 6 §6.12 rule 3, Tables 6-6 to 6-9):
 * prio + 1 with the request's CRF and VC bit; with `vcPriority` a prio-3 VC-bit-0 request is
 * answered at VC bit 1, prio 0 (Table 6-8 flow DVC). This is the Xilinx example design's
 * `response_prio = request_prio + 1` (srio.md §6).
 *
 * @throws {@link SrioPriorityError} when the request is at a priority that cannot have a
 *   response (see {@link checkRequestPriority})
 */
export function responsePriority(
  request: SrioPriority,
  options: SrioPriorityOptions = {},
): Required<SrioPriority> {
  checkRequestPriority("nread", request, options);
  const crf = request.crf ?? 0;
  const vc = request.vc ?? 0;
  if (request.prio < 3) return { prio: request.prio + 1, crf, vc };
  return { prio: 0, crf, vc: 1 }; // vcPriority, VC bit 0, prio 3 (checked above)
}

/**
 * Checks the priority of a response against its request (Part 6 §6.12 rule 3: at least one
 * level higher; responses only in VC0 without `vcPriority`).
 *
 * @throws {@link SrioPriorityError} naming the rule
 */
export function checkResponsePriority(
  request: SrioPriority,
  response: SrioPriority,
  options: SrioPriorityOptions = {},
): void {
  checkRange(request);
  checkRange(response);
  if (options.vcPriority !== true && (response.vc ?? 0) !== 0)
    throw new SrioPriorityError(
      "response-not-vc0",
      "vc",
      "0 for a response (VC0 only, Part 6 §6.12)",
      String(response.vc),
    );
  const min = responseScale(request, options) + 1;
  const got = responseScale(response, options);
  if (got < min)
    throw new SrioPriorityError(
      "response-priority",
      "prio",
      `at least ${options.vcPriority === true ? `level ${min} (VC‖prio)` : String(min)} ` +
        `(request priority + 1, Part 6 §6.12 rule 3)`,
      options.vcPriority === true ? `level ${got}` : String(got),
    );
}

/**
 * The flow of a packet (Part 6 §6.11): `"src:dest:prio:crf:vc"`, or `null` for maintenance
 * packets (ftype 8), which are not part of a transaction request flow.
 */
export function flowKey(p: SrioFlowPacket): string | null {
  if (isMaintenanceKind(p.kind)) return null;
  return `${p.srcId}:${p.destId}:${p.prio}:${p.crf ?? 0}:${p.vc ?? 0}`;
}

/** Whether two packets belong to the same transaction request flow (Part 6 §6.11). */
export function sameFlow(a: SrioFlowPacket, b: SrioFlowPacket): boolean {
  const k = flowKey(a);
  return k !== null && k === flowKey(b);
}

/**
 * Checks that a DOORBELL signalling the completion of preceding SWRITEs is in the flow of each
 * of them — same source, destination, prio, CRF and VC (srio.md §6; Part 6 §6.11 switch rule 4
 * keeps a flow in order, while rule 5 lets a higher priority pass a lower one).
 *
 * @throws {@link SrioPriorityError} (`completion-doorbell`, or the doorbell's own priority rule)
 */
export function checkCompletionDoorbell(
  doorbell: SrioFlowPacket,
  swrites: Iterable<SrioFlowPacket>,
  options: SrioPriorityOptions = {},
): void {
  checkRequestPriority("doorbell", doorbell, options);
  let i = 0;
  for (const w of swrites) {
    if (!sameFlow(doorbell, w))
      throw new SrioPriorityError(
        "completion-doorbell",
        "doorbell",
        `the flow of SWRITE ${i} (${flowKey(w) ?? "maintenance"}, srcID:destID:prio:crf:vc), ` +
          `or it may overtake it (srio.md §6)`,
        flowKey(doorbell) ?? "a maintenance packet",
      );
    i++;
  }
}

/**
 * Checks that `sent` (packets in the order a port received them from its transport layer,
 * each object once) was forwarded as `forwarded` without breaking Part 6 §6.11:
 * transaction delivery rule 1 (a flow stays in order), rule 2 (a higher-priority packet
 * received before a lower-priority one with the same sourceID and destinationID goes first —
 * the rule names requests; it is checked for every non-maintenance packet),
 * and switch rule 6 applied to the port (a maintenance packet of priority N does not pass an
 * earlier maintenance packet of priority ≥ N). Packets are compared by identity.
 *
 * @throws {@link SrioPriorityError} (`flow-order`, `priority-order`, `maintenance-order`) at the
 *   first violation, or `range` when `forwarded` is not a permutation of `sent`
 */
export function checkDeliveryOrder(
  sent: readonly SrioFlowPacket[],
  forwarded: readonly SrioFlowPacket[],
  options: SrioPriorityOptions = {},
): void {
  const pos = new Map<SrioFlowPacket, number>();
  forwarded.forEach((p, i) => pos.set(p, i));
  if (pos.size !== forwarded.length || forwarded.length !== sent.length)
    throw new SrioPriorityError(
      "range",
      "forwarded",
      `each of the ${sent.length} sent packets once`,
      `${forwarded.length} packets, ${pos.size} distinct`,
    );
  for (const p of sent)
    if (!pos.has(p))
      throw new SrioPriorityError("range", "forwarded", "every sent packet", "one missing");
  // O(n²) over pairs is fine for test-sized sequences; this is a checker, not a scheduler.
  for (let i = 0; i < sent.length; i++) {
    const a = sent[i]!;
    const pa = pos.get(a)!;
    for (let j = i + 1; j < sent.length; j++) {
      const b = sent[j]!;
      if (pos.get(b)! > pa) continue; // b (sent later) forwarded after a: always fine
      const aMaint = isMaintenanceKind(a.kind);
      const bMaint = isMaintenanceKind(b.kind);
      const where = `packet ${j} forwarded before packet ${i}`;
      if (!aMaint && !bMaint && sameFlow(a, b))
        throw new SrioPriorityError(
          "flow-order",
          "order",
          "a flow kept in order (Part 6 §6.11 delivery rule 1)",
          where,
        );
      if (
        !aMaint &&
        !bMaint &&
        a.srcId === b.srcId &&
        a.destId === b.destId &&
        priorityLevel(a, options) > priorityLevel(b, options)
      )
        throw new SrioPriorityError(
          "priority-order",
          "order",
          "a higher-priority request first (Part 6 §6.11 delivery rule 2)",
          where,
        );
      if (aMaint && bMaint && priorityLevel(a, options) >= priorityLevel(b, options))
        throw new SrioPriorityError(
          "maintenance-order",
          "order",
          "no maintenance packet passing one of higher or equal priority (Part 6 §6.11 rule 6)",
          where,
        );
    }
  }
}
