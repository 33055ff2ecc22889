/** OCI: our route rules (VNet prefixes → DRG) in the VCN's route table. */
import { z } from "zod";
import { cidr, compartmentOcid, ocid, opContext, region, type ActivityFamily } from "./common";
import { releaseBeforeDelete, sharedDeleteOutcome } from "./usage";

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
    /** destinations: those now routed to the DRG; created: those this call wrote (the others were there, another interconnect's or someone's). */
    output: z.object({ routeTableId: z.string(), destinations: z.array(z.string()), created: z.array(z.string()).optional() }),
  },
  ociRemoveRouteRules: {
    /**
     * compartmentId: where to look for other virtual circuits on the rules' DRG (absent in histories written before it).
     * destinations + drgId: the rules prefix → DRG that may be removed (any interconnect's rule of this service);
     * absent: this interconnect's own rules, found by their description.
     * release: the rules' usage rows (one per destination): released first, and only the destinations whose
     * row allows it are removed (requires destinations + drgId).
     */
    input: z
      .object({
        opContext,
        region,
        routeTableId: ocid("routetable"),
        compartmentId: compartmentOcid.optional(),
        destinations: z.array(cidr).max(100).optional(),
        drgId: ocid("drg").optional(),
        release: releaseBeforeDelete.optional(),
      })
      .refine((i) => i.release === undefined || (i.destinations !== undefined && i.drgId !== undefined), {
        message: "release needs destinations and drgId",
        path: ["release"],
      }),
    output: sharedDeleteOutcome,
  },
} satisfies ActivityFamily;
