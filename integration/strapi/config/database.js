'use strict';

// SQLite through better-sqlite3, in a file the harness places in a fresh temp folder.
module.exports = ({ env }) => {
  const filename = env('DATABASE_FILENAME');
  if (!filename) throw new Error('DATABASE_FILENAME is not set (the harness sets it to a temp file)');
  return {
    connection: {
      client: 'sqlite',
      connection: { filename },
      useNullAsDefault: true,
    },
  };
};
