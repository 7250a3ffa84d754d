/** metadata.yaml is valid for Airbyte (RULES.md M1, M2) and agrees with package.json and the spec. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {describe, test} from 'node:test';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import {metadata, packageJson, readJson, repoPath, requireBuilt, runMain} from './helpers';

/** Drops `$id`/`$schema` of nested sub-schemas (not of property names). */
function unnest(node: any, isPropertiesMap = false): void {
  if (Array.isArray(node)) return node.forEach((n) => unnest(n));
  if (!node || typeof node !== 'object') return;
  for (const key of Object.keys(node)) {
    if (!isPropertiesMap && (key === '$id' || key === '$schema') && typeof node[key] === 'string') delete node[key];
    else unnest(node[key], !isPropertiesMap && (key === 'properties' || key === 'definitions'));
  }
}

/**
 * Airbyte's schema as vendored, with two repairs that Airbyte's own tooling
 * (pydantic models generated from the YAML, never a JSON Schema validator) does
 * not need:
 * - the file is the YAML sources bundled into one document, so the sub-schemas
 *   keep their own `$id`s while their `$ref`s (#/properties/data/...) point into
 *   the bundle's root: the nested `$id`/`$schema` are dropped so refs resolve
 *   against the root, as the bundle intends;
 * - generated.metrics.{all,cloud,oss} say `type: ConnectorMetric` (a definition
 *   name where a JSON type belongs): they become refs to that definition.
 * Everything else is used as is, and ajv meta-validates the result.
 */
function metadataValidator() {
  const schema = readJson('test_files/airbyte/ConnectorMetadataDefinitionV0.json');
  for (const key of Object.keys(schema)) if (key !== '$schema' && key !== '$id') unnest(schema[key], key === 'properties');
  const metrics = schema.properties.data.properties.generated.properties.metrics;
  let repaired = 0;
  for (const key of Object.keys(metrics.properties)) {
    if (metrics.properties[key].type === 'ConnectorMetric') {
      metrics.properties[key] = {$ref: '#/properties/data/properties/generated/properties/metrics/definitions/ConnectorMetric'};
      repaired++;
    }
  }
  assert.equal(repaired, 3, 'the vendored schema still has the three ConnectorMetric type names this repair expects');
  // strict: false because the schema carries annotation keywords ajv does not know; it still meta-validates.
  const ajv = new Ajv({allErrors: true, strict: false});
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('metadata.yaml', () => {
  test('validates against ConnectorMetadataDefinitionV0', () => {
    const validate = metadataValidator();
    const ok = validate(metadata());
    assert.ok(ok, JSON.stringify(validate.errors, null, 2));
  });

  test('the schema rejects what it should (the validator really checks)', () => {
    const validate = metadataValidator();
    const good = metadata();
    assert.equal(validate({...good, data: {...good.data, definitionId: 'not-a-uuid'}}), false);
    assert.equal(validate({...good, data: {...good.data, unknownKey: 1}}), false);
    assert.equal(validate({...good, data: {...good.data, releaseStage: 'ga'}}), false);
  });

  test('has the fields the issue names, with our values', () => {
    const {metadataSpecVersion, data} = metadata();
    assert.equal(typeof metadataSpecVersion, 'string');
    const pkg = packageJson();
    assert.equal(data.connectorType, 'source');
    assert.equal(data.connectorSubtype, 'api');
    assert.equal(data.releaseStage, 'alpha');
    assert.equal(data.supportLevel, 'community');
    assert.equal(data.license, pkg.license);
    assert.equal(data.dockerImageTag, pkg.version, 'dockerImageTag = package.json version');
    assert.match(data.dockerRepository, /^[a-z0-9]+([._-][a-z0-9]+)*\/[a-z0-9]+([._-][a-z0-9]+)*$/, 'a valid repository name');
    assert.match(data.definitionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(data.githubIssueLabel);
    assert.deepEqual(data.allowedHosts, {hosts: ['api.close.com']});
  });

  test('documentationUrl and allowed host agree with the spec the connector prints', () => {
    requireBuilt();
    const spec = runMain(['spec']).find((m) => m.type === 'SPEC').spec;
    const {data} = metadata();
    assert.equal(data.documentationUrl, spec.documentationUrl);
    const apiUrl = new URL(spec.connectionSpecification.properties.api_url.default);
    assert.ok(data.allowedHosts.hosts.includes(apiUrl.hostname), `allowedHosts lists ${apiUrl.hostname}, the default api_url host`);
  });

  test('icon names an SVG beside metadata.yaml: well-formed, self-contained, small', () => {
    const {data} = metadata();
    assert.equal(data.icon, 'icon.svg');
    const svg = fs.readFileSync(repoPath(data.icon), 'utf8');
    assert.ok(svg.length < 10_000, `${svg.length} bytes`);
    assert.match(svg, /^<svg\b[^>]*\bxmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /\bviewBox="0 0 \d+ \d+"/);
    assert.match(svg.trim(), /<\/svg>$/);
    assert.doesNotMatch(svg, /<script|<foreignObject|href=|url\(|@import/i, 'no scripts, links or external resources');
  });

  test('documentationUrl points at the user docs page in this repository, in the shape of Airbyte\'s source pages', () => {
    const {data} = metadata();
    const m = /^https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/main\/(.+)$/.exec(data.documentationUrl);
    assert.ok(m, data.documentationUrl);
    const page = fs.readFileSync(repoPath(m![1]), 'utf8');
    const headings = page.split('\n').filter((l) => /^##? /.test(l)).map((l) => l.replace(/^#+ /, ''));
    for (const h of ['Prerequisites', 'Setup guide', 'Supported sync modes', 'Supported streams', 'Performance considerations', 'Changelog']) {
      assert.ok(headings.includes(h), `the page has a "${h}" section: ${JSON.stringify(headings)}`);
    }
    assert.match(page, /\| Version \| Date \| Pull Request \| Subject \|/, 'the changelog is Airbyte\'s table');
    assert.ok(page.includes(`| ${packageJson().version} |`), 'the changelog lists the current version');
    for (const stream of readJson<any>('test_files/configured_catalog.json').streams.map((s: any) => s.stream.name)) {
      assert.ok(page.includes(`\`${stream}\``), `the page lists stream ${stream}`);
    }
  });
});

