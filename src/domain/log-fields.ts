/**
 * The fields every log line of an operation ends with, as key=value pairs: readable in a terminal, and
 * structured for Application Insights, where `traces | parse-kv message as (interconnect:string,
 * operation:string, instanceId:string, step:string) with (pair_delimiter=" ", kv_delimiter="=")`
 * turns them into columns to filter on.
 */
export interface LogFields {
  interconnect?: string;
  operation?: string;
  instanceId?: string;
  step?: string;
}

const ORDER = ["interconnect", "operation", "instanceId", "step"] as const;

export function withLogFields(message: string, fields: LogFields): string {
  const pairs = ORDER.flatMap((k) => {
    const v = fields[k];
    // Names, operations, instance ids and steps never hold spaces; anything else is quoted so the pairs still parse.
    return v === undefined || v === "" ? [] : [`${k}=${/^[\w.:-]+$/.test(v) ? v : JSON.stringify(v)}`];
  });
  return pairs.length ? `${message} | ${pairs.join(" ")}` : message;
}
