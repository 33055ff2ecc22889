/** OCI: our route rules (VNet prefixes → DRG) in the VCN's route table. */
import { z } from "zod";
import { cidr, deleteOutcome, ocid, opContext, region, type ActivityFamily } from "./common";

export const routeRulesActivities = {
  ociEnsureRouteRules: {
    input: z.object({
      opContext,
      region,
      routeTableId: ocid("routetable"),
      drgId: ocid("drg"),
      /** VNet address prefixes → DRG. Merged with if-match; rules of others are kept. */
      destinations: z.array(cidr).min(1).max(100),
    }),
    /** destinations: those of our rules now in the table. */
    output: z.object({ routeTableId: z.string(), destinations: z.array(z.string()) }),
  },
  ociRemoveRouteRules: { input: z.object({ opContext, region, routeTableId: ocid("routetable") }), output: deleteOutcome },
} satisfies ActivityFamily;
