#!/usr/bin/env node
// Packs the four published packages (@sigmesh/protocol, client, demo, node) into OUT_DIR and
// writes beside the tarballs a package.json and a package-lock.json that install them together:
//
//   node scripts/pack-release.mjs [--no-build] [OUT_DIR]      (default OUT_DIR: release/)
//   cd OUT_DIR && npm ci --omit=dev                            (or copy OUT_DIR to a server first)
//
// Why a lockfile: the packages are not on the npm registry yet, so they must install from their
// tarballs, and @sigmesh/node's dependency on @sigmesh/demo and @sigmesh/protocol must resolve to
// the sibling tarballs, not the registry. The lockfile is cut from the workspace's own
// package-lock.json (the exact versions CI tests), following only the dependencies the packed
// package.json files declare — a dependency missing from a package.json is therefore missing from
// the install, as it would be for a user. It also lets the install run without the network when
// the npm cache already holds those tarballs (`npm ci` of the workspace puts them there):
// `npm ci --offline` is how the packed-install test installs inside a network namespace, and the
// container image installs the same pinned versions (Dockerfile).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Workspace directory of each published package, in dependency order. */
export const PUBLISHED = {
  '@sigmesh/protocol': 'packages/protocol',
  '@sigmesh/client': 'packages/client',
  '@sigmesh/demo': 'apps/demo',
  '@sigmesh/node': 'packages/node',
};

/** Lockfile fields that describe the workspace's root rather than the package itself. */
const ROOT_RELATIVE_FLAGS = ['dev', 'devOptional', 'peer', 'extraneous'];

/**
 * The lock locations a package at `from` may load `name` from, nearest first (Node's lookup:
 * its own node_modules, then each enclosing one up to the root).
 */
function candidates(from, name) {
  const out = [];
  let base = from;
  for (;;) {
    out.push(base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`);
    if (base === '') return out;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut >= 0 ? base.slice(0, cut) : '';
  }
}

/** Where a workspace lock location lands in the release tree (workspaces go to node_modules/@sigmesh/*). */
function relocate(location) {
  for (const [name, dir] of Object.entries(PUBLISHED)) {
    if (location === dir || location.startsWith(`${dir}/`))
      return `node_modules/${name}${location.slice(dir.length)}`;
  }
  return location;
}

/**
 * The release lockfile: root → the tarballs; every other entry copied from the workspace lock for
 * the packages the published manifests reach through dependencies, optionalDependencies present
 * in the lock, and non-optional peers (npm installs neither optional peers nor devDependencies).
 */
export function releaseLock(workspaceLock, packed) {
  const lockPackages = workspaceLock.packages;
  const entries = { '': { name: 'sigmesh-release', dependencies: {} } };
  const queue = [];
  for (const [name, dir] of Object.entries(PUBLISHED)) {
    const tarball = packed[name];
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    entries[''].dependencies[name] = `file:${tarball.filename}`;
    entries[relocate(dir)] = {
      version: manifest.version,
      resolved: `file:${tarball.filename}`,
      integrity: tarball.integrity,
      ...(manifest.license === undefined ? {} : { license: manifest.license }),
      ...(manifest.dependencies === undefined ? {} : { dependencies: manifest.dependencies }),
      ...(manifest.bin === undefined ? {} : { bin: manifest.bin }),
      ...(manifest.engines === undefined ? {} : { engines: manifest.engines }),
    };
    queue.push({ location: dir, manifest });
  }
  const visited = new Set(Object.values(PUBLISHED));
  while (queue.length > 0) {
    const { location, manifest } = queue.shift();
    const wanted = { ...manifest.dependencies, ...manifest.optionalDependencies };
    for (const [peer, range] of Object.entries(manifest.peerDependencies ?? {}))
      if (manifest.peerDependenciesMeta?.[peer]?.optional !== true) wanted[peer] = range;
    for (const name of Object.keys(wanted)) {
      if (PUBLISHED[name] !== undefined) continue;
      const found = candidates(location, name).find((c) => lockPackages[c] !== undefined);
      if (found === undefined) {
        if (manifest.optionalDependencies?.[name] !== undefined) continue; // another platform's
        throw new Error(`pack-release: ${location} needs ${name}, which package-lock.json lacks`);
      }
      if (visited.has(found)) continue;
      visited.add(found);
      const entry = { ...lockPackages[found] };
      if (entry.link) throw new Error(`pack-release: ${found} is a workspace link, not published`);
      for (const flag of ROOT_RELATIVE_FLAGS) delete entry[flag];
      entries[relocate(found)] = entry;
      queue.push({ location: found, manifest: entry });
    }
  }
  const sorted = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { name: 'sigmesh-release', lockfileVersion: 3, requires: true, packages: sorted };
}

/** Packs into `outDir` and writes its package.json and package-lock.json; returns the tarball paths. */
export function packRelease(outDir, { build = true } = {}) {
  if (build)
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  mkdirSync(outDir, { recursive: true });
  for (const name of readdirSync(outDir))
    if (name.endsWith('.tgz') || name.startsWith('package')) rmSync(join(outDir, name));
  const workspaces = Object.values(PUBLISHED).flatMap((dir) => ['-w', dir]);
  const json = execFileSync(
    'npm',
    ['pack', '--json', '--silent', '--pack-destination', outDir, ...workspaces],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const packed = Object.fromEntries(JSON.parse(json).map((p) => [p.name, p]));
  const lock = releaseLock(
    JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')),
    packed,
  );
  const manifest = {
    name: 'sigmesh-release',
    version: '0.0.0',
    private: true,
    description: 'The sigmesh packages from their tarballs, pinned to the versions CI tested',
    dependencies: lock.packages[''].dependencies,
  };
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(outDir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  return Object.values(packed).map((p) => join(outDir, p.filename));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const build = !args.includes('--no-build');
  const outDir = resolve(args.find((a) => !a.startsWith('--')) ?? join(root, 'release'));
  for (const tarball of packRelease(outDir, { build })) console.log(tarball);
  console.log(`${join(outDir, 'package.json')}\n${join(outDir, 'package-lock.json')}`);
}
