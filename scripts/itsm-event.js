#!/usr/bin/env node
// Sends a signed ticket event to the local stack, as the shipped ServiceNow business rule or a Jira
// webhook would, and shows the ticket's notes. Needs `npm start` running (reads .local/stack.json).
//   node scripts/itsm-event.js servicenow|jira plan|provision|decommission
//   node scripts/itsm-event.js servicenow|jira notes
"use strict";
const { createHmac } = require("node:crypto");
const { existsSync, readFileSync } = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const [system, action] = process.argv.slice(2);
const ACTIONS = ["plan", "provision", "decommission", "notes"];
if (!["servicenow", "jira"].includes(system) || !ACTIONS.includes(action)) {
  console.error("usage: node scripts/itsm-event.js servicenow|jira plan|provision|decommission|notes");
  process.exit(2);
}
const stackFile = path.join(root, ".local/stack.json");
if (!existsSync(stackFile)) fail("no .local/stack.json: start the local stack with npm start first");
const stack = JSON.parse(readFileSync(stackFile, "utf8"));
if (!stack.itsm) fail("this stack runs without the ITSM emulators (AZURE_CREDENTIAL=default)");
const settingsFile = [path.join(root, "local.settings.json"), path.join(root, "local.settings.sample.json")].find(existsSync);
const values = JSON.parse(readFileSync(settingsFile, "utf8")).Values;

function fail(message) {
  console.error(`itsm-event: ${message}`);
  process.exit(1);
}

async function json(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The service's convention: sha256=<hex HMAC of "<unix seconds>.<raw body>"> (README "From a ticket"). */
function signed(secret, body) {
  const ts = String(Math.floor(Date.now() / 1000));
  return {
    "content-type": "application/json",
    "x-itsm-timestamp": ts,
    "x-itsm-signature": `sha256=${createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex")}`,
  };
}

async function servicenow() {
  const { url, changeRequest } = stack.itsm.servicenow;
  const state = (await json(`${url}/admin/state`)).body;
  const change = state.records.change_request.find((r) => r.sys_id === changeRequest.sys_id);
  if (!change) fail(`the emulator has no change request ${changeRequest.number}`);
  if (action === "notes") {
    const notes = state.records.sys_journal_field.filter((j) => j.element_id === change.sys_id && j.element === "work_notes");
    console.log(`${change.number}: state ${change.state}, close_code "${change.close_code}"\n`);
    for (const n of notes) console.log(`--- ${n.sys_created_on} ${n.sys_created_by}\n${n.value}\n`);
    return;
  }
  const body = JSON.stringify({
    table: "change_request",
    sys_id: change.sys_id,
    number: change.number,
    state: change.state,
    action,
    requested_by: "network-ops@example.com",
    variables: change.variables ?? {},
  });
  return send(`${stack.api}/itsm/servicenow/events`, signed(values.SERVICENOW_WEBHOOK_SECRET, body), body);
}

async function jira() {
  const { url, issue } = stack.itsm.jira;
  const auth = `Basic ${Buffer.from(`${values.JIRA_EMAIL}:${values.JIRA_API_TOKEN}`).toString("base64")}`;
  if (action === "notes") {
    const current = (await json(`${url}/rest/api/3/issue/${issue.key}?fields=status`, { headers: { authorization: auth } })).body;
    const comments = (await json(`${url}/rest/api/3/issue/${issue.key}/comment?maxResults=100`, { headers: { authorization: auth } })).body
      .comments;
    console.log(`${issue.key}: status ${current.fields.status.name}\n`);
    const text = (node) =>
      (typeof node.text === "string" ? node.text : "") +
      (node.type === "hardBreak" ? "\n" : "") +
      (node.content ?? []).map(text).join(node.type === "doc" ? "\n\n" : "");
    for (const c of comments) console.log(`--- ${c.created} ${c.author.displayName}\n${text(c.body)}\n`);
    return;
  }
  // A person moves the issue to the status JIRA_FIELD_MAP.actions names for the action; Jira then fires the webhook.
  const map = JSON.parse(values.JIRA_FIELD_MAP);
  const status = (map.actions[action] ?? [])[0];
  if (!status) fail(`JIRA_FIELD_MAP.actions.${action} names no status`);
  const moved = await json(`${url}/admin/issues/${issue.key}/status`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ status }),
  });
  if (moved.status !== 200) fail(`could not move ${issue.key} to "${status}": ${JSON.stringify(moved.body)}`);
  const current = (await json(`${url}/rest/api/3/issue/${issue.key}`, { headers: { authorization: auth } })).body;
  const body = JSON.stringify({
    timestamp: Date.now(),
    webhookEvent: "jira:issue_updated",
    issue_event_type_name: "issue_generic",
    issue: current,
    changelog: { id: "1", items: [{ field: "status", fieldtype: "jira", fieldId: "status", toString: status }] },
  });
  return send(`${stack.api}/itsm/jira/events`, signed(values.JIRA_WEBHOOK_SECRET, body), body);
}

async function send(url, headers, body) {
  const res = await json(url, { method: "POST", headers, body });
  console.log(`${res.status} ${JSON.stringify(res.body, null, 2)}`);
  console.log(`\nThe ticket's notes: node scripts/itsm-event.js ${system} notes`);
}

(system === "servicenow" ? servicenow() : jira()).catch((e) => fail(e.message));
