/**
 * A long-lived child process spoken to one line at a time (`rashpa conform`): a request line on
 * its standard input, one answer line awaited on its standard output, with a per-request
 * timeout. The command runs through the shell in its own process group, so that a timeout or
 * the end of the run stops the program and whatever it started.
 *
 * @module
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";

/** The outcome of one request. */
export type Answer =
  | {
      /** The program answered a line. */
      readonly kind: "line";
      /** The line, without its end of line. */
      readonly text: string;
    }
  | {
      /** The program ended (or could not start) before answering. */
      readonly kind: "exit";
      /** How it ended, e.g. `exit status 139` or `signal SIGSEGV`. */
      readonly how: string;
      /** The last line it wrote to standard error (empty when none). */
      readonly stderr: string;
    }
  | {
      /** The program did not answer within the timeout; it was stopped. */
      readonly kind: "timeout";
    };

/** Bytes of standard error kept for messages. */
const STDERR_KEEP = 4096;

/** One running program. */
export class LineChild {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = "";
  private readonly lines: string[] = [];
  private stderrTail = "";
  private ended: string | undefined;
  private waiter: (() => void) | undefined;

  /** Starts `command` through the shell (`/bin/sh -c` or `cmd.exe /c`). */
  constructor(command: string) {
    this.child = spawn(command, {
      shell: true,
      stdio: ["pipe", "pipe", "pipe"],
      detached: process.platform !== "win32",
    });
    this.child.stdout.setEncoding("utf8");
    this.child.stderr.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf("\n")) >= 0) {
        this.lines.push(this.buffer.slice(0, nl).replace(/\r$/, ""));
        this.buffer = this.buffer.slice(nl + 1);
      }
      this.wake();
    });
    this.child.stderr.on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEEP);
    });
    this.child.stdin.on("error", () => {
      // EPIPE when the program has ended; its exit is reported instead.
    });
    this.child.on("error", (e) => this.end(`could not start (${e.message})`));
    this.child.on("close", (code, signal) =>
      this.end(signal !== null ? `signal ${signal}` : `exit status ${String(code)}`),
    );
  }

  private end(how: string): void {
    this.ended ??= how;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** The last line of standard error, for messages. */
  lastStderrLine(): string {
    const lines = this.stderrTail.split("\n").filter((l) => l.trim() !== "");
    return lines.at(-1)?.trim() ?? "";
  }

  /** Whether the program has ended. */
  get exited(): boolean {
    return this.ended !== undefined;
  }

  /**
   * Sends one request line and waits for the answer line.
   *
   * @param line - the request, without end of line
   * @param timeoutMs - how long to wait; on expiry the program is stopped
   */
  async request(line: string, timeoutMs: number): Promise<Answer> {
    this.lines.length = 0;
    if (this.ended === undefined) this.child.stdin.write(`${line}\n`);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.wake();
    }, timeoutMs);
    try {
      for (;;) {
        const text = this.lines.shift();
        if (text !== undefined) return { kind: "line", text };
        if (this.ended !== undefined)
          return { kind: "exit", how: this.ended, stderr: this.lastStderrLine() };
        if (timedOut) {
          this.kill();
          return { kind: "timeout" };
        }
        await new Promise<void>((resolve) => (this.waiter = resolve));
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the program and whatever it started (its process group). */
  kill(): void {
    if (this.ended !== undefined || this.child.pid === undefined) return;
    try {
      if (process.platform === "win32") this.child.kill("SIGKILL");
      else process.kill(-this.child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }

  /** Closes the program's standard input, waits up to `graceMs` for it to end, then stops it. */
  async close(graceMs = 1000): Promise<void> {
    if (this.ended !== undefined) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    while (this.ended === undefined) await new Promise<void>((resolve) => (this.waiter = resolve));
    clearTimeout(timer);
  }
}
