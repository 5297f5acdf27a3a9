import { InputProblem } from '../config/problems';
import { YamlSource } from '../config/yaml-source';
import { LLAMAFACTORY_TRAIN_KEYS } from './llamafactory-keys';

/**
 * Training configs as LLaMA-Factory reads them. It loads the file with PyYAML's
 * safe_load, which resolves plain scalars by YAML 1.1's rules, and hands the values to
 * the argument dataclasses unconverted. Synth reads YAML 1.2, where some scalars mean
 * something else: `1e-4` is a number here but the string '1e-4' there (its float needs
 * a dot and a signed exponent), so a learning rate written so fails on the GPUs; `yes`,
 * `on` and `off` are booleans there. Each scalar of the file is judged by PyYAML's rules.
 * @see https://github.com/yaml/pyyaml/blob/main/lib/yaml/resolver.py
 */

/** PyYAML's implicit resolvers (YAML 1.1), in the order it tries them. */
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;

/** What PyYAML makes of a plain (unquoted) scalar. */
export function pyyamlType(plain: string): 'bool' | 'int' | 'float' | 'null' | 'str' {
  if (BOOL.test(plain)) return 'bool';
  if (INT.test(plain)) return 'int';
  if (FLOAT.test(plain)) return 'float';
  if (NULL.test(plain)) return 'null';
  return 'str';
}

/** A number as PyYAML reads it as a float: a dot in the mantissa, a sign on the exponent (`1e-4` -> `1.0e-4`). */
export function pyyamlFloat(plain: string): string {
  const m = /^([-+]?)([0-9]+)(?:\.([0-9]*))?(?:[eE]([-+]?)([0-9]+))?$/.exec(plain);
  if (!m) return plain;
  const [, sign, whole, fraction, expSign, exp] = m;
  return `${sign}${whole}.${fraction || '0'}${exp !== undefined ? `e${expSign || '+'}${exp}` : ''}`;
}

/**
 * Judges each top-level plain scalar of a training config as PyYAML reads it, against
 * the key's type: a number PyYAML reads as a string is a problem (with the spelling it
 * reads as a number); a YAML 1.1 boolean (`yes`, `off`) of a boolean key is taken as
 * the boolean it is there, in `data`, so that the schema judges what LLaMA-Factory gets.
 */
export function readAsPyyaml(source: YamlSource, data: Record<string, unknown>): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const [key, value] of Object.entries(data)) {
    const spec = LLAMAFACTORY_TRAIN_KEYS[key];
    // Only numbers, and short strings (a YAML 1.1 boolean word), can read otherwise.
    if (!spec || !(typeof value === 'number' || (typeof value === 'string' && value.length <= 5))) continue;
    const text = source.plainScalar([key]);
    if (text === undefined) continue;
    // In a flow mapping the scalar ends at a flow indicator; what is read must be the value parsed.
    const plain = text.split(/[,\]}]/)[0].trim();
    if (typeof value === 'string' ? plain !== value : Number(plain) !== value) continue;
    const read = pyyamlType(plain);
    if ((spec.type === 'number' || spec.type === 'integer') && typeof value === 'number' && read === 'str') {
      const spelling = spec.type === 'integer' && Number.isInteger(value) ? String(value) : pyyamlFloat(plain);
      problems.push(source.problemAt([key], `'${key}' is ${plain}, which LLaMA-Factory reads (PyYAML, YAML 1.1) as the string '${plain}', and training fails; write ${spelling}`));
    } else if (typeof value === 'number' && read === 'int' && /^[-+]?0[0-7_]+$/.test(plain)) {
      // A leading zero is octal to PyYAML (010 is 8), decimal to YAML 1.2.
      problems.push(source.problemAt([key], `'${key}' is ${plain}, which LLaMA-Factory reads (PyYAML, YAML 1.1) as the octal number ${parseInt(plain.replace(/_/g, ''), 8)}; write ${value} without the leading zero`));
    } else if (spec.type === 'boolean' && typeof value === 'string' && read === 'bool') {
      data[key] = /^(?:yes|true|on)$/i.test(plain);
    } else if (spec.type !== 'boolean' && spec.type !== 'any' && read === 'bool' && typeof value === 'string') {
      problems.push(source.problemAt([key], `'${key}' is ${plain}, which LLaMA-Factory reads (PyYAML, YAML 1.1) as a boolean, not the string; quote it: '${plain}'`));
    }
  }
  return problems;
}
