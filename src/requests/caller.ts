/** Who asked and under which change ticket; both travel into the orchestration input and every audit row. */
export interface Caller {
  actor: string;
  ticketRef?: string;
}
