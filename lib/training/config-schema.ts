import { ArgSpec, LLAMAFACTORY_TRAIN_KEYS } from './llamafactory-keys';

/** Keys a training config must set: LLaMA-Factory has no useful default for them. */
export const REQUIRED_TRAIN_KEYS = ['model_name_or_path', 'stage', 'dataset', 'template', 'output_dir'] as const;

function keySchema(spec: ArgSpec): Record<string, unknown> {
  switch (spec.type) {
    case 'string':
      return spec.enum
        ? { type: 'string', enum: [...spec.enum] }
        : { type: 'string', 'x-allowed': 'a string' };
    case 'integer':
      return { type: 'integer', 'x-allowed': 'a whole number' };
    case 'number':
      return { type: 'number', 'x-allowed': 'a number' };
    case 'boolean':
      return { type: 'boolean', 'x-allowed': 'true or false' };
    case 'string-or-list':
      return { type: ['string', 'array'], items: { type: 'string' }, 'x-allowed': 'a string, or a list of strings' };
    default:
      return {};
  }
}

/**
 * JSON Schema of a LLaMA-Factory training config (`llamafactory-cli train <file>`):
 * every key the trainer accepts, with its type. LLaMA-Factory refuses unknown keys, so
 * this schema does too, and the error names the nearest valid key.
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
