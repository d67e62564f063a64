/**
 * Campaign policies (owned by the campaigns area): the retry policy of a campaign, the VDN's
 * business-result definitions, and the columns migrations/003-policies.ts adds to `campaigns`.
 */
import type { Generated } from 'kysely';

/**
 * One retry policy per campaign. The wire fields are kept as the client sent them
 * (`policy_json` verbatim, quotes and all) so a query returns what was set; the engine turns
 * them into a typed structure with `parseRetryPolicy` (domain/retry-policy.ts), the same parser
 * that validated them on the way in.
 */
export interface RetryPolicyTable {
  /** `retryPolicyId` on the wire (as a string); stable across later sets. */
  id: Generated<number>;
  campaign_id: number;
  vdn_id: number;
  /** 0 global, 1 by number type. */
  policy_type: number;
  /** The `policyJson` string as received ("[]" when only a busiPolicy was given). */
  policy_json: string;
  /** JSON array text of external result codes that are never retried. */
  no_retry_policy: string;
  /** JSON array text of the normalised busiPolicy rules. */
  busi_policy: string;
  created_at: number;
  updated_at: number;
}

/** Business-result definitions: a two-level tree per VDN (parent_id null = top level). */
export interface BusinessResultTable {
  id: Generated<number>;
  vdn_id: number;
  parent_id: number | null;
  name: string;
  /** Unique per VDN across both levels when present. */
  code: string | null;
  description: string | null;
  created_at: number;
}

export interface PolicyTables {
  retry_policies: RetryPolicyTable;
  business_results: BusinessResultTable;
}
