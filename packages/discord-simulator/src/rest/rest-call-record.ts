/** One REST request as the simulator received and answered it. */
export interface RestCallRecord {
  method: string;
  /** The path with tokens replaced by `:token`, e.g. `/interactions/123/:token/callback`. */
  route: string;
  /** The real path after `/api/v{n}` (contains interaction tokens: never log it). */
  path: string;
  status: number;
  requestBody: unknown;
  responseBody: unknown;
  receivedAt: number;
  respondedAt: number;
  bucket?: string;
  /** The X-Audit-Log-Reason header, URL-decoded as Discord does: what the guild's audit log would show. */
  auditLogReason?: string;
  /** Set on 429s: which limit was hit. */
  rateLimitScope?: 'user' | 'global' | 'shared';
}
