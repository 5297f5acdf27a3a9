// Removes the fixtures' synth output (see global-setup.js).
const fs = require('fs');

module.exports = async () => {
  if (process.env.LLM_FIXTURE_DIR) fs.rmSync(process.env.LLM_FIXTURE_DIR, { recursive: true, force: true });
};
