import { codecLaws } from "@rashpa/laws";
import { arbDllp, arbTlp, arbTlpPrefix } from "./arbitraries.js";
import { DLLP_FORMAT, TLP_FORMAT, TLP_PREFIX_FORMAT } from "./index.js";

codecLaws(TLP_FORMAT, arbTlp);
codecLaws(TLP_PREFIX_FORMAT, arbTlpPrefix);
codecLaws(DLLP_FORMAT, arbDllp);
