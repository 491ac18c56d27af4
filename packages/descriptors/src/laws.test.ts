import { codecLaws } from "@rashpa/laws";
import {
  arbAtuEntry,
  arbBtd,
  arbBtdFifoControl,
  arbBtdFifoStatus,
  arbEvent,
  arbInstruction,
} from "./arbitraries.js";
import {
  ATU_ENTRY_FORMAT,
  BTD_FIFO_CONTROL_FORMAT,
  BTD_FIFO_STATUS_FORMAT,
  BTD_FORMAT,
  EVENT_FORMAT,
  INSTRUCTION_FORMAT,
} from "./index.js";

codecLaws(BTD_FORMAT, arbBtd);
codecLaws(ATU_ENTRY_FORMAT, arbAtuEntry);
codecLaws(EVENT_FORMAT, arbEvent);
codecLaws(BTD_FIFO_CONTROL_FORMAT, arbBtdFifoControl);
codecLaws(BTD_FIFO_STATUS_FORMAT, arbBtdFifoStatus);
codecLaws(INSTRUCTION_FORMAT, arbInstruction);
