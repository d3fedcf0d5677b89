// The wms-quality utility in meltano.yml declares exactly the settings its schema has (the WMS
// ones as wms.*), each reading the target's or the tap's variable. Regenerate with
//   node packages/wms-quality/dist/test/support/meltano-settings.js --write
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { meltanoYml, utilitySettings } from './support/meltano-settings.js';

const python = resolve(dirname(meltanoYml), '.venv/bin/python');

test('meltano.yml: the wms-quality settings are the ones its settings schema defines', () => {
  assert.ok(existsSync(python), `${python} is missing: run scripts/setup.sh (Meltano's YAML reader)`);
  const read =
    'import json, sys, yaml; p = yaml.safe_load(open(sys.argv[1]))["plugins"]; ' +
    'print(json.dumps([u for u in p["utilities"] if u["name"] == "wms-quality"][0]["settings"]))';
  const result = spawnSync(python, ['-c', read, meltanoYml], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(
    JSON.parse(result.stdout),
    JSON.parse(JSON.stringify(utilitySettings())),
    'run: node packages/wms-quality/dist/test/support/meltano-settings.js --write',
  );
});
