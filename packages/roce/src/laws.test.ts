import { codecLaws } from "@rashpa/laws";
import { arbAeth, arbBth, arbDeth, arbImmdt, arbPacket, arbReth } from "./arbitraries.js";
import {
  AETH_FORMAT,
  BTH_FORMAT,
  DETH_FORMAT,
  IMMDT_FORMAT,
  PACKET_FORMAT,
  RETH_FORMAT,
} from "./index.js";

codecLaws(BTH_FORMAT, arbBth);
codecLaws(RETH_FORMAT, arbReth);
codecLaws(AETH_FORMAT, arbAeth);
codecLaws(IMMDT_FORMAT, arbImmdt);
codecLaws(DETH_FORMAT, arbDeth);
codecLaws(PACKET_FORMAT, arbPacket);
