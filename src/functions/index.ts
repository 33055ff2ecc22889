/**
 * The app's entry point (package.json "main"): everything the Functions host runs is registered here,
 * with the same app.* / df.app.* calls in Azure and on the local host.
 */
import { registerActivities } from "../activities";
import { registerWorkflows } from "../workflows";
import { registerInterconnectsHttp } from "./interconnects-http";
import { registerTeardownQueue } from "./teardown-queue";

registerActivities();
registerWorkflows();
registerInterconnectsHttp();
registerTeardownQueue();
