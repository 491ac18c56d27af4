/** Codec laws of the HELLO header format generated from specs/srio/hello.yaml. */
import { codecLaws } from "@rashpa/laws";
import { arbHello } from "./gen/hello.arb.js";
import { HELLO_FORMAT } from "./gen/hello.js";

codecLaws(HELLO_FORMAT, arbHello);
