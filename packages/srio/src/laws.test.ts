import { codecLaws } from "@rashpa/laws";
import {
  arbSrioPacket,
  arbSrioPacket50,
  arbSrioPacket66,
  arbStream,
  arbStream50,
  arbStream66,
} from "./arbitraries.js";
import {
  SRIO_PACKET_50_FORMAT,
  SRIO_PACKET_66_FORMAT,
  SRIO_PACKET_FORMAT,
  STREAM_50_FORMAT,
  STREAM_66_FORMAT,
  STREAM_FORMAT,
} from "./index.js";

codecLaws(SRIO_PACKET_FORMAT, arbSrioPacket);
codecLaws(SRIO_PACKET_50_FORMAT, arbSrioPacket50);
codecLaws(SRIO_PACKET_66_FORMAT, arbSrioPacket66);
codecLaws(STREAM_FORMAT, arbStream);
codecLaws(STREAM_50_FORMAT, arbStream50);
codecLaws(STREAM_66_FORMAT, arbStream66);
