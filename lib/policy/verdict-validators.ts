import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import * as vm from 'vm';

/**
 * The compiled validators of `kubernetes-models`, loaded a second time for their verdict
 * alone.
 *
 * Each of those modules (`_schemas/*.js`, written by ajv) passes every nested validator
 * an options object made for the call, with the path of the value as a new string
 * (`{instancePath: instancePath + "/spec", parentData: data, …}`), which is used only to
 * describe a problem. Synth asks thousands of objects for a verdict and puts a problem
 * into words with the model (`kubernetes-schema.ts`), only when there is one; those
 * objects and strings were a third of the check's time. Here the same source is compiled
 * with those arguments taken out: each validator takes its data alone and sees the path
 * as empty. The checks themselves (every `type`, `required`, `enum`, `format`, `oneOf`)
 * are the very text of the module, untouched.
 *
 * The change is made only where the source has exactly the shape described: every
 * validator's signature rewritten, and no options left (no `parentData` nor `rootData`
 * anywhere). A module of any other shape (another version of `kubernetes-models`) is
 * used as it is, which gives the same verdict, only slower. `test/kubernetes-schema.test.ts`
 * holds both to the same verdicts on valid and broken objects of every kind synth makes.
 */

/** A validator's verdict: true when the data is valid. */
export type Verdict = (data: unknown) => boolean;

/** `function validateN(data, {instancePath = "", parentData, parentDataProperty, rootData = data} = {}) {` */
const SIGNATURE = /function (validate\d+)\(data,\{instancePath="",parentData,parentDataProperty,rootData=data\}=\{\}\)\{/g;

/**
 * The options of a nested call, with the comma before them: the path grown by a
 * property name, an index (`i0`) or a key (`key0`, escaped as a JSON pointer), or passed on as is.
 */
const CALL_OPTIONS = /,\{instancePath(?::instancePath\+"[^"\\]*"(?:\+(?:i\d+|key\d+\.replace\(\/~\/g,"~0"\)\.replace\(\/\\\/\/g,"~1"\)))?,parentData:data\d*,parentDataProperty:(?:"[^"\\]*"|i\d+|key\d+))?(?:,parentData,parentDataProperty)?,rootData\}\)/g;

/** Whether a file is one of the compiled schema modules. */
function isSchemaModule(file: string): boolean {
  return path.basename(path.dirname(file)) === '_schemas' && file.endsWith('.js');
}

/**
 * The source of a schema module with its validators taking their data alone, or
 * undefined when it is not of the shape this expects.
 */
export function verdictSource(source: string): string | undefined {
  const defined = source.match(/function validate\d+\(/g)?.length ?? 0;
  let rewritten = 0;
  const text = source
    .replace(SIGNATURE, (_, name: string) => {
      rewritten++;
      return `function ${name}(data){const instancePath="";`;
    })
    .replace(CALL_OPTIONS, ')');
  if (rewritten !== defined || /\b(?:parentData|parentDataProperty|rootData)\b/.test(text)) return undefined;
  return text;
}

interface LoadedModule { exports: Record<string, unknown> }

/** Schema modules loaded for their verdicts, by file (those of another shape as they are). */
const loaded = new Map<string, LoadedModule>();

function loadModule(file: string): LoadedModule {
  let module = loaded.get(file);
  if (module) return module;
  const real = createRequire(file);
  const source = verdictSource(fs.readFileSync(file, 'utf8'));
  if (source === undefined) {
    module = { exports: real(file) as Record<string, unknown> };
    loaded.set(file, module);
    return module;
  }
  module = { exports: {} };
  // Before it runs: modules that require each other get the exports being filled, as Node.js does.
  loaded.set(file, module);
  const own = (id: string): unknown => {
    const resolved = real.resolve(id);
    return isSchemaModule(resolved) ? loadModule(resolved).exports : real(id);
  };
  const run = vm.compileFunction(source, ['exports', 'require', 'module'], { filename: file });
  run(module.exports, own, module);
  return module;
}

/** The verdict of the validator a schema module exports (`validate`), loaded as described above. */
export function verdictOf(file: string): Verdict | undefined {
  if (!isSchemaModule(file)) return undefined;
  const validate = loadModule(file).exports.validate;
  return typeof validate === 'function' ? (validate as Verdict) : undefined;
}
