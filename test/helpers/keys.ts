/**
 * The keys the tests hand the connector. Distinctive, so that the secrets
 * test can search everything the connector printed for them.
 */
export const TEST_API_KEY = 'api_4Fq9ZsKxT2vQ7mLpN8wR3cYh';
export const WRONG_API_KEY = 'api_WRONGa8Jd3kQ0zXv5Tn1mPb';

export const ALL_TEST_KEYS = [TEST_API_KEY, WRONG_API_KEY];

/** How a key travels in a Basic-auth header. */
export function basicAuthForm(key: string): string {
  return Buffer.from(`${key}:`).toString('base64');
}
