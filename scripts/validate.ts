/**
 * `npm run validate -- <file>...`: checks LLaMA-Factory training configs before
 * anything runs (the guide's validate_config.py stage): every key one the trainer
 * accepts (with the nearest valid key for a typo), every value of the right type, the
 * required keys present. One line per problem; exit 1 when any file has one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { formatProblem, InputProblem } from '../lib/config/problems';
import { checkAgainstSchema } from '../lib/config/schema-check';
import { YamlSource } from '../lib/config/yaml-source';
import { trainingConfigSchema } from '../lib/training/config-schema';

function validate(file: string): InputProblem[] {
  const shown = path.relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [{ file: shown, line: 1, column: 1, message: 'file not found' }];
  }
  const { source, problems } = YamlSource.parse(shown, text);
  return problems.length > 0 ? problems : checkAgainstSchema(source, trainingConfigSchema, source.data);
}

function main(): number {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: npm run validate -- <training config>...\n');
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    const problems = validate(file);
    if (problems.length === 0) process.stdout.write(`${file}: ok\n`);
    else {
      failed++;
      process.stderr.write(`${problems.map(formatProblem).join('\n')}\n`);
    }
  }
  if (failed > 0) process.stderr.write(`validate: ${failed} of ${files.length} file(s) invalid\n`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = main();
