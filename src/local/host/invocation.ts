import { InvocationContext } from "@azure/functions";
import type { RegisteredFunction } from "./registry";

/** The value of an extra input binding of the given type (e.g. the durable client's binding data). */
export type ExtraInputSource = (bindingType: string) => unknown;

/**
 * The InvocationContext the Functions worker would build for `fn`: its trigger, and every extra input
 * binding it declared (df.input.durableClient() on an HTTP trigger, a queue trigger or an activity)
 * filled in, as the Functions host fills them.
 */
export function invocationContext(
  fn: RegisteredFunction,
  o: { invocationId: string; triggerType: string; logHandler: (level: string, ...args: unknown[]) => void; extraInput: ExtraInputSource },
): InvocationContext {
  const extraInputs = Object.entries(fn.metadata.bindings)
    .filter(([name, b]) => b.direction === "in" && name !== fn.triggerName)
    .map(([name, b]) => ({ ...b, name }));
  const context = new InvocationContext({
    invocationId: o.invocationId,
    functionName: fn.name,
    logHandler: o.logHandler,
    options: { trigger: { ...fn.trigger, type: o.triggerType, name: fn.triggerName }, extraInputs: extraInputs as never, extraOutputs: [] },
  });
  for (const input of extraInputs) {
    const value = o.extraInput(input.type);
    if (value !== undefined) context.extraInputs.set(input.name, value);
  }
  return context;
}
