/**
 * The app's entry point (package.json "main"): everything the Functions host runs is registered here,
 * with the same app.* / df.app.* calls in Azure and on the local host.
 */
import { registerActivities } from "../activities";
import { settings } from "../config/settings";
import { registerWorkflows } from "../workflows";
import { registerApi } from "./api-routes";
import { registerHealthWatchKeeper } from "./health-watch-keeper";
import { registerItsm } from "./itsm";
import { registerTeardownQueue } from "./teardown-queue";
import { registerWatchdogTimer } from "./watchdog-timer";

// Settings are checked while the worker loads the app, so a bad one stops the app at start with one
// ConfigurationError naming every offending setting (the worker logs it and indexes no function; the
// local host prints it and exits non-zero), instead of surfacing on the first request or queue message.
settings();

registerActivities();
registerWorkflows();
// Every HTTP route (the REST API, the ITSM routes and the console) is in src/functions/api-routes.ts,
// which also documents it at GET /api/openapi.json. The rest are triggers without a route: the
// teardown queue, the health-watch keeper and watchdog timers, and (registerItsm) the ITSM outbox
// queue with the ITSM workflows and activities.
registerApi();
registerTeardownQueue();
registerHealthWatchKeeper();
registerWatchdogTimer();
registerItsm();
