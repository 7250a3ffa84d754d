/**
 * The Dockerfile follows Airbyte's image rules (RULES.md I1–I4) without running
 * Docker: entrypoint, labels, user, multi-stage layout, COPY sources, .dockerignore.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import {DockerInstruction, ROOT, dockerfile, metadata, packageJson, parseKeyValues, repoPath, requireBuilt} from './helpers';

const instructions = dockerfile();
const lastStage = Math.max(...instructions.map((i) => i.stage));
const runtime = instructions.filter((i) => i.stage === lastStage);

function envOf(stageInstructions: DockerInstruction[]): Record<string, string> {
  return Object.assign({}, ...stageInstructions.filter((i) => i.op === 'ENV').map((i) => parseKeyValues(i.args)));
}

function labels(): Record<string, string> {
  return Object.assign({}, ...runtime.filter((i) => i.op === 'LABEL').map((i) => parseKeyValues(i.args)));
}

function entrypoint(): string[] {
  const eps = runtime.filter((i) => i.op === 'ENTRYPOINT');
  assert.equal(eps.length, 1, 'the runtime stage has exactly one ENTRYPOINT');
  const parsed = JSON.parse(eps[0].args);
  assert.ok(Array.isArray(parsed) && parsed.every((p) => typeof p === 'string'), 'ENTRYPOINT is in exec (JSON array) form');
  return parsed;
}

/** `COPY [--from=x] [--chown=..] src... dest` → {from, sources, dest}. */
function copyParts(args: string): {from?: string; sources: string[]; dest: string} {
  const words = args.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift()!;
    if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
  }
  assert.ok(words.length >= 2, `COPY needs a source and a destination: ${args}`);
  return {from, sources: words.slice(0, -1), dest: words[words.length - 1]};
}

function stageNames(): Map<string, number> {
  const names = new Map<string, number>();
  for (const i of instructions.filter((x) => x.op === 'FROM')) {
    const m = /\sAS\s+(\S+)\s*$/i.exec(i.args);
    if (m) names.set(m[1], i.stage);
  }
  return names;
}

