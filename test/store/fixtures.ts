import { parseInterconnectSpec, type InterconnectSpec } from "../../src/domain/spec";

/** The README example spec (the public contract), as parseInterconnectSpec accepts it. */
export function exampleSpec(name = "erp-prod"): InterconnectSpec {
  return parseInterconnectSpec({
    name,
    bandwidthGbps: 1,
    azure: {
      subscriptionId: "11111111-1111-4111-8111-111111111111",
      resourceGroup: "rg-erp-network",
      location: "eastus",
      peeringLocation: "Washington DC",
      virtualNetwork: { name: "vnet-erp", gatewaySubnetPrefix: "10.10.255.0/27" },
    },
    oci: {
      region: "us-ashburn-1",
      compartmentId: "ocid1.compartment.oc1..aaaaaaaaerpnetwork",
      vcnId: "ocid1.vcn.oc1.iad.aaaaaaaaerpvcn",
    },
    bgp: { primaryPeeringCidr: "192.168.100.0/30", secondaryPeeringCidr: "192.168.100.4/30" },
  });
}

export const SERVICE_KEY = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

export const PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";
