import { ArgSpec, LLAMAFACTORY_TRAIN_KEYS } from './llamafactory-keys';

/**
 * Keys a training config must set: the only one LLaMA-Factory itself requires (its
 * model arguments refuse a missing model_name_or_path). `dataset` is required when
 * `do_train` is true (checked with the config's values).
 */
export const REQUIRED_TRAIN_KEYS = ['model_name_or_path'] as const;

function keySchema(spec: ArgSpec): Record<string, unknown> {
  const nullable = spec.optional ? ' (or null)' : '';
  const types = (t: string | string[]) => {
    const list = Array.isArray(t) ? t : [t];
    return spec.optional ? [...list, 'null'] : list.length === 1 ? list[0] : list;
  };
  switch (spec.type) {
    case 'string':
      return spec.enum
        ? { type: types('string'), enum: [...spec.enum, ...(spec.optional ? [null] : [])] }
        : { type: types('string'), 'x-allowed': `a string${nullable}` };
    case 'integer':
      return { type: types('integer'), 'x-allowed': `a whole number${nullable}` };
    case 'number':
      return { type: types('number'), 'x-allowed': `a number${nullable}` };
    case 'boolean':
      return { type: types('boolean'), 'x-allowed': `true or false${nullable}` };
    case 'string-or-list':
      return { type: types(['string', 'array']), items: { type: 'string' }, 'x-allowed': `a string (split on commas), or a list of strings${nullable}` };
    default:
      return {};
  }
}

/**
 * JSON Schema of a LLaMA-Factory training config (`llamafactory-cli train <file>`):
 * every key the trainer accepts, with its type, null where upstream's field is Optional.
 * LLaMA-Factory refuses unknown keys, so this schema does too, and the error names the
 * nearest valid key. The values are checked as LLaMA-Factory reads them (PyYAML, YAML
 * 1.1: see `lib/training/pyyaml.ts`).
 */
export const trainingConfigSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://llm-platform.local/schemas/training-config.schema.json',
  title: 'LLaMA-Factory training config',
  description: 'A config for llamafactory-cli train, in workspaces/<name>/training/. Unknown keys are refused, as LLaMA-Factory refuses them.',
  type: 'object',
  additionalProperties: false,
  required: [...REQUIRED_TRAIN_KEYS],
  properties: Object.fromEntries(Object.entries(LLAMAFACTORY_TRAIN_KEYS).map(([k, spec]) => [k, { ...keySchema(spec), description: `${spec.group} argument` }])),
};
