import path from 'path';
import fs from 'fs';

/** Resources sit beside lib/ in the repo, the npm package and the image alike. */
export const RESOURCES_DIR = path.resolve(__dirname, '..', '..', 'resources');

export interface ConnectorSpecification {
  documentationUrl: string;
  connectionSpecification: {
    properties: Record<string, {default?: unknown; [k: string]: unknown}>;
    [k: string]: unknown;
  };
}

let cached: ConnectorSpecification | undefined;

export function loadSpec(): ConnectorSpecification {
  if (!cached) {
    cached = JSON.parse(fs.readFileSync(path.join(RESOURCES_DIR, 'spec.json'), 'utf8'));
  }
  return cached as ConnectorSpecification;
}
