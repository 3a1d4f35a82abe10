/**
 * Installs CustomResourceDefinitions from manifest files, as envtest's `CRDDirectoryPaths` does:
 * each path is a YAML/JSON file or a directory of them (not recursive); every document of kind
 * CustomResourceDefinition is created, and its kind is served when this resolves.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { loadAll } from 'js-yaml';
import { customResourceDefinitions } from '../registry/kinds/customresourcedefinition/index.js';
import type { Registry } from '../registry/store.js';
import { isObject } from './types.js';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Creates the CRDs found in `paths`; a missing path, a file that does not parse or an invalid CRD throws. */
export async function installCrds(registry: Registry, paths: readonly string[]): Promise<void> {
  for (const file of await manifestFiles(paths)) {
    for (const doc of loadAll(await readFile(file, 'utf8'))) {
      if (isObject(doc) && doc.kind === customResourceDefinitions.kind)
        await registry.create(customResourceDefinitions, undefined, doc);
    }
  }
}

async function manifestFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if (!(await stat(path)).isDirectory()) {
      files.push(path);
      continue;
    }
    const entries = (await readdir(path)).filter((name) => MANIFEST_EXTENSIONS.has(extname(name))).sort();
    files.push(...entries.map((name) => join(path, name)));
  }
  return files;
}
