/**
 * The REST routes, read from the platform's own OpenAPI document (`GET /docs/json`), so a route
 * added tomorrow is fuzzed tomorrow without touching the fuzzer.
 */
import type { JsonSchema } from './json-values.js';

export interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** The OpenAPI template, `/v1/rooms/{id}`. */
  path: string;
  parameters: Parameter[];
  /** The application/json body schema, if the route takes a body. */
  body: JsonSchema | undefined;
}

interface OpenApiOperation {
  parameters?: { in: string; name: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

export function operationsOf(document: unknown): Operation[] {
  const paths = (document as { paths?: Record<string, Record<string, OpenApiOperation>> }).paths;
  if (paths === undefined) throw new Error('the OpenAPI document has no paths');
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        parameters: (operation.parameters ?? [])
          .filter((p): p is Parameter & { in: Parameter['in'] } => p.in === 'path' || p.in === 'query' || p.in === 'header')
          .map((p) => ({ in: p.in, name: p.name, required: p.required ?? false, schema: p.schema ?? {} })),
        body: operation.requestBody?.content?.['application/json']?.schema,
      })),
  );
}
