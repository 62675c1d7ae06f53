import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { envGroup, variable } from '../env-docs.js';
import { positiveInt } from '../env-fields.js';
import { describeConfiguration } from './config-catalogue.js';
import {
  configTableEnd,
  configTableStart,
  renderConfigTable,
  withConfigTable,
} from './render-config-table.js';
import { renderEnvExample } from './render-env-example.js';

const shared = envGroup('Shared', {
  SHARED_URL: variable(z.string().default('redis://host:1'), 'Where things are.'),
  SHARED_TOKEN: variable(z.string().default('s3cr3t-default'), { description: 'A secret.', secret: true }),
});
const first = z.object({
  ...shared,
  ...envGroup('First', {
    FIRST_MODE: variable(
      z
        .enum(['a', 'b'])
        .default('b')
        .transform((mode) => mode === 'a'),
      'a | b.',
    ),
    FIRST_LIMIT: variable(z.string().optional(), { description: 'A limit.', unsetMeans: 'no limit' }),
  }),
});
const second = z
  .object({
    SHARED_URL: shared.SHARED_URL,
    SECOND_COUNT: envGroup('Second', { SECOND_COUNT: variable(positiveInt(3), 'Count.') }).SECOND_COUNT,
  })
  .superRefine(() => {});

const groups = describeConfiguration([
  { name: 'first', schema: first },
  { name: 'second', schema: second },
]);

describe('describeConfiguration', () => {
  it('groups variables in the order they first appear, each with every process that reads it', () => {
    expect(groups.map((group) => [group.title, group.readBy])).toEqual([
      ['Shared', ['first', 'second']],
      ['First', ['first']],
      ['Second', ['second']],
    ]);
    expect(groups[0]?.variables.map((documented) => [documented.name, documented.readBy])).toEqual([
      ['SHARED_URL', ['first', 'second']],
      ['SHARED_TOKEN', ['first']],
    ]);
  });

  it('takes defaults from the schema, under transforms, and hides a secret one', () => {
    const byName = new Map(groups.flatMap((group) => group.variables).map((v) => [v.name, v]));
    expect(byName.get('FIRST_MODE')?.defaultValue).toBe('b');
    expect(byName.get('SECOND_COUNT')?.defaultValue).toBe('3');
    expect(byName.get('FIRST_LIMIT')?.defaultValue).toBeUndefined();
    expect(byName.get('SHARED_TOKEN')?.defaultValue).toBeUndefined();
  });

  it('refuses a variable without a description', () => {
    expect(() => describeConfiguration([{ name: 'x', schema: z.object({ BARE: z.string() }) }])).toThrow(
      'BARE is not documented',
    );
    expect(() => envGroup('G', { BARE: z.string() })).toThrow('BARE has no description');
  });
});

describe('rendered docs', () => {
  it('.env.example lists every variable with its default, a secret without its value', () => {
    const text = renderEnvExample(groups);
    expect(text).toContain('# Where things are.\nSHARED_URL=redis://host:1\n');
    expect(text).toContain('SHARED_TOKEN=\n');
    expect(text).not.toContain('s3cr3t-default');
    expect(text).toContain('# A limit. Unset: no limit.\nFIRST_LIMIT=\n');
    expect(text).toContain('# Read by first and second.');
    expect(text).toContain('# A secret. Read by first.');
  });

  it('the README table escapes cells and hides secrets', () => {
    const table = renderConfigTable(groups);
    expect(table).toContain('| `FIRST_MODE` | `b` | a \\| b. |');
    expect(table).toContain('| `SHARED_TOKEN` | — (secret) |');
    expect(table).toContain('| `FIRST_LIMIT` | unset: no limit | A limit. |');
    expect(table).not.toContain('s3cr3t-default');
  });

  it('replaces only the text between the markers', () => {
    const readme = `# Title\n\n${configTableStart}\nold table\n${configTableEnd}\n\n## Next\n`;
    expect(withConfigTable(readme, 'new table')).toBe(
      `# Title\n\n${configTableStart}\nnew table\n${configTableEnd}\n\n## Next\n`,
    );
    expect(() => withConfigTable('# no markers', 'table')).toThrow('markers');
  });
});
