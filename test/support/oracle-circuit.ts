/** The PUT body of an ExpressRoute circuit for OCI as the example spec has it: Oracle Cloud FastConnect at Washington DC, 1 Gbps, Standard metered. */
export const ORACLE_CIRCUIT = {
  location: "eastus",
  sku: { name: "Standard_MeteredData", tier: "Standard" as const, family: "MeteredData" as const },
  serviceProviderProperties: { serviceProviderName: "Oracle Cloud FastConnect", peeringLocation: "Washington DC", bandwidthInMbps: 1000 },
};
