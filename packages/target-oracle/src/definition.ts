import { readFileSync } from 'node:fs';
import { type ConnectorDefinition, openInput } from '@wms-singer/singer';
import { createDialect, dialectSettings } from './dialects/index.js';
import { engineSettings, type TargetConfig } from './settings.js';
import { Target } from './target.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** target-oracle as the Singer kit runs it. */
export const targetDefinition: ConnectorDefinition<TargetConfig> = {
  name: 'target-oracle',
  version: packageJson.version,
  description:
    'Singer target that loads Oracle Database, or an embedded SQLite file, with upsert, append-only or overwrite, schema evolution and state printed only after commit.',
  kind: 'target',
  capabilities: [
    'about',
    'schema-flattening',
    'target-schema',
    'validate-records',
    'activate-version',
    'hard-delete',
    'soft-delete',
  ],
  settings: {
    type: 'object',
    // Dialect settings first: the engine's own names win where both define one.
    properties: { ...dialectSettings, ...engineSettings },
  },
  async run(context) {
    const dialect = createDialect(context.config, context.logger);
    const target = new Target(context.config, dialect, context);
    await target.load(openInput(context.input));
  },
};
