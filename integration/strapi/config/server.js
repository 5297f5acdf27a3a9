'use strict';

// Loopback only by default; the harness passes HOST/PORT (a free port it picked).
module.exports = ({ env }) => ({
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1337),
  app: { keys: env.array('APP_KEYS') },
  // No update check against the registry, no banner: this app only serves tests.
  logger: { updates: { enabled: false }, startup: { enabled: false } },
});
