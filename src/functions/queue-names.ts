export const TEARDOWN_QUEUE = "interconnect-teardown";
export const TEARDOWN_POISON_QUEUE = "interconnect-teardown-poison";
