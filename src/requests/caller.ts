/** Who asked and under which change ticket; both travel into the orchestration input and every audit row. */
export interface Caller {
  actor: string;
  ticketRef?: string;
}

/** What every request's audit row shares: the request step, who asked, under which ticket. */
export function requestRow(caller: Caller): { step: "request"; phase: "info"; actor: string; ticketRef?: string } {
  return { step: "request", phase: "info", actor: caller.actor, ...(caller.ticketRef ? { ticketRef: caller.ticketRef } : {}) };
}
