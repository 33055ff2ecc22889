/**
 * What `npm start` seeds: one change request and one Jira issue carrying the README example
 * (examples/erp-prod.json) as catalog variables / custom fields, and the credentials of
 * local.settings.sample.json. The custom field ids are those of integrations/jira/field-map.example.json.
 */
export const SERVICENOW_SEED = {
  users: { "interconnect.integration": "local-emulator-password" },
  oauthClients: { "local-emulator-client": "local-emulator-client-secret" },
  change: {
    sys_id: "5f1e2d3c4b5a69788796a5b4c3d2e1f0",
    number: "CHG0031234",
    state: "-4",
    type: "normal",
    short_description: "ExpressRoute <-> FastConnect interconnect erp-prod (1 Gbps, Washington DC)",
  },
  variables: {
    interconnect_name: "erp-prod",
    bandwidth_gbps: "1",
    azure_subscription_id: "11111111-1111-4111-8111-111111111111",
    azure_resource_group: "rg-erp-network",
    azure_location: "eastus",
    er_peering_location: "Washington DC",
    azure_vnet_name: "vnet-erp",
    gateway_subnet_prefix: "10.10.255.0/27",
    oci_region: "us-ashburn-1",
    oci_compartment_ocid: "ocid1.compartment.oc1..aaaaaaaaerpnetwork",
    oci_vcn_ocid: "ocid1.vcn.oc1.iad.aaaaaaaaerpvcn",
    bgp_primary_cidr: "192.168.100.0/30",
    bgp_secondary_cidr: "192.168.100.4/30",
  },
};

export const JIRA_SEED = {
  accounts: { "interconnect-bot@example.com": "local-emulator-jira-token" },
  statuses: [
    { id: "10000", name: "Open", category: "new" },
    { id: "10001", name: "Plan review", category: "indeterminate" },
    { id: "10002", name: "Implementing", category: "indeterminate" },
    { id: "10003", name: "Done", category: "done" },
    { id: "10004", name: "Failed", category: "done" },
    { id: "10005", name: "Decommissioning", category: "indeterminate" },
    { id: "10006", name: "Closed", category: "done" },
  ] as const,
  transitions: [
    { id: "11", name: "Request plan", from: ["Open"], to: "Plan review" },
    { id: "21", name: "Implement", from: ["Open", "Plan review"], to: "Implementing" },
    { id: "31", name: "Complete", from: ["Implementing"], to: "Done" },
    { id: "41", name: "Fail", from: ["Implementing", "Decommissioning"], to: "Failed" },
    { id: "51", name: "Decommission", from: ["Done"], to: "Decommissioning" },
    { id: "61", name: "Close", from: ["Decommissioning"], to: "Closed" },
  ],
  customFields: [
    { id: "customfield_10070", name: "Interconnect name", type: "string" },
    { id: "customfield_10071", name: "Bandwidth (Gbps)", type: "number" },
    { id: "customfield_10072", name: "Azure subscription", type: "string" },
    { id: "customfield_10073", name: "Azure resource group", type: "string" },
    { id: "customfield_10074", name: "Azure location", type: "string" },
    { id: "customfield_10075", name: "ExpressRoute peering location", type: "option" },
    { id: "customfield_10076", name: "Azure virtual network", type: "string" },
    { id: "customfield_10077", name: "GatewaySubnet prefix", type: "string" },
    { id: "customfield_10078", name: "OCI region", type: "option" },
    { id: "customfield_10079", name: "OCI compartment OCID", type: "string" },
    { id: "customfield_10080", name: "OCI VCN OCID", type: "string" },
    { id: "customfield_10081", name: "BGP primary /30", type: "string" },
    { id: "customfield_10082", name: "BGP secondary /30", type: "string" },
  ] as const,
  issue: {
    key: "NET-1",
    status: "Open",
    fields: {
      summary: "ExpressRoute <-> FastConnect interconnect erp-prod (1 Gbps, Washington DC)",
      reporter: { accountId: "557058:network-ops", displayName: "Network Ops", emailAddress: "network-ops@example.com" },
      customfield_10070: "erp-prod",
      customfield_10071: 1,
      customfield_10072: "11111111-1111-4111-8111-111111111111",
      customfield_10073: "rg-erp-network",
      customfield_10074: "eastus",
      customfield_10075: { self: "", value: "Washington DC", id: "10100" },
      customfield_10076: "vnet-erp",
      customfield_10077: "10.10.255.0/27",
      customfield_10078: { self: "", value: "us-ashburn-1", id: "10200" },
      customfield_10079: "ocid1.compartment.oc1..aaaaaaaaerpnetwork",
      customfield_10080: "ocid1.vcn.oc1.iad.aaaaaaaaerpvcn",
      customfield_10081: "192.168.100.0/30",
      customfield_10082: "192.168.100.4/30",
    },
  },
};
