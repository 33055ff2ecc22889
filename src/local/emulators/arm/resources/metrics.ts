import { ArmError, badRequest } from "../errors";
import type { ArmNetwork, Reply } from "../network";
import { CONNECTION_MONITOR_TYPE, monitorResults } from "./network-watchers";

/**
 * Azure Monitor metrics of a connection monitor (GET {monitor id}/providers/Microsoft.Insights/metrics,
 * api-version 2024-02-01), the only place Connection Monitor v2 reports results through ARM. The metric
 * names, units and the TestConfigurationName dimension are those of Microsoft's "Supported metrics -
 * Microsoft.Network/networkWatchers/connectionMonitors"; one datapoint per series (interval FULL).
 */
export const METRICS_API_VERSION = "2024-02-01";
const METRICS = { ChecksFailedPercent: "Percent", RoundTripTimeMs: "MilliSeconds" } as const;
type MetricName = keyof typeof METRICS;
const NAMESPACE = "Microsoft.Network/networkWatchers/connectionMonitors";

export function listMetrics(net: ArmNetwork, resourceId: string, query: URLSearchParams): Reply {
  const r = net.get(resourceId);
  if (!r || r.type !== CONNECTION_MONITOR_TYPE) {
    throw new ArmError(404, "ResourceNotFound", `The Resource '${resourceId}' was not found.`);
  }
  const names = (query.get("metricnames") ?? "").split(",").filter(Boolean);
  if (names.length === 0) throw badRequest("BadRequest", "metricnames is required.");
  const unknown = names.filter((n) => !(n in METRICS));
  if (unknown.length) {
    throw badRequest(
      "BadRequest",
      `Failed to find metric configuration for provider: Microsoft.Network, resource Type: networkWatchers/connectionMonitors, metric: ${unknown.join(", ")}, Valid metrics: ${Object.keys(METRICS).join(",")}`,
    );
  }
  const namespace = query.get("metricnamespace");
  if (namespace !== null && namespace.toLowerCase() !== NAMESPACE.toLowerCase()) {
    throw badRequest("BadRequest", `Metric namespace '${namespace}' is not valid for this resource; use ${NAMESPACE}.`);
  }
  const timespan = query.get("timespan") ?? "";
  const [from, to] = timespan.split("/");
  if (!from || !to || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to)) || Date.parse(from) >= Date.parse(to)) {
    throw badRequest("BadRequest", `Invalid timespan '${timespan}': expected 'start/end' ISO 8601 times, start before end.`);
  }
  const results = monitorResults(r);
  const value = (names as MetricName[]).map((name) => ({
    id: `${r.id}/providers/Microsoft.Insights/metrics/${name}`,
    type: "Microsoft.Insights/metrics",
    name: { value: name, localizedValue: name },
    unit: METRICS[name],
    errorCode: "Success",
    timeseries: [...results].map(([test, result]) => ({
      metadatavalues: [{ name: { value: "testconfigurationname", localizedValue: "TestConfigurationName" }, value: test }],
      data: [
        {
          timeStamp: new Date(from).toISOString(),
          average: name === "ChecksFailedPercent" ? result.checksFailedPercent : result.roundTripTimeMs,
        },
      ],
    })),
  }));
  return {
    status: 200,
    body: { cost: 0, timespan, interval: "FULL", namespace: NAMESPACE, resourceregion: r.location, value },
  };
}
