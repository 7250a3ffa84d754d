import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import VError from 'verror';
import {apiError} from '../../src/client/close-errors';
import {failureTypeOf} from '../../src/errors';
import {probePath} from '../../src/source/probe';
import {needOf, refusalOutcome} from '../../src/source/refusals';
import {streamClass, streamInfo} from '../../src/streams/registry';

/** Close's refusal as the client raises it (src/client/close-client.ts). */
function refused(status: number, endpoint = 'GET /webhook/', stream = 'webhooks'): VError {
  const message = status === 403 ? 'the API key is not allowed to read this (403): nope' : `Close answered ${status}: nope`;
  return apiError(`${endpoint} (stream ${stream}): ${message}`, {failureType: status === 403 ? 'config_error' : 'system_error', endpoint, status, closeMessage: 'nope', stream});
}

const info = (name: string) => streamClass(name).info;

describe('refusals (src/source/refusals.ts): what the read loop does with a refused stream', () => {
  it('402 and 403 before any record skip an optional stream, with a line naming what it needs', () => {
    for (const status of [402, 403]) {
      const outcome = refusalOutcome(refused(status), info('webhooks'), 0);
      assert.ok(outcome && 'skip' in outcome, String(status));
      assert.match(outcome.skip, new RegExp(`^Stream webhooks skipped: Close refuses this key or plan: GET /webhook/ answered ${status} \\(nope\\); it needs a permission or plan feature Close does not document`));
    }
    const threads = refusalOutcome(refused(403, 'GET /comment_thread/', 'comment_threads'), info('comment_threads'), 0);
    assert.ok(threads && 'skip' in threads);
    assert.match(threads.skip, /it needs the permission to see all leads/);
  });

  it('a 404 is a refusal only where the stream declares a plan feature', () => {
    const feature = refusalOutcome(refused(404, 'GET /custom_object_type/', 'custom_object_types'), info('custom_object_types'), 0);
    assert.ok(feature && 'skip' in feature);
    assert.match(feature.skip, /needs the plan feature Custom Objects/);
    assert.equal(refusalOutcome(refused(404, 'GET /role/', 'roles'), info('roles'), 0), undefined);
  });

  it('after a record, or for any other status (401, 400, 5xx, a network error), the error stands', () => {
    assert.equal(refusalOutcome(refused(403), info('webhooks'), 1), undefined);
    for (const status of [400, 401, 429, 500, 503]) assert.equal(refusalOutcome(refused(status), info('webhooks'), 0), undefined, String(status));
    assert.equal(refusalOutcome(new Error('socket hang up'), info('webhooks'), 0), undefined);
  });

  it("a refused Stitch table fails with a config_error that keeps Close's answer and names the need", () => {
    for (const status of [402, 403]) {
      const outcome = refusalOutcome(refused(status, 'GET /task/', 'tasks'), info('tasks'), 0);
      assert.ok(outcome && 'fail' in outcome);
      assert.equal(failureTypeOf(outcome.fail), 'config_error');
      assert.match(outcome.fail.message, /^Stream tasks is one of Stitch's six core tables, so a refusal fails it instead of skipping it \(it needs .*\): GET \/task\/ \(stream tasks\): /);
    }
  });

  it('every declared need reads as a phrase', () => {
    for (const s of streamInfo().filter((i) => i.requires)) {
      assert.ok(s.requires!.feature || s.requires!.permission, s.name);
      assert.match(needOf(s), /^the (permission|plan feature) /, s.name);
      assert.ok(!s.stitch, `${s.name}: a Stitch table is never skipped, so it declares no need`);
    }
  });
});

describe('probe paths (src/source/probe.ts): one cheap request per stream for check', () => {
  it('every stream but the children and POSTs has a GET path; memberships get the organization id', () => {
    for (const s of streamInfo()) {
      const p = probePath(s, 'orga_1');
      if (s.kind === 'child') assert.equal(p, undefined, s.name);
      else if (s.endpoint.startsWith('GET ')) assert.match(p ?? '', /^\/[a-z_/]+\/$|^\/organization\/orga_1\/$/, `${s.name}: ${p}`);
    }
    assert.equal(probePath(info('memberships'), 'orga_1'), '/organization/orga_1/');
    assert.equal(probePath(info('memberships'), undefined), undefined);
    assert.equal(probePath(info('groups'), undefined), '/group/');
    assert.equal(probePath(info('tasks'), undefined), '/task/');
    assert.equal(probePath(info('smart_views'), undefined), '/saved_search/');
  });
});
