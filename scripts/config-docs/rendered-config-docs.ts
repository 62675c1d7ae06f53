import {
  describeConfiguration,
  renderConfigTable,
  renderEnvExample,
  withConfigTable,
} from '@dgc/shared/config-docs';
import { processConfigs, unvalidatedVariables } from './config-catalogue.js';

/** What `.env.example` and the README must hold, given the README's current text around the table. */
export function renderedConfigDocs(readme: string): { envExample: string; readme: string } {
  const groups = describeConfiguration(processConfigs);
  return {
    envExample: renderEnvExample(groups, unvalidatedVariables),
    readme: withConfigTable(readme, renderConfigTable(groups, unvalidatedVariables)),
  };
}
