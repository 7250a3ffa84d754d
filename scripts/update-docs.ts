/**
 * Rewrites the generated parts of the docs and of acceptance-test-config.yml
 * from the stream declarations (scripts/docs/tables.ts):
 *   npm run docs            write them
 *   npm run docs -- --check exit 1 if any is stale (writes nothing)
 */
import fs from 'fs';
import path from 'path';
import {BLOCKS, withBlock} from './docs/tables';

const ROOT = path.resolve(__dirname, '..');

export function staleFiles(write: boolean): string[] {
  const files = new Map<string, string>();
  for (const block of BLOCKS) {
    const file = path.join(ROOT, block.file);
    const text = files.get(file) ?? fs.readFileSync(file, 'utf8');
    files.set(file, withBlock(text, block));
  }
  const stale: string[] = [];
  for (const [file, text] of files) {
    if (fs.readFileSync(file, 'utf8') === text) continue;
    stale.push(path.relative(ROOT, file));
    if (write) fs.writeFileSync(file, text);
  }
  return stale;
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  const stale = staleFiles(!check);
  if (check && stale.length) {
    console.error(`stale (run npm run docs): ${stale.join(', ')}`);
    process.exit(1);
  }
  console.error(stale.length ? `${check ? 'stale' : 'updated'}: ${stale.join(', ')}` : 'all generated docs up to date');
}
