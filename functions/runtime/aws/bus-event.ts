/** The part of an EventBridge event (as a Lambda target receives it) the handlers read. */
export interface BusEvent {
  readonly id?: string;
  readonly source?: unknown;
  readonly 'detail-type'?: unknown;
  readonly detail?: unknown;
}

/** Whether `event` is the expected source and detail-type; a rule mistake is refused, not acted on. */
export function isFrom(event: unknown, source: string, detailType: string): event is BusEvent {
  const e = event as BusEvent | null;
  return typeof e === 'object' && e !== null && e.source === source && e['detail-type'] === detailType;
}
