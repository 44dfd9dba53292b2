/**
 * What the daily digest reads of GitHub insights. The GitHub module provides it (under this token)
 * when it is there; the digest works without it (no insight-based priorities then).
 */
export const AGENT_INSIGHT_SOURCE = Symbol('AGENT_INSIGHT_SOURCE');

export type DigestInsightType =
  | 'new_repo'
  | 'new_release'
  | 'star_milestone'
  | 'company_change'
  | 'bio_change'
  | 'location_change'
  | 'followers_milestone'
  | 'active_again';

export interface DigestInsight {
  id: string;
  contactId: string;
  type: DigestInsightType;
  /** Public facts only ("Ada released v2.0 of fastjson"), never notes or e-mail addresses. */
  title: string;
  description: string | null;
  url: string | null;
  createdAt: Date;
  acknowledged: boolean;
}

export interface AgentInsightSource {
  /** The user's insights created at or after `since`, newest first, at most `limit`. */
  insightsSince(userId: string, since: Date, limit: number): Promise<DigestInsight[]>;
}
