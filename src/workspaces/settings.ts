import { z } from 'zod';
import { RateBucketName } from '../auth/rate-limits';

/**
 * Per-workspace settings, stored as JSON in D1 and validated here on every read (a trust
 * boundary). Defaults follow Braze's documented defaults.
 */
export const WorkspaceSettings = z.object({
  /** `/users/track` object caps (contract §1.7, §9.1). */
  track_cap_mode: z.enum(['per_array_75', 'combined_75', 'combined_50']).default('per_array_75'),
  /** Default maximum length of array custom attributes: 25, configurable up to 100. */
  array_max_length: z.number().int().min(1).max(100).default(25),
  /**
   * Hosts (`api.example.com`, `10.0.0.5:8080`) or CIDR blocks Connected Content may call even
   * though they are private or on another port than 80/443. Empty: public hosts only.
   */
  connected_content_allowlist: z.array(z.string().min(1).max(255)).max(100).default([]),
  /** Overrides of the default rate-limit buckets. */
  rate_limits: z
    .partialRecord(
      RateBucketName,
      z.object({
        limit: z.number().int().min(1),
        window_seconds: z.number().int().min(1).max(86_400),
      }),
    )
    .default({}),
});
export type WorkspaceSettings = z.infer<typeof WorkspaceSettings>;

/** Parse a stored settings column; a corrupt column falls back to defaults rather than failing. */
export function parseSettings(json: string): WorkspaceSettings {
  try {
    const parsed = WorkspaceSettings.safeParse(JSON.parse(json));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to defaults
  }
  return WorkspaceSettings.parse({});
}
