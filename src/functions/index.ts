/**
 * The app's entry point (package.json "main"): everything the Functions host runs is registered here,
 * with the same app.* / df.app.* calls in Azure and on the local host.
 */
import { registerActivities } from "../activities";
import { settings } from "../config/settings";
import { registerWorkflows } from "../workflows";
import { registerInterconnectsHttp } from "./interconnects-http";
import { registerItsm } from "./itsm";
import { registerTeardownQueue } from "./teardown-queue";
import { registerTeardownRejectionsHttp } from "./teardown-rejections-http";

// Settings are checked while the worker loads the app, so a bad one stops the app at start with one
// ConfigurationError naming every offending setting (the worker logs it and indexes no function; the
// local host prints it and exits non-zero), instead of surfacing on the first request or queue message.
settings();

registerActivities();
registerWorkflows();
registerInterconnectsHttp();
registerTeardownQueue();
registerTeardownRejectionsHttp();
registerItsm();
