'use strict';

const fs = require('fs');
const path = require('path');

const TOKEN_NAME = 'integration-test';

module.exports = {
  register() {},

  // Creates a full-access API token and writes its access key to STRAPI_TOKEN_FILE, so
  // that the test harness (which generated every secret of this run) can authenticate.
  async bootstrap({ strapi }) {
    const file = process.env.STRAPI_TOKEN_FILE;
    if (!file) return;
    const service = strapi.service('admin::api-token-content-api') || strapi.service('admin::api-token');
    const old = await service.getByName(TOKEN_NAME);
    if (old) await service.revoke(old.id);
    const token = await service.create({
      name: TOKEN_NAME,
      description: 'Created at startup for the registrar integration test',
      type: 'full-access',
      lifespan: null,
    });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.partial`;
    fs.writeFileSync(partial, token.accessKey, { mode: 0o600 });
    fs.renameSync(partial, file);
  },
};
