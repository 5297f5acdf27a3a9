/**
 * `npm run validate -- <file>...`: checks LLaMA-Factory training configs before
 * anything runs (the guide's validate_config.py stage): every key one the trainer
 * accepts (with the nearest valid key for a typo), every value of the right type, the
 * required keys present. One line per problem; exit 1 when any file has one, 2 when the
 * command is used wrongly (no file, a folder, a workspace file).
 *
 * Files are read as synth reads them (`lib/config/input-file.ts`): the same size limit,
 * link rule and normalization.
 */
import * as fs from 'fs';
import * as path from 'path';
import { displayPath, InputContext, readInputFile } from '../lib/config/input-file';
import { formatProblem, InputProblem } from '../lib/config/problems';
import { parseTrainingConfig } from '../lib/config/load';

const USAGE = 'usage: npm run validate -- <training config>...   (files in workspaces/<name>/training/)';

/** Why a path is not a training config to check, if it is not. */
function misuse(ctx: InputContext, file: string, text: string | undefined): string | undefined {
  const shown = displayPath(ctx, file);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    return `${shown} is a folder; name the files: npm run validate -- ${shown.replace(/\/$/, '')}/*.yaml`;
  }
  const inWorkspaces = path.basename(path.dirname(path.resolve(ctx.cwd, file))) === 'workspaces';
  const looksLikeWorkspace = text !== undefined && /^name:/m.test(text) && !/^(stage|model_name_or_path):/m.test(text);
  if (inWorkspaces || looksLikeWorkspace) {
    return `${shown} is a workspace file; validate checks LLaMA-Factory training configs (workspaces/<name>/training/*.yaml). Workspace files are checked by 'npm run synth' (and 'npm run check'), with their training configs`;
  }
  return undefined;
}

function validate(ctx: InputContext, file: string): InputProblem[] {
  const read = readInputFile(ctx, file);
  if ('problem' in read) return [read.problem];
  // The same reading as synth's: PyYAML's rules, the schema, what training needs.
  const problems: InputProblem[] = [];
  parseTrainingConfig({ name: path.basename(file), text: read.text, shown: read.shown }, problems);
  return problems;
}

function main(): number {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const ctx: InputContext = { cwd: process.cwd(), root: process.cwd() };
  for (const file of files) {
    const text = fs.existsSync(file) && fs.statSync(file).isFile() && fs.statSync(file).size < 65536 ? fs.readFileSync(file, 'utf8') : undefined;
    const wrong = misuse(ctx, file, text);
    if (wrong) {
      process.stderr.write(`validate: ${wrong}\n${USAGE}\n`);
      return 2;
    }
  }
  let failed = 0;
  for (const file of files) {
    const problems = validate(ctx, file);
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
