/**
 * Run by the build (scripts/build.js) after tsc: compiles the input schemas' validators
 * ahead of time into build/lib/config/, with the options synth uses (`inputAjv`), so
 * that synth does not compile them on every run. Each comes with a hash of its schema:
 * synth uses it only for that very schema.
 */
import * as fs from 'fs';
import * as path from 'path';
import standaloneCode from 'ajv/dist/standalone';
import { platformSchema } from '../lib/config/platform-schema';
import { inputAjv, PRECOMPILED, schemaHash } from '../lib/config/schema-check';
import { workspaceSchema } from '../lib/config/workspace-schema';
import { trainingConfigSchema } from '../lib/training/config-schema';
import { deepspeedSchema } from '../lib/training/deepspeed';

const ajv = inputAjv({ source: true });
const schemas = [platformSchema, workspaceSchema, trainingConfigSchema, deepspeedSchema];
const refs: Record<string, string> = {};
for (const schema of schemas) {
  ajv.addSchema(schema);
  refs[schema.$id] = schema.$id;
}
let code = standaloneCode(ajv, refs);
code += `\n${schemas.map((s) => `exports[${JSON.stringify(`${s.$id}#sha1`)}] = ${JSON.stringify(schemaHash(s))};`).join('\n')}\n`;
fs.writeFileSync(path.join(__dirname, '..', 'lib', 'config', PRECOMPILED), code);
