// Loads the function's handler named by _HANDLER, the way Lambda's Node.js
// runtime does.
//
// _HANDLER = "<dir/>file.export[.nested...]":
//   * the part up to the last "/" is a directory under the task root,
//   * the last path component is split at its FIRST dot: the file name
//     (without extension) and a dotted property path into the module.
//
// The file is looked up under LAMBDA_TASK_ROOT in this order:
//   1. "<path>" exactly (a file, or a directory loaded by require() through
//      its package.json "main" / index.js) .......................... require()
//   2. "<path>.js" when the nearest package.json is not "type":"module" require()
//   3. "<path>.js" when it is "type":"module" ......................... import()
//   4. "<path>.mjs" .................................................. import()
//   5. "<path>.cjs" .................................................. require()
//   6. node's own resolution of the bare name from the task root and
//      the handler's directory (node_modules, NODE_PATH) ............ require()
// A candidate whose module value is falsy is skipped.
//
// Failures:
//   ".." anywhere in the handler     -> Runtime.MalformedHandlerName
//   no "." in the last component     -> Runtime.MalformedHandlerName "Bad handler"
//   SyntaxError while loading        -> Runtime.UserCodeSyntaxError
//   MODULE_NOT_FOUND while loading   -> Runtime.ImportModuleError
//   any other error at module scope  -> that error, unchanged
//   missing / falsy export           -> Runtime.HandlerNotFound "<h> is undefined or not exported"
//   export is not a function         -> Runtime.HandlerNotFound "<h> is not a function"

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import {
  HandlerNotFound,
  ImportModuleError,
  MalformedHandlerName,
  UserCodeSyntaxError,
} from './errors.mjs';

// require() as seen from the bootstrap, so "Require stack" lines in import
// errors name the bootstrap as the requiring module.
const runtimeRequire = createRequire(new URL('../bootstrap.mjs', import.meta.url));

function requireIfExists(file) {
  return fs.existsSync(file) ? runtimeRequire(file) : undefined;
}

async function importIfExists(file) {
  return fs.existsSync(file) ? import(pathToFileURL(file).href) : undefined;
}

// Whether the nearest package.json at or above `dir` declares "type":"module".
// The search stops (answer: no) at a node_modules directory or at "/". An
// unreadable package.json counts as "no", with a warning.
export function isTypeModuleDir(dir) {
  for (;;) {
    if (dir.endsWith('/node_modules')) return false;
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(pj));
        if (pkg) return pkg.type === 'module';
      } catch (e) {
        console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
        return false;
      }
    }
    if (dir === '/') return false;
    dir = path.resolve(dir, '..');
  }
}

async function loadModule(taskRoot, moduleDir, moduleName) {
  const base = path.resolve(taskRoot, moduleDir, moduleName);

  const exact = requireIfExists(base);
  if (exact) return exact;

  const typeModule = isTypeModuleDir(path.dirname(base));
  if (!typeModule) {
    const js = requireIfExists(base + '.js');
    if (js) return js;
  }

  const found =
    (typeModule && (await importIfExists(base + '.js'))) ||
    (await importIfExists(base + '.mjs')) ||
    requireIfExists(base + '.cjs');
  if (found) return found;

  // Relative entries in `paths` resolve against the working directory, which
  // the platform sets to the task root.
  return runtimeRequire(runtimeRequire.resolve(moduleName, { paths: [taskRoot, moduleDir] }));
}

// Splits "<dir/>file.export.path" into [dir (with trailing "/" or ""), "file", "export.path"].
export function parseHandler(handler) {
  if (handler.includes('..')) {
    throw new MalformedHandlerName(
      `'${handler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const last = path.basename(handler);
  const moduleDir = handler.substring(0, handler.indexOf(last));
  const match = /^([^.]*)\.(.*)$/.exec(last);
  if (!match) throw new MalformedHandlerName('Bad handler');
  return [moduleDir, match[1], match[2]];
}

// Returns the handler function, or throws one of the errors listed above.
export async function loadHandler(taskRoot, handler) {
  const [moduleDir, moduleName, exportPath] = parseHandler(handler);

  let mod;
  try {
    mod = await loadModule(taskRoot, moduleDir, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e?.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(e);
    throw e;
  }

  const fn = exportPath.split('.').reduce((obj, key) => obj && obj[key], mod);
  if (!fn) throw new HandlerNotFound(`${handler} is undefined or not exported`);
  if (typeof fn !== 'function') throw new HandlerNotFound(`${handler} is not a function`);
  return fn;
}
