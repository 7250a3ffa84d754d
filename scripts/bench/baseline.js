#!/usr/bin/env node
'use strict';
/**
 * The benchmark's yardstick for CPU cost: the least a Close reader can do.
 * Reads each stream's endpoint serially at its maximum page size (`_skip` /
 * `_limit`, or `_cursor` for /event/), over one keep-alive connection, and
 * prints every record as an Airbyte RECORD line. No schemas, no state, no
 * retries, no custom field columns. A resource Close lists only per parent
 * (a spec with `parent` and `param`) is read after the others, one parent id
 * after another, from the ids its parent stream's records had.
 *
 * Usage: BENCH_API_KEY=… node baseline.js <api_url> '<JSON array of {stream, path, maxPage, paging, params} or {stream, path, maxPage, parent, param}>'
 */
const http = require('http');

const [, , apiUrl, specJson] = process.argv;
const apiKey = process.env.BENCH_API_KEY;
if (!apiUrl || !specJson || !apiKey) {
  process.stderr.write('usage: BENCH_API_KEY=… node baseline.js <api_url> <streams json>\n');
  process.exit(2);
}
const specs = JSON.parse(specJson);
const agent = new http.Agent({keepAlive: true, maxSockets: 1});
const headers = {Authorization: 'Basic ' + Buffer.from(apiKey + ':').toString('base64'), Accept: 'application/json'};

function get(path, params) {
  const url = new URL(apiUrl.replace(/\/$/, '') + path);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  return new Promise((resolve, reject) => {
    const req = http.get(url, {agent, headers}, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`GET ${url.pathname}${url.search}: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
        try {
          resolve(JSON.parse(text));
        } catch (err) {
          reject(new Error(`GET ${url.pathname}: unparseable body: ${err.message}`));
        }
      });
    });
    req.on('error', reject);
  });
}

function write(text) {
  if (process.stdout.write(text)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

/** Ids of the records of the streams some child spec names as its parent. */
const parentIds = new Map(specs.filter((s) => s.parent).map((s) => [s.parent, []]));

async function emit(stream, records) {
  if (records.length === 0) return;
  const ids = parentIds.get(stream);
  if (ids) for (const r of records) ids.push(r.id);
  let out = '';
  for (const data of records) out += JSON.stringify({type: 'RECORD', record: {stream, data, emitted_at: Date.now()}}) + '\n';
  await write(out);
}

async function readStream(spec) {
  const params = {...(spec.params || {}), _limit: spec.maxPage};
  if (spec.paging === 'cursor') {
    let cursor;
    for (;;) {
      const page = await get(spec.path, cursor ? {...params, _cursor: cursor} : params);
      await emit(spec.stream, page.data);
      if (!page.cursor_next || page.data.length === 0) return;
      cursor = page.cursor_next;
    }
  }
  for (let skip = 0; ; ) {
    const page = await get(spec.path, {...params, _skip: skip});
    await emit(spec.stream, page.data);
    if (!page.has_more || page.data.length === 0) return;
    skip += page.data.length;
  }
}

async function readChildren(spec) {
  const ids = parentIds.get(spec.parent);
  if (!specs.some((s) => !s.parent && s.stream === spec.parent)) throw new Error(`${spec.stream}: its parent ${spec.parent} is not read`);
  for (const id of ids) await readStream({stream: spec.stream, path: spec.path, maxPage: spec.maxPage, paging: 'offset', params: {[spec.param]: id}});
}

(async () => {
  for (const spec of specs) await (spec.parent ? readChildren(spec) : readStream(spec));
  agent.destroy();
  await new Promise((resolve) => process.stdout.write('', resolve));
})().catch((err) => {
  process.stderr.write(`baseline: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
});
