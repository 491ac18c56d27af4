/**
 * Bounded FIFO queues of the timing model (e.g. the controller's BTD FIFO, whose status word
 * `rashpa.btd-fifo-status` reports level, full and overflow), with one of two behaviours when full:
 *
 * - `"block"` (back-pressure): the producer waits; its item enters the queue, in offer order,
 *   as soon as a consumer makes room, and its `onAccepted` callback runs then;
 * - `"drop"`: the offered item is dropped and reported to the mandatory `onDrop` handler with
 *   a {@link FifoDropEvent} — never silently — and counted.
 *
 * Items leave in the order they entered. Consumers that find the queue empty wait, in order,
 * for the next item. All callbacks run synchronously inside the call (or event) that makes
 * them possible, at the current simulated time.
 *
 * @module
 */
import { describeValue } from "@rashpa/bits";
import type { Simulator } from "./simulator.js";
import type { SimTime } from "./time.js";

/** The report of one dropped item. */
export interface FifoDropEvent<T> {
  /** The FIFO's name. */
  readonly fifo: string;
  /** The dropped item. */
  readonly item: T;
  /** Simulated time of the drop, in ps. */
  readonly at: SimTime;
  /** Queue length at the time of the drop (= capacity). */
  readonly length: number;
}

/** Options common to both policies. */
interface FifoCommonOptions {
  /** Name used in drop reports and statistics. */
  readonly name: string;
  /** Maximum number of queued items (a positive safe integer). */
  readonly capacity: number;
}

/** Options of a {@link BoundedFifo} that applies back-pressure when full. */
export interface BlockingFifoOptions extends FifoCommonOptions {
  /**
   * Full-queue behaviour: the producer waits.
   *
   * @defaultValue "block"
   */
  readonly policy?: "block";
}

/** Options of a {@link BoundedFifo} that drops offered items when full. */
export interface DroppingFifoOptions<T> extends FifoCommonOptions {
  /** Full-queue behaviour: the offered item is dropped. */
  readonly policy: "drop";
  /** Receives one report per dropped item. */
  readonly onDrop: (drop: FifoDropEvent<T>) => void;
}

/** Options of a {@link BoundedFifo}. */
export type BoundedFifoOptions<T> = BlockingFifoOptions | DroppingFifoOptions<T>;

interface Producer<T> {
  readonly item: T;
  readonly onAccepted: ((at: SimTime) => void) | undefined;
}

/**
 * A bounded FIFO queue in simulated time.
 *
 * @example
 * ```ts
 * const sim = new Simulator();
 * const btds = new BoundedFifo<number>(sim, { name: "btd", capacity: 16 });
 * btds.offer(1);
 * btds.take((item) => console.log(item)); // 1
 * ```
 */
export class BoundedFifo<T> {
  /** The FIFO's name. */
  readonly name: string;
  /** Maximum number of queued items. */
  readonly capacity: number;
  readonly #sim: Simulator;
  readonly #options: BoundedFifoOptions<T>;
  #items: T[] = [];
  #head = 0;
  #producers: Producer<T>[] = [];
  #producerHead = 0;
  #consumers: ((item: T, at: SimTime) => void)[] = [];
  #consumerHead = 0;
  #offered = 0;
  #accepted = 0;
  #delivered = 0;
  #dropped = 0;
  #maxLength = 0;

  /**
   * @param sim - the simulator (for the time of callbacks and drop reports)
   * @param options - name, capacity and full-queue policy
   * @throws RangeError when the capacity is not a positive safe integer
   */
  constructor(sim: Simulator, options: BoundedFifoOptions<T>) {
    if (!Number.isSafeInteger(options.capacity) || options.capacity < 1)
      throw new RangeError(
        `"capacity" expected a positive safe integer, got ${describeValue(options.capacity)}`,
      );
    this.#sim = sim;
    this.#options = options;
    this.name = options.name;
    this.capacity = options.capacity;
  }

