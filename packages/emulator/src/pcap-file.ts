/**
 * Node.js conveniences for pcap files: a {@link PcapWriter} writing straight to a file path,
 * and reading a whole file with validation.
 *
 * @module
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { PcapWriter, readPcap } from "./pcap.js";
import type { PcapFile, PcapWriterOptions } from "./pcap.js";

/**
 * A {@link PcapWriter} whose sink is a file, written synchronously chunk by chunk.
 *
 * @example
 * ```ts
 * const w = new PcapFileWriter("tlps.pcap", { linkType: LINKTYPE_USER0 });
 * w.writePacket(0, encodePcieCaptureRecord({ direction: "upstream", port: 0, tlp }));
 * w.close();
 * ```
 */
export class PcapFileWriter extends PcapWriter {
  /** The file path. */
  readonly path: string;
  readonly #fd: { fd: number | undefined };

  /**
   * Creates (or truncates) the file and writes the pcap file header.
   *
   * @param path - file path
   * @param options - link type and snapshot length
   * @throws the `node:fs` error when the file cannot be opened; EncodeError for bad options
   */
  constructor(path: string, options: PcapWriterOptions) {
    const handle: { fd: number | undefined } = { fd: undefined };
    const fd = openSync(path, "w");
    handle.fd = fd;
    try {
      super((chunk) => {
        if (handle.fd === undefined)
          throw new Error(`"file" expected an open pcap file, got closed file ${path}`);
        let done = 0;
        while (done < chunk.length) done += writeSync(handle.fd, chunk, done);
      }, options);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    this.path = path;
    this.#fd = handle;
  }

  /** Closes the file; later writes throw. Closing twice is harmless. */
  close(): void {
    if (this.#fd.fd === undefined) return;
    closeSync(this.#fd.fd);
    this.#fd.fd = undefined;
  }
}

/**
 * Reads and validates a whole pcap file.
 *
 * @param path - file path
 * @returns header and records
 * @throws PcapError for malformed content; the `node:fs` error when the file cannot be read
 */
export function readPcapFile(path: string): PcapFile {
  return readPcap(new Uint8Array(readFileSync(path)));
}
