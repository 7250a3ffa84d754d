/**
 * Every package the connector loads at run time is declared in package.json
 * "dependencies", pinned to one exact version, and the lock file installs that
 * version. Found with TypeScript's own import scanner, on the sources (src/,
 * type-only imports included: they must resolve for the build) and on the
 * compiled code the image runs (lib/, bin/main: only what survives
 * compilation, i.e. what `require` really loads).
 *
 * Why: `commander` was imported by src/ but only resolved because the Faros
 * CDK 0.9.21 happens to depend on it and npm hoists it (docs/cdk.md).
 */
import assert from 'node:assert/strict';
import {builtinModules} from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import ts from 'typescript';
import {ROOT, readJson, requireBuilt} from './helpers';

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const pkg = readJson<PackageJson>('package.json');
const dependencies = pkg.dependencies ?? {};
const devDependencies = pkg.devDependencies ?? {};
const BUILTINS = new Set(builtinModules);

function filesUnder(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full, ext));
    else if (ext.test(entry.name)) out.push(full);
  }
  return out;
}

/** `lodash/fp` → lodash, `@scope/pkg/x` → @scope/pkg; undefined for relative paths and Node's own modules. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  if (specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0])) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Package → the files that import it. */
function importedPackages(files: string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      const name = packageOf(ref.fileName);
      if (!name) continue;
      found.set(name, [...(found.get(name) ?? []), path.relative(ROOT, file)]);
    }
  }
  return found;
}

function assertDeclared(found: Map<string, string[]>, where: string): void {
  const undeclared = [...found.entries()]
    .filter(([name]) => !(name in dependencies))
    .map(([name, files]) => `${name} (imported by ${files.slice(0, 3).join(', ')}${name in devDependencies ? '; only a devDependency' : ''})`);
  assert.deepEqual(undeclared, [], `${where} imports packages that package.json "dependencies" does not declare`);
}

const EXACT = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

describe('dependencies', () => {
  const sources = filesUnder(path.join(ROOT, 'src'), /\.ts$/);

  test('the scanner sees the imports it must see', () => {
    assert.ok(sources.length > 20, 'src/ has the connector sources');
    const found = importedPackages(sources);
    for (const name of ['faros-airbyte-cdk', 'commander', 'verror', 'axios']) assert.ok(found.has(name), `src/ imports ${name}`);
    assert.ok(!found.has('fs') && !found.has('node:fs'), "Node's own modules are not packages");
    assert.equal(packageOf('@types/node/fs'), '@types/node');
    assert.equal(packageOf('ajv/dist/core'), 'ajv');
    assert.equal(packageOf('./x'), undefined);
  });

  test('every package src/ imports is a declared production dependency', () => {
    assertDeclared(importedPackages(sources), 'src/');
  });

  test('every package the compiled connector requires (lib/, bin/main) is a declared production dependency', () => {
    requireBuilt();
    const compiled = [...filesUnder(path.join(ROOT, 'lib'), /\.js$/), path.join(ROOT, 'bin', 'main')];
    const found = importedPackages(compiled);
    assert.ok(found.has('commander') && found.has('faros-airbyte-cdk'), 'lib/ requires commander and the CDK');
    assertDeclared(found, 'lib/ or bin/main');
  });

  test('every production dependency is used by src/ (nothing in the image that the connector does not load)', () => {
    const found = importedPackages(sources);
    const unused = Object.keys(dependencies).filter((name) => !found.has(name));
    assert.deepEqual(unused, [], 'dependencies that src/ never imports (move them to devDependencies or drop them)');
  });

  test('every dependency and devDependency is pinned to one exact version', () => {
    const loose = Object.entries({...dependencies, ...devDependencies})
      .filter(([, version]) => !EXACT.test(version))
      .map(([name, version]) => `${name}@${version}`);
    assert.deepEqual(loose, [], 'ranges, tags or URLs instead of exact versions');
  });

  test('package-lock.json declares the same dependencies and installs exactly those versions', () => {
    const lock = readJson<{lockfileVersion: number; packages: Record<string, {version?: string} & PackageJson>}>('package-lock.json');
    assert.ok(lock.lockfileVersion >= 2, 'a lock file with the packages map (npm 7+)');
    const root = lock.packages[''];
    assert.deepEqual(root.dependencies ?? {}, dependencies, 'lock root dependencies = package.json dependencies');
    assert.deepEqual(root.devDependencies ?? {}, devDependencies, 'lock root devDependencies = package.json devDependencies');
    for (const [name, version] of Object.entries({...dependencies, ...devDependencies})) {
      assert.equal(lock.packages[`node_modules/${name}`]?.version, version, `the lock installs ${name}@${version} at the top level`);
    }
  });
});
