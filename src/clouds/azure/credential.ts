import { DefaultAzureCredential } from "@azure/identity";
import type { TokenCredential, AccessToken } from "@azure/identity";

export type AzureCredentialKind = "default" | "emulator";

/**
 * The local ARM emulator accepts one configured bearer token; everything else about the request
 * (TLS, the bearer policy, the pipeline) is exactly what goes to Azure.
 */
export class EmulatorTokenCredential implements TokenCredential {
  constructor(private readonly token: string) {
    if (!token) throw new Error('AZURE_EMULATOR_TOKEN is required when AZURE_CREDENTIAL is "emulator"');
  }

  async getToken(): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 };
  }
}

export function createAzureCredential(kind: AzureCredentialKind, emulatorToken?: string): TokenCredential {
  if (kind === "emulator") return new EmulatorTokenCredential(emulatorToken ?? "");
  // Managed identity when deployed; developer sign-ins (az, azd, VS Code) on a workstation.
  return new DefaultAzureCredential();
}
