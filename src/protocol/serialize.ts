/**
 * One Airbyte message per line. sourceStats.recordCount is written with a
 * decimal point ("12.0"): Airbyte reads it as a double and its own CDKs
 * write it that way (RULES.md T3).
 */
export function serializeMessage(msg: object): string {
  const json = JSON.stringify(msg);
  if ((msg as {type?: string}).type === 'STATE') {
    return json.replace(/"sourceStats":\{"recordCount":(\d+)\}/, '"sourceStats":{"recordCount":$1.0}');
  }
  return json;
}
