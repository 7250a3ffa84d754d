import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {closeMessageOf, isSkipCapMessage} from '../../src/client/close-errors';

describe("isSkipCapMessage: Close's skip-cap 400 in every wording", () => {
  const cap = [
    // recorded (airbytehq/airbyte#20959, tap-closeio), with a space or a line break between the sentences
    'The skip you set is larger than the maximum skip for this resource (max_skip = 250000). Please refine your search query.',
    'The skip you set is larger than the maximum skip for this resource (max_skip = 250000).\nPlease refine your search query.',
    // the newer validator-style wording FACTS.md mentions (not on record: variants of it)
    '_skip must be less than or equal to 250000.',
    'Ensure _skip is less than or equal to 10000',
    'The skip value must be less than or equal to 250000.',
  ];
  for (const message of cap) {
    it(`recognised: ${JSON.stringify(message)}`, () => assert.equal(isSkipCapMessage(message), true));
  }

  it('recognised inside a field-errors body about _skip, as the client reads it', () => {
    const body = JSON.stringify({errors: [], 'field-errors': {_skip: 'Ensure this value is less than or equal to 250000.'}});
    assert.equal(isSkipCapMessage(closeMessageOf(body, 'application/json')), true);
  });

  const other = [
    'The limit you set is larger than the maximum limit for this resource (max_limit = 100).',
    '_skip must be a non-negative integer (got "-1" instead).',
    '_skip must be an integer (got "abc" instead).',
    '_limit must be less than or equal to 100.',
    'Invalid cursor.',
    '',
  ];
  for (const message of other) {
    it(`not a skip cap: ${JSON.stringify(message)}`, () => assert.equal(isSkipCapMessage(message), false));
  }
  it('not a skip cap: no message', () => assert.equal(isSkipCapMessage(undefined), false));
});
