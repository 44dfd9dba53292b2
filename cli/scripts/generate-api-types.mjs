#!/usr/bin/env node
// Turns the API's OpenAPI document into TypeScript: `components` (every schema) and `paths`
// (per route and method: path parameters, query, JSON body, success response). The CLI's HTTP
// client is typed by `paths`, so a renamed route or field breaks the CLI's build, not its users.
// (openapi-typescript does the same but pins TypeScript 5; this covers what Nest's document uses.)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const [input = '../openapi.json', output = 'src/generated/api.ts'] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(input, 'utf8'));

const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));
const indent = (text, by = '  ') => text.replace(/\n/g, `\n${by}`);

function type(schema) {
  if (!schema) return 'unknown';
  let t;
  if (schema.$ref) t = `components['schemas'][${JSON.stringify(schema.$ref.split('/').pop())}]`;
  else if (schema.allOf) t = schema.allOf.map(type).join(' & ');
  else if (schema.oneOf || schema.anyOf) t = (schema.oneOf ?? schema.anyOf).map(type).join(' | ');
  else if (schema.enum) t = schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  else if (schema.type === 'array') t = `Array<${type(schema.items)}>`;
  else if (schema.type === 'object' || schema.properties) t = object(schema);
  else if (schema.type === 'string') t = 'string';
  else if (schema.type === 'integer' || schema.type === 'number') t = 'number';
  else if (schema.type === 'boolean') t = 'boolean';
  else t = 'unknown';
  return schema.nullable ? `${t} | null` : t;
}

function object(schema) {
  const required = new Set(schema.required ?? []);
  const props = Object.entries(schema.properties ?? {}).map(([name, s]) => {
    const doc = s.description ? `/** ${s.description.replace(/\*\//g, '*\\/')} */\n` : '';
    return `${doc}${key(name)}${required.has(name) ? '' : '?'}: ${indent(type(s))};`;
  });
  if (schema.additionalProperties) props.push(`[key: string]: ${schema.additionalProperties === true ? 'unknown' : type(schema.additionalProperties)};`);
  return props.length ? `{\n  ${props.map((p) => indent(p)).join('\n  ')}\n}` : 'Record<string, never>';
}

function params(list, where) {
  const ps = (list ?? []).filter((p) => p.in === where);
  if (!ps.length) return 'never';
  return object({ properties: Object.fromEntries(ps.map((p) => [p.name, { ...p.schema, description: p.description }])), required: ps.filter((p) => p.required).map((p) => p.name) });
}

function operation(op) {
  // every success answer: a route may answer 200 with the result or 202 with a job
  const oks = Object.entries(op.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
  const json = (content) => content?.['application/json']?.schema;
  const response = oks.length ? [...new Set(oks.map(([, r]) => (json(r.content) ? type(json(r.content)) : 'void')))].join(' | ') : 'unknown';
  // a documented body with no fields (POST /api/sync, /api/digest, acks) is one the CLI never sends
  const bodySchema = op.requestBody ? json(op.requestBody.content) : undefined;
  const resolved = bodySchema?.$ref ? doc.components?.schemas?.[bodySchema.$ref.split('/').pop()] : bodySchema;
  const emptyBody = resolved && resolved.type === 'object' && !Object.keys(resolved.properties ?? {}).length;
  const body = bodySchema && !emptyBody ? type(bodySchema) : 'never';
  return `{\n  path: ${indent(params(op.parameters, 'path'))};\n  query: ${indent(params(op.parameters, 'query'))};\n  body: ${indent(body)};\n  response: ${indent(response)};\n}`;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const schemas = Object.entries(doc.components?.schemas ?? {}).map(([name, s]) => `${key(name)}: ${indent(type(s), '    ')};`);
const paths = Object.entries(doc.paths)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([path, item]) => {
    const ops = METHODS.filter((m) => item[m]).map((m) => `${m}: ${indent(operation(item[m]))};`);
    return `${JSON.stringify(path)}: {\n  ${ops.map((o) => indent(o)).join('\n  ')}\n};`;
  });

const out = `// Generated from the DevHub OpenAPI document by scripts/generate-api-types.mjs. Do not edit.
// ${doc.info?.title ?? 'API'} ${doc.info?.version ?? ''}

export interface components {
  schemas: {
    ${schemas.join('\n    ')}
  };
}

export interface paths {
  ${paths.map((p) => indent(p)).join('\n  ')}
}

export type Schemas = components['schemas'];
`;
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, out);
console.log(`wrote ${output} (${Object.keys(doc.paths).length} paths, ${schemas.length} schemas)`);
