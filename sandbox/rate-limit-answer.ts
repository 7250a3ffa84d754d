import { createHash } from 'node:crypto';
import { RateDecision } from './rate-limit';
import { RateLimitOptions } from './types';

const MESSAGE = 'API call count exceeded for this period';

/** The body of a 429 in the chosen shape (see RateLimitOptions.body), or '' for none. */
export function tooManyBody(d: RateDecision, group: string, shape: RateLimitOptions['body'] = 'recorded'): string {
  if (shape === 'none') return '';
  if (shape === 'nested') {
    return JSON.stringify({
      error: { message: MESSAGE, rate_reset: Math.round(d.reset * 1000) / 1000, rate_limit: d.limit, rate_window: 1, rate_limit_type: d.type },
    });
  }
  // Recorded: {"message": …, "rate_endpoint_group": "<hex>", "rate_limit": 320, "rate_limit_type": "key",
  // "rate_reset": "0.595956", "rate_window": 8}.
  return JSON.stringify({
    message: MESSAGE,
    rate_endpoint_group: createHash('md5').update(group).digest('hex'),
    rate_limit: d.limit,
    rate_limit_type: d.type,
    rate_reset: d.reset.toFixed(6),
    rate_window: 1,
  });
}
