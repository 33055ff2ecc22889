export { exampleSpec } from "../support/example-spec";

export const SERVICE_KEY = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

export const PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";
