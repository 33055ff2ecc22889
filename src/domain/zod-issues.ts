import { z } from "zod";
import type { ValidationIssue } from "./errors";

/** "azure.virtualNetwork.name", "tags.costCenter", "[3].peeringLocations[0]". */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/**
 * One issue per offending field: zod reports all unknown keys of an object in a single issue,
 * but clients need each unknown field's own path.
 */
export function issuesFromZod(error: z.ZodError): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) issues.push({ path: formatPath([...issue.path, key]), message: issue.message });
    } else {
      issues.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return issues;
}

/** A zod object that rejects unknown fields and says which fields are allowed there. */
export function strictObject<T extends z.ZodRawShape>(shape: T, what = "an object") {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field; allowed fields here: ${allowed}`
        : issue.input === undefined
          ? `required: ${what}`
          : `must be ${what}`,
  });
}

/** Message for a required field that is missing vs. present but wrong. */
export function requiredOr(expected: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? `required: ${expected}` : `must be ${expected}`);
}
