/**
 * OCI's error envelope: every failure is `{"code","message"}` with the HTTP status and code pairs of
 * https://docs.oracle.com/en-us/iaas/Content/API/References/apierrors.htm, so the SDK builds the
 * same OciError (statusCode, serviceCode) it builds against the real service and its retry rules apply.
 */
export class OciApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string): OciApiError =>
  new OciApiError(404, "NotAuthorizedOrNotFound", `Authorization failed or requested resource not found: ${what} ${id}`);

export const invalidParameter = (field: string, why: string): OciApiError => new OciApiError(400, "InvalidParameter", `${field}: ${why}`);

export const missingParameter = (field: string): OciApiError => new OciApiError(400, "MissingParameter", `${field}: a value is required`);

export const relatedNotFound = (field: string, id: string): OciApiError =>
  new OciApiError(400, "RelatedResourceNotAuthorizedOrNotFound", `${field}: resource ${id} not found or not authorized`);

/** Transient: the resource is in a lifecycle state that does not allow the operation yet (the SDK retries this). */
export const incorrectState = (message: string): OciApiError => new OciApiError(409, "IncorrectState", message);

/** Not transient: another resource depends on this one, or the request contradicts existing state. */
export const conflict = (message: string): OciApiError => new OciApiError(409, "Conflict", message);

export const notAuthenticated = (why: string): OciApiError =>
  new OciApiError(401, "NotAuthenticated", `The required information to complete authentication was not provided or was incorrect: ${why}`);
