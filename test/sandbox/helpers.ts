import { Sandbox } from '../../sandbox';

export function authHeader(key: string): Record<string, string> {
  return { Authorization: 'Basic ' + Buffer.from(key + ':').toString('base64') };
}

export interface Got {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function get(sb: Sandbox, path: string, key = sb.apiKey): Promise<Got> {
  const r = await fetch(sb.url + path, { headers: authHeader(key) });
  const text = await r.text();
  let body: any = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: r.status, headers: r.headers, body, text };
}

/** Follows _skip/_limit pages until has_more is false. */
export async function pageAll(sb: Sandbox, path: string, limit: number): Promise<any[]> {
  const out: any[] = [];
  const sep = path.includes('?') ? '&' : '?';
  for (let skip = 0; ; skip += limit) {
    const r = await get(sb, `${path}${sep}_skip=${skip}&_limit=${limit}`);
    if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status} ${r.text}`);
    out.push(...r.body.data);
    if (!r.body.has_more) return out;
  }
}

/** Follows /event/ cursors, resending the other filters as clients do. */
export async function eventsAll(sb: Sandbox, query = ''): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  for (;;) {
    const q = [query, cursor ? `_cursor=${encodeURIComponent(cursor)}` : ''].filter(Boolean).join('&');
    const r = await get(sb, '/event/' + (q ? '?' + q : ''));
    if (r.status !== 200) throw new Error(`/event/: HTTP ${r.status} ${r.text}`);
    out.push(...r.body.data);
    cursor = r.body.cursor_next;
    if (!cursor) return out;
  }
}

export const us = (iso: string): number => {
  const m = /\.(\d{6})/.exec(iso);
  return Date.parse(iso) * 1000 + (m ? +m[1].slice(3) : 0);
};
