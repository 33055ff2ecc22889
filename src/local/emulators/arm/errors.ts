/** An ARM error answer: HTTP status plus the {"error":{"code","message"}} envelope. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ArmError";
  }

  toBody(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const badRequest = (code: string, message: string): ArmError => new ArmError(400, code, message);

export function resourceNotFound(type: string, name: string, resourceGroup: string): ArmError {
  return new ArmError(
    404,
    "ResourceNotFound",
    `The Resource 'Microsoft.Network/${type}/${name}' under resource group '${resourceGroup}' was not found. ` +
      "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
  );
}

/** Child resources (subnets, peerings) answer NRP's own 404 shape rather than ARM's. */
export function childNotFound(id: string): ArmError {
  return new ArmError(404, "NotFound", `Resource ${id} not found.`);
}

export function invalidReference(referencedId: string, byId: string): ArmError {
  return badRequest(
    "InvalidResourceReference",
    `Resource ${referencedId} referenced by resource ${byId} was not found. ` +
      "Please make sure that the referenced resource exists, and that both resources are in the same region.",
  );
}

export function anotherOperationInProgress(id: string, state: string): ArmError {
  return new ArmError(
    409,
    "AnotherOperationInProgress",
    `Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: ${id}. ` +
      `The resource is in ${state} state.`,
  );
}
