import * as df from "durable-functions";
import { ITSM_ACTIVITY } from "../../contracts/itsm";
import { setDefaultItsmActivityDeps, type ItsmActivityDeps } from "./deps";
import { itsmEnqueueNotes } from "./enqueue";
import { itsmHealthNote } from "./health-note";
import { itsmObserveOperation } from "./observe";

export * from "../../contracts/itsm";
export { setItsmActivityDeps, type ItsmActivityDeps } from "./deps";
export { itsmEnqueueNotes, itsmHealthNote, itsmObserveOperation };

/** Registers the ticket watch's activities; deps are built on first use from the composition root's loader. */
export function registerItsmActivities(load: () => ItsmActivityDeps): void {
  setDefaultItsmActivityDeps(load);
  df.app.activity(ITSM_ACTIVITY.observeOperation, { handler: itsmObserveOperation, extraInputs: [df.input.durableClient()] });
  df.app.activity(ITSM_ACTIVITY.enqueueNotes, { handler: itsmEnqueueNotes });
  df.app.activity(ITSM_ACTIVITY.healthNote, { handler: itsmHealthNote });
}
