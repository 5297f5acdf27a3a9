/**
 * DeepSpeed configs (`deepspeed: <file>.json` in a training config): JSON files of the
 * workspace's training folder, mounted with the configs. DeepSpeed reads them with
 * Python's json module and accepts hundreds of keys; this checks that the file is JSON
 * that module reads (no comments, no trailing commas), and the types of the keys a
 * fine-tuning config sets, where a wrong value only fails on the GPUs.
 * @see https://www.deepspeed.ai/docs/config-json/
 */

const positiveOrAuto = (what: string) => ({
  description: `${what}: a whole number from 1, or 'auto' (taken from the training config).`,
  anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', enum: ['auto'] }],
  'x-allowed': "a whole number from 1, or 'auto'",
});

const enabled = (what: string) => ({
  type: 'object',
  description: `${what} mixed precision.`,
  properties: {
    enabled: { anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['auto'] }], 'x-allowed': "true, false or 'auto'" },
  },
});

const offload = (what: string) => ({
  type: 'object',
  description: `Where ZeRO moves the ${what}.`,
  properties: {
    device: { type: 'string', enum: ['none', 'cpu', 'nvme'] },
    pin_memory: { type: 'boolean', 'x-allowed': 'true or false' },
  },
});

export const deepspeedSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://llm-platform.local/schemas/deepspeed-config.schema.json',
  title: 'DeepSpeed config',
  description: 'A DeepSpeed config that a training config names (deepspeed: <file>.json), in workspaces/<name>/training/.',
  type: 'object',
  properties: {
    train_batch_size: positiveOrAuto('Global batch size'),
    train_micro_batch_size_per_gpu: positiveOrAuto('Batch size per GPU and step'),
    gradient_accumulation_steps: positiveOrAuto('Steps per optimizer update'),
    gradient_clipping: { anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', enum: ['auto'] }], 'x-allowed': "a number, or 'auto'" },
    zero_allow_untested_optimizer: { type: 'boolean', 'x-allowed': 'true or false' },
    fp16: enabled('fp16'),
    bf16: enabled('bf16'),
    zero_optimization: {
      type: 'object',
      description: 'ZeRO: how optimizer state, gradients and parameters are split across GPUs.',
      properties: {
        stage: { type: 'integer', enum: [0, 1, 2, 3], 'x-allowed': '0, 1, 2 or 3' },
        offload_optimizer: offload('optimizer state'),
        offload_param: offload('parameters (stage 3)'),
        overlap_comm: { type: 'boolean', 'x-allowed': 'true or false' },
        contiguous_gradients: { type: 'boolean', 'x-allowed': 'true or false' },
        stage3_gather_16bit_weights_on_model_save: { type: 'boolean', 'x-allowed': 'true or false' },
      },
    },
  },
} as const;

/** Where a JSON syntax error is (Node's message gives a position), as line and column. */
export function jsonSyntaxProblem(text: string): { line: number; column: number; message: string } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : 0;
    const before = text.slice(0, offset).split('\n');
    return { line: before.length, column: before[before.length - 1].length + 1, message: `not JSON as DeepSpeed reads it: ${message.replace(/ in JSON at position \d+.*$/, '')}` };
  }
}