describe('Dockerfile', () => {
  test('is multi-stage: a build stage compiles from package-lock.json, the runtime stage only copies', () => {
    assert.ok(lastStage >= 1, 'at least two FROM stages');
    const build = instructions.filter((i) => i.stage < lastStage);
    assert.ok(build.some((i) => i.op === 'COPY' && /package-lock\.json/.test(i.args)), 'a build stage copies package-lock.json');
    assert.ok(build.some((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args)), 'a build stage installs with npm ci');
    assert.ok(build.some((i) => i.op === 'RUN' && /npm run build/.test(i.args)), 'a build stage runs npm run build');
    assert.ok(
      build.some((i) => i.op === 'RUN' && /npm (ci|prune)\b.*--omit=dev/.test(i.args)),
      'production dependencies are installed or pruned with --omit=dev'
    );
    for (const i of runtime.filter((x) => x.op === 'RUN')) {
      assert.doesNotMatch(i.args, /\bnpm (ci|install|run)\b/, `the runtime stage builds nothing (line ${i.line})`);
    }
  });

  test('the runtime stage holds only bin/, lib/, resources/, package.json and production node_modules', () => {
    const allowed = new Set(['bin', 'lib', 'resources', 'package.json', 'node_modules']);
    const copies = runtime.filter((i) => i.op === 'COPY' || i.op === 'ADD');
    assert.ok(copies.length > 0);
    const copied = new Set<string>();
    for (const c of copies) {
      assert.equal(c.op, 'COPY', `use COPY, not ADD (line ${c.line})`);
      const {from, sources} = copyParts(c.args);
      assert.ok(from, `runtime COPY takes from a build stage, not the build context (line ${c.line})`);
      for (const src of sources) {
        const base = path.posix.basename(src.replace(/\/+$/, ''));
        assert.ok(allowed.has(base), `runtime stage copies ${src} (line ${c.line}); only ${[...allowed].join(', ')} belong in the image`);
        copied.add(base);
      }
    }
    assert.deepEqual([...copied].sort(), [...allowed].sort(), 'every part the connector needs is copied');
    const nm = copies.find((c) => /node_modules/.test(c.args))!;
    const fromStage = stageNames().get(copyParts(nm.args).from!);
    assert.notEqual(fromStage, undefined, 'node_modules come from a named stage');
    const prodInstall = instructions.filter(
      (i) => i.stage === fromStage && i.op === 'RUN' && /npm (ci|prune)\b.*--omit=dev/.test(i.args)
    );
    assert.ok(prodInstall.length > 0, 'the stage node_modules come from installs or prunes with --omit=dev');
  });

  test('every COPY source from the build context exists in the repo and is not excluded by .dockerignore', () => {
    requireBuilt();
    const ignore = fs
      .readFileSync(repoPath('.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const included = new Set(ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/+$/, '')));
    assert.equal(ignore[0], '*', '.dockerignore starts by excluding everything');
    const names = stageNames();
    for (const c of instructions.filter((i) => i.op === 'COPY')) {
      const {from, sources} = copyParts(c.args);
      for (const src of sources) {
        if (from) {
          // A file produced in a build stage: /build/lib → lib/ after `npm run build`.
          assert.ok(names.has(from), `COPY --from=${from} names a stage (line ${c.line})`);
          const rel = src.replace(/^\/[^/]+\//, '');
          if (rel === 'node_modules') continue;
          assert.ok(fs.existsSync(path.join(ROOT, rel)), `${src} (line ${c.line}) corresponds to ${rel} in the repo after a build`);
        } else {
          const rel = src.replace(/^\.\//, '').replace(/\/+$/, '');
          assert.ok(fs.existsSync(path.join(ROOT, rel)), `COPY source ${src} (line ${c.line}) exists in the repo`);
          assert.ok(included.has(rel), `COPY source ${rel} (line ${c.line}) is let through by .dockerignore`);
        }
      }
    }
    for (const secret of ['secrets', 'node_modules', 'lib', '.git', 'test_files']) {
      assert.ok(!included.has(secret), `.dockerignore keeps ${secret}/ out of the build context`);
    }
  });

  test('ENV AIRBYTE_ENTRYPOINT equals the ENTRYPOINT joined by spaces, with absolute paths (I1, I2)', () => {
    const ep = entrypoint();
    const env = envOf(runtime);
    assert.ok(env.AIRBYTE_ENTRYPOINT, 'AIRBYTE_ENTRYPOINT is set in the runtime stage');
    assert.equal(env.AIRBYTE_ENTRYPOINT, ep.join(' '));
    for (const part of ep) assert.ok(path.posix.isAbsolute(part), `ENTRYPOINT part ${part} is an absolute path`);
    assert.equal(ep[0], '/usr/local/bin/node', 'node of the official node image');
    assert.match(ep[1], /\/bin\/main$/);
    // The script the entrypoint runs is where a COPY puts bin/.
    const binCopy = runtime.find((i) => i.op === 'COPY' && /\/bin\s/.test(i.args + ' '))!;
    const workdirs = runtime.filter((i) => i.op === 'WORKDIR' && i.line < binCopy.line);
    const dest = copyParts(binCopy.args).dest;
    const absDest = path.posix.resolve(workdirs[workdirs.length - 1]?.args ?? '/', dest);
    assert.equal(path.posix.join(absDest, 'main'), ep[1], 'ENTRYPOINT runs the copied bin/main');
  });

  test('labels equal metadata.yaml and package.json (I3)', () => {
    const l = labels();
    const {data} = metadata();
    assert.equal(l['io.airbyte.name'], data.dockerRepository);
    assert.equal(l['io.airbyte.version'], data.dockerImageTag);
    assert.equal(l['io.airbyte.version'], packageJson().version);
  });

  test('runs as the non-root user airbyte with a writable /airbyte (I4)', () => {
    const users = runtime.filter((i) => i.op === 'USER');
    assert.ok(users.length > 0, 'USER is set');
    assert.equal(users[users.length - 1].args, 'airbyte');
    assert.ok(
      runtime.findIndex((i) => i.op === 'USER') > runtime.findIndex((i) => i.op === 'RUN' && /useradd/.test(i.args)),
      'the user is created before USER'
    );
    const setup = runtime.filter((i) => i.op === 'RUN').map((i) => i.args).join(' ; ');
    assert.match(setup, /useradd\b[^;&]*\bairbyte\b/, 'a user airbyte is created');
    assert.match(setup, /mkdir -p \/airbyte\b/, '/airbyte is created');
    assert.match(setup, /chown airbyte:airbyte \/airbyte(\s|$)/, '/airbyte belongs to airbyte');
    const workdirs = runtime.filter((i) => i.op === 'WORKDIR');
    assert.equal(workdirs[workdirs.length - 1].args, '/airbyte', 'the working directory is /airbyte');
  });

  test('the user has the fixed UID/GID 1000 of Airbyte\'s base images, whatever the base image holds at 1000', () => {
    const setup = runtime.filter((i) => i.op === 'RUN').map((i) => i.args).join(' ; ');
    assert.match(setup, /groupadd --gid 1000 airbyte\b/);
    assert.match(setup, /useradd --uid 1000 --gid 1000\b[^;&]*\bairbyte\b/);
    // The official Node image has its `node` user and group at 1000.
    assert.match(setup, /getent passwd 1000[^&]*userdel/, 'a user already at UID 1000 is removed first');
    assert.match(setup, /getent group 1000[^&]*groupdel/, 'a group already at GID 1000 is removed first');
  });

  test('the connector code belongs to root, so the user cannot change it', () => {
    const copies = runtime.filter((i) => i.op === 'COPY');
    for (const c of copies) assert.match(c.args, /--chown=root:root\b/, `line ${c.line} copies as root`);
    const setup = runtime.filter((i) => i.op === 'RUN').map((i) => i.args).join(' ; ');
    assert.doesNotMatch(setup, /chown\s+(-R|--recursive)/, 'nothing is handed to the user recursively');
    const lastCopy = Math.max(...copies.map((c) => c.line));
    for (const r of runtime.filter((i) => i.op === 'RUN' && i.line > lastCopy)) {
      assert.doesNotMatch(r.args, /\bchown\b|\bchmod\b/, `line ${r.line} changes ownership or modes after the code is copied`);
    }
  });

  test('no source maps, TypeScript sources or declarations, or docs of dependencies in the image', () => {
    const build = instructions.filter((i) => i.stage < lastStage && i.op === 'RUN');
    assert.ok(build.some((i) => /npm run build\b.*--sourceMap false/.test(i.args)), 'lib/ is compiled without source maps');
    const prune = build.find((i) => /--omit=dev/.test(i.args))!;
    for (const pattern of ["'*.ts'", "'*.map'", "'*.md'"]) assert.ok(prune.args.includes(pattern), `the production install drops ${pattern}`);
    assert.match(prune.args, /! -iname 'licen\[cs\]e\*'/, 'licences stay');
  });

  test('the base image is Node 20 or newer (package.json engines)', () => {
    const arg = instructions.find((i) => i.op === 'ARG' && /^NODE_IMAGE=/.test(i.args));
    const image = arg ? arg.args.split('=')[1] : instructions.find((i) => i.op === 'FROM')!.args.split(/\s/)[0];
    const m = /^node:(\d+)/.exec(image);
    assert.ok(m, `base image ${image} is an official node image (node at /usr/local/bin/node)`);
    assert.ok(Number(m![1]) >= 20);
  });

  test("the runtime caps V8's old space and keeps its semi-spaces small (issue 11: peak RSS at most 128 MB)", () => {
    const options = envOf(runtime).NODE_OPTIONS ?? '';
    const flag = (name: string) => Number(new RegExp(`--${name}=(\\d+)`).exec(options)?.[1]);
    assert.ok(flag('max-old-space-size') > 0 && flag('max-old-space-size') <= 256, `NODE_OPTIONS=${options}: an old-space cap of at most 256 MB`);
    assert.ok(flag('max-semi-space-size') > 0 && flag('max-semi-space-size') <= 4, `NODE_OPTIONS=${options}: semi-spaces of at most 4 MB`);
  });
});
