/**
 * Endpoints Close refuses for this key or plan. Close documents the codes
 * (https://developer.close.com/api/overview/http-response-codes: 402 "a limit
 * of your current plan was reached", 403 "an operation was not allowed", 404
 * "the URL was not found") and one case (GET /comment_thread/ answers 403 to
 * users with restricted lead visibility), not the bodies: each body here is a
 * GUESS in Close's usual `{"error": "…"}` shape (docs/close-api-behaviour.md).
 */

export type RefusalStatus = 402 | 403 | 404;

/** path prefix after /api/v1 (`/webhook/`) → the status Close refuses it with */
export type RefusalRules = Record<string, RefusalStatus>;

export const REFUSAL_BODIES: Record<RefusalStatus, { error: string }> = {
  // GUESS: the wording of a plan refusal
  402: { error: 'This feature is not available on your current plan. Please upgrade to use it.' },
  // GUESS: the wording of a permission refusal
  403: { error: 'You do not have permission to perform this action.' },
  // werkzeug's 404, as the sandbox answers an unknown URL (GUESS that a missing feature answers the same)
  404: { error: 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.' },
};

/** Ready-made keys and plans: `--refuse-preset NAME`. */
export const REFUSAL_PRESETS: Record<string, RefusalRules> = {
  /** a user with restricted lead visibility (documented: unscoped comment thread lists answer 403) */
  'restricted-user': { '/comment_thread/': 403 },
  /** a plan without Custom Objects and Custom Activities (the codes are GUESSES) */
  'basic-plan': { '/custom_object_type/': 404, '/custom_field/custom_object_type/': 404, '/custom_activity/': 402 },
  /** a non-admin key: settings-like lists refused (GUESS: Close documents no such refusal) */
  'non-admin': { '/webhook/': 403, '/integration_link/': 403, '/export/': 403 },
};

export function isRefusalStatus(n: unknown): n is RefusalStatus {
  return n === 402 || n === 403 || n === 404;
}

/** Parses `--refuse /webhook/=403,/dialer/=402`. */
export function parseRefusals(spec: string): RefusalRules {
  const rules: RefusalRules = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    const path = eq > 0 ? part.slice(0, eq) : '';
    const status = Number(part.slice(eq + 1));
    if (!path.startsWith('/') || !isRefusalStatus(status)) throw new Error(`--refuse wants PATH=402|403|404 pairs, got ${part}`);
    rules[path] = status;
  }
  return rules;
}

/** The refusals in force; the longest matching prefix decides. */
export class Refusals {
  private rules: [string, RefusalStatus][] = [];

  constructor(rules: RefusalRules = {}) {
    this.set(rules);
  }

  set(rules: RefusalRules): void {
    for (const [path, status] of Object.entries(rules)) {
      if (!path.startsWith('/') || !isRefusalStatus(status)) throw new Error(`a refusal maps a path prefix to 402, 403 or 404, got ${path}: ${String(status)}`);
    }
    this.rules = Object.entries(rules).sort((a, b) => b[0].length - a[0].length);
  }

  current(): RefusalRules {
    return Object.fromEntries(this.rules);
  }

  match(path: string): { status: RefusalStatus; body: { error: string } } | null {
    const hit = this.rules.find(([prefix]) => path.startsWith(prefix));
    return hit ? { status: hit[1], body: REFUSAL_BODIES[hit[1]] } : null;
  }
}