  /** Items queued now. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Producers blocked on a full queue. */
  get blockedProducers(): number {
    return this.#producers.length - this.#producerHead;
  }

  /** Consumers waiting on an empty queue. */
  get waitingConsumers(): number {
    return this.#consumers.length - this.#consumerHead;
  }

  /** Items offered so far. */
  get offered(): number {
    return this.#offered;
  }

  /** Items that entered the queue (or went straight to a waiting consumer). */
  get accepted(): number {
    return this.#accepted;
  }

  /** Items handed to consumers. */
  get delivered(): number {
    return this.#delivered;
  }

  /** Items dropped (always 0 with the `"block"` policy). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Largest queue length seen. */
  get maxLength(): number {
    return this.#maxLength;
  }

  /**
   * Offers an item. If a consumer waits it gets the item at once; else if there is room the
   * item is queued; else the policy applies (the producer blocks, or the item is dropped and
   * reported).
   *
   * @param item - the item
   * @param onAccepted - called with the time the item entered the queue (synchronously when
   *   accepted at once, later for a blocked producer; never for a dropped item)
   * @returns `true` when the item was accepted at once
   */
  offer(item: T, onAccepted?: (at: SimTime) => void): boolean {
    this.#offered++;
    if (this.blockedProducers === 0 && this.length < this.capacity) {
      this.#enter(item);
      onAccepted?.(this.#sim.now());
      this.#feedConsumers();
      return true;
    }
    const o = this.#options;
    if (o.policy === "drop") {
      this.#dropped++;
      o.onDrop({ fifo: this.name, item, at: this.#sim.now(), length: this.length });
      return false;
    }
    this.#producers.push({ item, onAccepted });
    return false;
  }

  /**
   * Takes the oldest item: synchronously when one is queued, otherwise `onItem` waits (in
   * order with other waiting consumers) for the next accepted item.
   *
   * @param onItem - receives the item and the delivery time
   * @returns `true` when an item was delivered at once
   */
  take(onItem: (item: T, at: SimTime) => void): boolean {
    if (this.waitingConsumers === 0 && this.length > 0) {
      onItem(this.#leave(), this.#sim.now());
      return true;
    }
    this.#consumers.push(onItem);
    this.#feedConsumers();
    return false;
  }

  /**
   * Takes the oldest item if there is one.
   *
   * @returns the item, or `undefined` when the queue is empty
   */
  tryTake(): T | undefined {
    return this.length > 0 ? this.#leave() : undefined;
  }

  #enter(item: T): void {
    this.#items.push(item);
    this.#accepted++;
    if (this.length > this.#maxLength) this.#maxLength = this.length;
  }

  #leave(): T {
    const item = this.#items[this.#head]!;
    this.#items[this.#head] = undefined as T;
    this.#head++;
    this.#delivered++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    this.#admitProducers();
    return item;
  }

  #admitProducers(): void {
    while (this.blockedProducers > 0 && this.length < this.capacity) {
      const p = this.#producers[this.#producerHead]!;
      this.#producers[this.#producerHead] = undefined as unknown as Producer<T>;
      this.#producerHead++;
      this.#enter(p.item);
      p.onAccepted?.(this.#sim.now());
    }
    if (this.#producerHead > 1024 && this.#producerHead * 2 > this.#producers.length) {
      this.#producers = this.#producers.slice(this.#producerHead);
      this.#producerHead = 0;
    }
  }

  #feedConsumers(): void {
    while (this.waitingConsumers > 0 && this.length > 0) {
      const c = this.#consumers[this.#consumerHead]!;
      this.#consumers[this.#consumerHead] = undefined as unknown as (item: T, at: SimTime) => void;
      this.#consumerHead++;
      c(this.#leave(), this.#sim.now());
    }
    if (this.#consumerHead > 1024 && this.#consumerHead * 2 > this.#consumers.length) {
      this.#consumers = this.#consumers.slice(this.#consumerHead);
      this.#consumerHead = 0;
    }
  }
}
