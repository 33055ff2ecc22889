import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/domain/errors";
import { parseJiraEvent } from "../../../src/domain/itsm/jira-event";
import { parseJiraFieldMap } from "../../../src/domain/itsm/jira-field-map";
import { nextMilestones, type OperationObservation } from "../../../src/domain/itsm/milestones";
import { parseServiceNowEvent } from "../../../src/domain/itsm/servicenow-event";
import { specFromTicketVariables } from "../../../src/domain/itsm/ticket-variables";
import { JIRA_SEED, SERVICENOW_SEED } from "../../../src/local/emulators/itsm/seed";
import { exampleSpec } from "../../support/example-spec";

const MAP_TEXT = readFileSync(path.resolve(__dirname, "../../../integrations/jira/field-map.example.json"), "utf8");

function issuesOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).issues;
  }
  throw new Error("expected a ValidationError");
}

describe("ticket variables -> spec", () => {
  it("maps the seeded catalog variables (strings) to the README example spec", () => {
    expect(specFromTicketVariables(SERVICENOW_SEED.variables)).toEqual(exampleSpec());
  });

  it("converts numbers and booleans, treats empty strings as unset, and puts cost_center into a tag", () => {
    const spec = specFromTicketVariables({
      ...SERVICENOW_SEED.variables,
      bandwidth_gbps: "2",
      fastpath: "FALSE",
      gateway_sku: "ErGw3AZ",
      cost_center: "CC-42",
      oci_drg_ocid: "",
      bgp_primary_cidr: "",
      bgp_secondary_cidr: "",
    });
    expect(spec.bandwidthGbps).toBe(2);
    expect(spec.azure.gateway).toMatchObject({ sku: "ErGw3AZ", fastPath: false });
    expect(spec.tags).toEqual({ "cost-center": "CC-42" });
    expect(spec.oci.drgId).toBeUndefined();
    expect(spec.bgp).toBeUndefined();
  });

  it("names every problem by its variable, never by a spec path", () => {
    const { oci_vcn_ocid: _gone, ...rest } = SERVICENOW_SEED.variables;
    const issues = issuesOf(() =>
      specFromTicketVariables({
        ...rest,
        bandwidth_gbps: "3",
        fastpath: "yes",
        er_peering_location: "Amsterdam",
        bgp_secondary_cidr: "",
        colour: "blue",
      }),
    );
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(Object.keys(byPath).sort()).toEqual([
      "variables.bandwidth_gbps",
      "variables.bgp_secondary_cidr",
      "variables.colour",
      "variables.er_peering_location",
      "variables.fastpath",
      "variables.oci_vcn_ocid",
    ]);
    expect(byPath["variables.bandwidth_gbps"]).toBe("must be one of 1, 2, 5, 10 (Gbps; FastConnect offers only these)");
    expect(byPath["variables.fastpath"]).toContain("must be true or false");
    expect(issues.every((i) => i.path.startsWith("variables."))).toBe(true);
  });

  it("reports a number that is not one once, by its variable", () => {
    const issues = issuesOf(() => specFromTicketVariables({ ...SERVICENOW_SEED.variables, bandwidth_gbps: "ten" }));
    expect(issues).toEqual([{ path: "variables.bandwidth_gbps", message: 'must be a whole number, got "ten"' }]);
  });
});

