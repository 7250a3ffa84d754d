/**
 * Defence in depth: errors and log lines are built without the API key, but
 * anything that reaches a LOG or TRACE line passes through here as well, so a
 * key echoed back by a proxy or a library's error text is masked too.
 */
const secrets = new Set<string>();

export function registerSecret(secret: string): void {
  if (!secret || secret.length < 4) return;
  secrets.add(secret);
  secrets.add(Buffer.from(`${secret}:`).toString('base64'));
  secrets.add(encodeURIComponent(secret));
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('****');
  }
  return out;
}
