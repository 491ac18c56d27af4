#!/usr/bin/env node
// A deliberately wrong implementation of rashpa.event (the 32-byte event-channel record of
// specs/rashpa/descriptors.yaml) speaking the `rashpa conform` line protocol:
//   decode <hex>  -> one line of JSON, or "error: ..."
//   encode <json> -> one line of hex, or "error: ..."
// The bug: Status is read as 15 bits instead of 16 (an off-by-one width), so a status of
// 0x8000 or more loses its top bit. `rashpa conform rashpa.event --cmd 'node event-decoder.mjs'`
// finds it and shrinks it to status 32768.
import { createInterface } from "node:readline";

const TYPES = [
  undefined,
  "end-of-frame",
  "end-of-roi",
  "end-of-acquisition",
  "overrun",
  "error",
  "link-up",
  "link-down",
  "timer",
];

function decode(hex) {
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new Error("not hex");
  const b = Buffer.from(hex, "hex");
  if (b.length !== 32) throw new Error(`expected 32 bytes, got ${b.length}`);
  const type = TYPES[b[0]];
  if (type === undefined) throw new Error(`type ${b[0]} is not an event type`);
  if (b.readUInt32BE(12) !== 0) throw new Error("reserved bytes 12..15 are not zero");
  return {
    type,
    channel: b[1],
    status: b.readUInt16BE(2) & 0x7fff, // BUG: Status is 16 bits wide
    frame: b.readUInt32BE(4),
    sequence: b.readUInt32BE(8),
    timestamp: `0x${b.readBigUInt64BE(16).toString(16)}`,
    info: `0x${b.readBigUInt64BE(24).toString(16)}`,
  };
}

function encode(v) {
  const b = Buffer.alloc(32);
  const type = TYPES.indexOf(v.type);
  if (type <= 0) throw new Error(`unknown type ${v.type}`);
  b[0] = type;
  b[1] = Number(v.channel);
  b.writeUInt16BE(Number(v.status), 2);
  b.writeUInt32BE(Number(v.frame), 4);
  b.writeUInt32BE(Number(v.sequence), 8);
  b.writeBigUInt64BE(BigInt(v.timestamp), 16);
  b.writeBigUInt64BE(BigInt(v.info), 24);
  return b.toString("hex");
}

for await (const line of createInterface({ input: process.stdin })) {
  const space = line.indexOf(" ");
  const verb = space < 0 ? line : line.slice(0, space);
  const arg = space < 0 ? "" : line.slice(space + 1);
  let answer;
  try {
    if (verb === "decode") answer = JSON.stringify(decode(arg.trim()));
    else if (verb === "encode") answer = encode(JSON.parse(arg));
    else throw new Error(`unknown request ${verb}`);
  } catch (e) {
    answer = `error: ${e.message}`;
  }
  process.stdout.write(`${answer}\n`);
}
