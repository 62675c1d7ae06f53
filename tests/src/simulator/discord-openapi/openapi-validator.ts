import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** A response as the simulator served it, for validation. */
export interface ServedResponse {
  method: string;
  /** The path without `/api/v10`. */
  path: string;
  status: number;
  /** The raw body text ('' for none). */
  text: string;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  components: { responses: Record<string, unknown> };
}

/** Discord's OpenAPI document (discord/discord-api-spec, specs/openapi.json; see README.md beside it). */
export const spec = JSON.parse(
  readFileSync(new URL('./openapi.json', import.meta.url), 'utf8'),
) as OpenApiDocument;

const specId = 'https://discord.com/openapi.json';
// OpenAPI 3.1 schemas are JSON Schema 2020-12; the document's own keywords (paths, discriminator…) are not
// schema keywords, hence strict off. Discord's own formats (snowflake, nonce, int32…) are annotations.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats.default(ajv);
for (const format of ['snowflake', 'nonce', 'int32', 'int64', 'double']) ajv.addFormat(format, true);
// One documented deviation: the description types a form error's `code` as an integer, but Discord sends
// strings there (`{"code": "BASE_TYPE_REQUIRED", …}`, https://discord.com/developers/docs/reference#error-messages),
// as the simulator does; only the nested field errors (`InnerErrors`) accept a string code.
const schemas = spec.components as unknown as { schemas: Record<string, Record<string, unknown>> };
schemas.schemas.FieldError = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' } },
  required: ['code', 'message'],
};
const innerErrors = schemas.schemas.InnerErrors as { properties: { _errors: { items: unknown } } };
innerErrors.properties._errors.items = { $ref: '#/components/schemas/FieldError' };
ajv.addSchema({ ...spec, $id: specId });

/** Spec paths as patterns, literal segments before parameters so `/users/@me` wins over `/users/{user_id}`. */
const pathPatterns = Object.keys(spec.paths)
  .map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    parameters: (template.match(/\{/g) ?? []).length,
  }))
  .sort((a, b) => a.parameters - b.parameters);

const validators = new Map<string, ValidateFunction>();

function pointer(...segments: string[]): string {
  return segments.map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

function resolveResponse(response: unknown): { ref: string; content?: Record<string, unknown> } | undefined {
  const record = response as { $ref?: string; content?: Record<string, unknown> } | undefined;
  if (!record) return undefined;
  if (record.$ref) {
    const name = record.$ref.split('/').pop() ?? '';
    const resolved = spec.components.responses[name] as { content?: Record<string, unknown> } | undefined;
    return resolved ? { ref: `#/components/responses/${pointer(name)}`, ...resolved } : undefined;
  }
  return { ref: '', ...record };
}

/** What is wrong with a served response by the description ([] when nothing). */
export function validateResponse(served: ServedResponse): string[] {
  const path = served.path.split('?')[0] ?? '';
  const match = pathPatterns.find(({ pattern }) => pattern.test(path));
  if (!match) return [`no path in the description matches ${served.path}`];
  const operation = spec.paths[match.template]?.[served.method.toLowerCase()];
  if (!operation?.responses) return [`${match.template} has no ${served.method} operation`];
  const statusKey = [String(served.status), `${String(served.status)[0]}XX`, 'default'].find(
    (key) => key in (operation.responses ?? {}),
  );
  if (!statusKey) return [`status ${served.status} is not declared for ${served.method} ${match.template}`];
  const response = resolveResponse(operation.responses[statusKey]);
  const schemaHolder = response?.content?.['application/json'] as { schema?: unknown } | undefined;
  if (!schemaHolder?.schema) {
    return served.text === '' ? [] : [`a body was sent where ${statusKey} declares none`];
  }
  let body: unknown;
  try {
    body = JSON.parse(served.text);
  } catch {
    return ['the body is not JSON'];
  }
  const ref =
    response?.ref ||
    `#/paths/${pointer(match.template)}/${served.method.toLowerCase()}/responses/${pointer(statusKey)}`;
  const schemaRef = `${specId}${ref}/content/application~1json/schema`;
  let validate = validators.get(schemaRef);
  if (!validate) {
    validate = ajv.compile({ $ref: schemaRef });
    validators.set(schemaRef, validate);
  }
  if (validate(body)) return [];
  // oneOf failures list every branch; the first few errors name the missing or mistyped fields.
  return (validate.errors ?? [])
    .slice(0, 6)
    .map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}
