/** Codec laws of the control-symbol formats generated from specs/srio/control-symbol.yaml. */
import { codecLaws } from "@rashpa/laws";
import { arbCs24, arbCs48, arbCs64 } from "./gen/control-symbol.arb.js";
import { CS24_FORMAT, CS48_FORMAT, CS64_FORMAT } from "./gen/control-symbol.js";

codecLaws(CS24_FORMAT, arbCs24);
codecLaws(CS48_FORMAT, arbCs48);
codecLaws(CS64_FORMAT, arbCs64);
