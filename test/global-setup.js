// Finds or fetches a real helm once for the whole run (see scripts/helm.ts).
const { ensureHelm } = require('../build/scripts/helm');

module.exports = async () => {
  process.env.HELM_BIN = ensureHelm();
};