describe("ServiceNow event", () => {
  it("refuses unknown fields and a malformed sys_id by name", () => {
    const issues = issuesOf(() =>
      parseServiceNowEvent({
        table: "change_request",
        sys_id: "nope",
        number: "CHG0031234",
        state: "-1",
        action: "provision",
        requested_by: "a",
        variables: {},
        extra: 1,
      }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(["extra", "sys_id"]);
  });
});

describe("JIRA_FIELD_MAP and Jira events", () => {
  it("names the key of the setting that is wrong", () => {
    const issues = issuesOf(() =>
      parseJiraFieldMap(JSON.stringify({ fields: { bandwidth_gbps: "cf_1" }, actions: { plan: ["Open"], provision: ["open"] } })),
    );
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(["JIRA_FIELD_MAP.fields.bandwidth_gbps", "JIRA_FIELD_MAP.fields"]));
    expect(issuesOf(() => parseJiraFieldMap("{")).map((i) => i.path)).toEqual(["JIRA_FIELD_MAP"]);
    const twice = issuesOf(() =>
      parseJiraFieldMap(
        JSON.stringify({ fields: { interconnect_name: "customfield_10070" }, actions: { plan: ["Open"], provision: ["open"] } }),
      ),
    );
    expect(twice).toEqual([{ path: "JIRA_FIELD_MAP.actions.provision", message: 'status "open" is already mapped to plan' }]);
  });

  it("reads the action from the status and the variables from the mapped fields (options, numbers, Automation ids)", () => {
    const map = parseJiraFieldMap(MAP_TEXT);
    const issue = { ...JIRA_SEED.issue, id: 10001, fields: { ...JIRA_SEED.issue.fields, status: { name: "Implementing" } } };
    const event = parseJiraEvent(issue, map);
    expect(event).toMatchObject({
      action: "provision",
      ticket: { system: "jira", id: "10001", number: "NET-1" },
      requestedBy: "network-ops@example.com",
    });
    expect(specFromTicketVariables(event.variables)).toEqual(exampleSpec());
    expect(
      parseJiraEvent(
        { webhookEvent: "jira:issue_updated", issue: { ...issue, fields: { ...issue.fields, status: { name: "Open" } } } },
        map,
      ).action,
    ).toBeUndefined();
    expect(issuesOf(() => parseJiraEvent({ issue: { ...issue, fields: { ...issue.fields, customfield_10071: [1] } } }, map))).toEqual([
      { path: "issue.fields.customfield_10071", message: "(bandwidth_gbps) must be text, a number, true/false or a single option" },
    ]);
  });
});

describe("milestones", () => {
  const base: OperationObservation = { kind: "provision", current: true, runtimeStatus: "Running", resources: {} };

  it("reports passed milestones once each, in order, and ends with active", () => {
    expect(nextMilestones({ ...base, step: "preflight" }, [])).toEqual({ milestones: [], done: false });
    expect(
      nextMilestones({ ...base, step: "provider", resources: { virtualNetworkId: "v", circuitId: "c" } }, ["preflight-passed"]),
    ).toEqual({ milestones: ["circuit-created", "waiting-for-oracle"], done: false });
    // A fast run seen only at the end still tells the ticket the circuit (billing) exists.
    expect(
      nextMilestones({ ...base, state: "active", runtimeStatus: "Completed", resources: { virtualNetworkId: "v", circuitId: "c" } }, []),
    ).toEqual({ milestones: ["preflight-passed", "circuit-created", "active"], done: true });
  });

  it("reports a failure at pre-flight without claiming pre-flight passed", () => {
    const obs = {
      ...base,
      state: "failed",
      runtimeStatus: "Failed",
      failure: { step: "preflight", code: "NOT_FOUND", message: "x" },
      resources: { virtualNetworkId: "v" },
    };
    expect(nextMilestones(obs, [])).toEqual({ milestones: ["failed"], done: true });
  });

  it("ends a teardown with torn-down or teardown-failed, and a plan with its report", () => {
    expect(nextMilestones({ ...base, kind: "teardown", state: "deleted" }, [])).toEqual({ milestones: ["torn-down"], done: true });
    expect(nextMilestones({ ...base, kind: "teardown", state: "failed", runtimeStatus: "Failed" }, [])).toEqual({
      milestones: ["teardown-failed"],
      done: true,
    });
    expect(nextMilestones({ ...base, kind: "plan", runtimeStatus: "Failed" }, [])).toEqual({ milestones: ["plan-failed"], done: true });
  });
});
