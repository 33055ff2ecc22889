import { app, type InvocationContext, type StorageQueueHandler } from "@azure/functions";
import * as df from "durable-functions";
import { ErrorCodes, isDomainError, type DomainError } from "../domain/errors";
import { withLogFields } from "../domain/log-fields";
import { validateTicketRef } from "./caller";
import { defaultTriggerDeps } from "./default-deps";
import { TEARDOWN_POISON_QUEUE, TEARDOWN_QUEUE } from "./queue-names";
import type { TriggerDeps } from "./deps";
import { requestTeardown } from "../requests/teardown";
import { arrivedMessage, bestEffortFields, parseTeardownMessage, type ArrivedMessage } from "./teardown-message";

export { TEARDOWN_POISON_QUEUE, TEARDOWN_QUEUE };
/**
 * Audit partition listing every rejected message (GET /api/teardown-queue/rejections), including those
 * that name no usable interconnect. It cannot collide with an interconnect: names start with a letter.
 */
export const QUEUE_AUDIT_PARTITION = "-queue";

/**
 * A malformed message or one naming an unknown interconnect will never succeed, so it goes to the
 * poison queue at once (with an audit row saying why) and the invocation returns normally: throwing
 * would make the host retry it maxDequeueCount times for nothing. Transient failures (storage, task
 * hub) do throw, so the host's own retry and poison handling applies to them.
 */
export function teardownQueueHandler(getDeps: () => TriggerDeps): (message: unknown, context: InvocationContext) => Promise<void> {
  return async (message, context) => {
    const deps = getDeps();
    const arrived = arrivedMessage(message);
    if (arrived.unreadable) {
      await reject(deps, context, arrived, {}, arrived.unreadable);
      return;
    }
    let request;
    try {
      request = parseTeardownMessage(arrived.text);
      if (request.ticketRef !== undefined) validateTicketRef(request.ticketRef, "ticketRef");
    } catch (err) {
      if (!isDomainError(err)) throw err;
      await reject(deps, context, arrived, bestEffortFields(arrived.text), err);
      return;
    }
    try {
      const result = await requestTeardown(deps, df.getClient(context), {
        name: request.name,
        reason: request.reason,
        caller: { actor: request.requestedBy, ...(request.ticketRef ? { ticketRef: request.ticketRef } : {}) },
        requestedBy: request.requestedBy,
        channel: "queue",
      });
      context.log(
        withLogFields(
          `queue ${TEARDOWN_QUEUE}: teardown of ${request.name} ${result.outcome} ${result.instanceId} (message ${String(context.triggerMetadata?.id ?? "?")})`,
          { interconnect: request.name, operation: "teardown", instanceId: result.instanceId },
        ),
      );
    } catch (err) {
      if (isDomainError(err) && err.code === ErrorCodes.NOT_FOUND) {
        await reject(deps, context, arrived, { name: request.name, requestedBy: request.requestedBy }, err);
        return;
      }
      throw err;
    }
  };
}

/**
 * The audit rows first and best effort, the poison queue last: once the message is parked the
 * invocation must succeed, or the host would retry it and park it again. An audit failure is only
 * logged; a poison-queue failure throws, so the host retries the whole rejection. One row goes to the
 * rejections partition, so an integrator finds every rejected message in one list; a second goes to the
 * named interconnect's own trail, when the message named one.
 */
async function reject(
  deps: TriggerDeps,
  context: InvocationContext,
  message: ArrivedMessage,
  sent: { name?: string; requestedBy?: string },
  err: DomainError,
): Promise<void> {
  const messageId = context.triggerMetadata?.id;
  const row = {
    step: "queue-message",
    phase: "failed" as const,
    // The sender is who asked, even for a message that failed on another field; the queue when it did not say.
    actor: sent.requestedBy ?? "queue:" + TEARDOWN_QUEUE,
    operation: "teardown" as const,
    message: `Teardown message rejected and moved to ${TEARDOWN_POISON_QUEUE}: ${err.message}`,
    details: {
      code: err.code,
      name: sent.name ?? null,
      ...(messageId !== undefined ? { messageId: String(messageId) } : {}),
      ...("issues" in err ? { issues: JSON.parse(JSON.stringify(err.issues)) } : {}),
    },
  };
  for (const partition of sent.name === undefined ? [QUEUE_AUDIT_PARTITION] : [QUEUE_AUDIT_PARTITION, sent.name]) {
    try {
      await deps.store.audit.append({ ...row, interconnect: partition });
    } catch (auditErr) {
      context.error(
        `queue ${TEARDOWN_QUEUE}: audit row (${partition}) for a rejected message not written: ${auditErr instanceof Error ? auditErr.message : String(auditErr)}`,
      );
    }
  }
  await deps.teardownPoisonQueue.send(message.bytes);
  context.warn(`queue ${TEARDOWN_QUEUE}: message rejected (${err.code}) and moved to ${TEARDOWN_POISON_QUEUE}: ${err.message}`);
}

/**
 * The binding's dataType (function.json's "dataType": "binary"): the handler gets the message's bytes,
 * undecoded, so a rejected one goes to the poison queue exactly as it was sent. The v4 option types
 * do not list it; the binding carries it to the host all the same.
 */
const BINARY = { dataType: "binary" } as const;

export function registerTeardownQueue(getDeps: () => TriggerDeps = defaultTriggerDeps): void {
  app.storageQueue("teardownQueue", {
    queueName: TEARDOWN_QUEUE,
    connection: "AzureWebJobsStorage",
    ...BINARY,
    extraInputs: [df.input.durableClient()],
    handler: teardownQueueHandler(getDeps) as StorageQueueHandler,
  });
}
