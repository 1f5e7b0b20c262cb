// Where the oneoff task finds its migrations and shipped data, in the source tree and in the bundled image alike.

// Both layouts keep these folders beside apps/: `usecases/oneoff/{apps,migrations,data}` in the repository and
// `<root>/{apps/main.mjs,migrations,data}` in the image, so this module must stay directly inside apps/.

/** The SQL migration files `migrate` applies. */
export const migrationsDir = new URL('../migrations/', import.meta.url);

/** The CSV files `import` loads when no file is given on the command line. */
export const dataDir = new URL('../data/', import.meta.url);
