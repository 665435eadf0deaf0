import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAuthorization, checkSubBatch, checkValidation } from './connector-requests';

/**
 * openapi/fsp-connector.openapi.json is the connector contract of docs/fsp-connector.md; the simulator is its
 * reference implementation. These tests keep the two from drifting apart: the document must be well formed,
 * its examples must fit its own schemas, and every request example must pass the simulator's checks.
 */
type Json = Record<string, unknown>;

const FILE = join(__dirname, '..', '..', '..', '..', 'openapi', 'fsp-connector.openapi.json');
const doc = JSON.parse(readFileSync(FILE, 'utf8')) as Json;

const STATUS_PUSH = '{$request.body#/statusPushUrl}';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The node a local JSON pointer ("#/components/schemas/X") names, or undefined. */
function resolvePointer(ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Json)[key];
    if (node === undefined) return undefined;
  }
  return node;
}

/** Follows $ref until a node without one. */
function deref(node: unknown): Json {
  let current = node;
  for (let hops = 0; isObject(current) && typeof current.$ref === 'string'; hops++) {
    if (hops > 20) throw new Error(`$ref cycle at ${String(current.$ref)}`);
    current = resolvePointer(current.$ref);
  }
  if (!isObject(current)) throw new Error('a $ref does not resolve to an object');
  return current;
}

/** Every object in the document with its location, depth first. */
function* objects(node: unknown, where = '#'): Generator<[Json, string]> {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) yield* objects(node[i], `${where}/${i}`);
  } else if (isObject(node)) {
    yield [node, where];
    for (const [key, value] of Object.entries(node))
      yield* objects(value, `${where}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  }
}

function pathItem(path: string): Json {
  return deref((doc.paths as Json)[path]);
}

const OPERATIONS = {
  authorizeBatch: () => pathItem('/batches/{batchId}').post,
  validateAccounts: () => pathItem('/beneficiaries').post,
  submitSubBatch: () => pathItem('/sub-batches').post,
  getSubBatch: () => pathItem('/sub-batches/{subBatchId}').get,
  pushSubBatchStatuses: () => {
    const callbacks = deref(deref(pathItem('/sub-batches').post).callbacks);
    return deref(deref(callbacks.statusPush)[STATUS_PUSH]).post;
  },
};

function operation(id: keyof typeof OPERATIONS): Json {
  return deref(OPERATIONS[id]());
}

function jsonMedia(holder: unknown): Json {
  return deref(deref(deref(holder).content)['application/json']);
}

/** The examples of a media type or parameter: `example` and each of `examples`. */
function examplesOf(node: Json): [string, unknown][] {
  const out: [string, unknown][] = [];
  if ('example' in node) out.push(['example', node.example]);
  for (const [name, example] of Object.entries(isObject(node.examples) ? node.examples : {}))
    out.push([name, deref(example).value]);
  return out;
}

function requestExamples(id: keyof typeof OPERATIONS): [string, unknown][] {
  return examplesOf(jsonMedia(operation(id).requestBody));
}

function parameters(op: Json): Json[] {
  return (Array.isArray(op.parameters) ? op.parameters : []).map(deref);
}

// A validator for the JSON Schema subset the document uses: other keywords are reported, never skipped.
const ANNOTATIONS = new Set(['description', 'example', 'title']);
const FORMATS: Record<string, (v: string) => boolean> = {
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  uri: (v) => {
    try {
      return new URL(v).protocol.length > 0;
    } catch {
      return false;
    }
  },
};
const TYPES: Record<string, (v: unknown) => boolean> = {
  object: isObject,
  array: Array.isArray,
  string: (v) => typeof v === 'string',
  integer: (v) => Number.isInteger(v),
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
};

/** What is wrong with `value` under the schema, one message per problem; [] when it fits. */
function problems(schemaOrRef: unknown, value: unknown, where: string): string[] {
  const schema = deref(schemaOrRef);
  const out: string[] = [];
  for (const [keyword, rule] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword) || keyword === 'properties') continue;
    switch (keyword) {
      case 'type':
        if (!TYPES[rule as string]?.(value)) out.push(`${where}: not of type ${String(rule)}`);
        break;
      case 'allOf':
        for (const part of rule as unknown[]) out.push(...problems(part, value, where));
        break;
      case 'enum':
        if (!(rule as unknown[]).includes(value)) out.push(`${where}: ${JSON.stringify(value)} not in enum`);
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(rule as string).test(value))
          out.push(`${where}: ${JSON.stringify(value)} does not match ${String(rule)}`);
        break;
      case 'format':
        if (!FORMATS[rule as string]) out.push(`${where}: unsupported format ${String(rule)}`);
        else if (typeof value === 'string' && !FORMATS[rule as string](value))
          out.push(`${where}: not a ${String(rule)}`);
        break;
      case 'minLength':
        if (typeof value === 'string' && value.length < (rule as number))
          out.push(`${where}: shorter than ${String(rule)}`);
        break;
      case 'maxLength':
        if (typeof value === 'string' && value.length > (rule as number))
          out.push(`${where}: longer than ${String(rule)}`);
        break;
      case 'minimum':
        if (typeof value === 'number' && value < (rule as number))
          out.push(`${where}: below ${String(rule)}`);
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (rule as number))
          out.push(`${where}: fewer than ${String(rule)} items`);
        break;
      case 'maxItems':
        if (Array.isArray(value) && value.length > (rule as number))
          out.push(`${where}: more than ${String(rule)} items`);
        break;
      case 'items':
        if (Array.isArray(value))
          value.forEach((item, i) => out.push(...problems(rule, item, `${where}[${i}]`)));
        break;
      case 'required':
        if (isObject(value))
          for (const field of rule as string[])
            if (!(field in value)) out.push(`${where}: ${field} is missing`);
        break;
      case 'additionalProperties':
        if (isObject(value)) {
          const known = isObject(schema.properties) ? schema.properties : {};
          for (const [field, item] of Object.entries(value)) {
            if (field in known) continue;
            if (rule === false) out.push(`${where}: unexpected field ${field}`);
            else if (isObject(rule)) out.push(...problems(rule, item, `${where}.${field}`));
          }
        }
        break;
      default:
        out.push(`${where}: keyword ${keyword} is not supported by this test's validator`);
    }
  }
  if (isObject(schema.properties) && isObject(value))
    for (const [field, sub] of Object.entries(schema.properties))
      if (field in value) out.push(...problems(sub, value[field], `${where}.${field}`));
  return out;
}

/** Every `example` of a schema and of the schemas inside it, with where it is. */
function* schemaExamples(schemaOrRef: unknown, where: string): Generator<[unknown, unknown, string]> {
  if (!isObject(schemaOrRef) || '$ref' in schemaOrRef) return;
  if ('example' in schemaOrRef) yield [schemaOrRef, schemaOrRef.example, where];
  for (const [field, sub] of Object.entries(isObject(schemaOrRef.properties) ? schemaOrRef.properties : {}))
    yield* schemaExamples(sub, `${where}.${field}`);
  if (schemaOrRef.items) yield* schemaExamples(schemaOrRef.items, `${where}[]`);
  for (const [i, part] of (Array.isArray(schemaOrRef.allOf) ? schemaOrRef.allOf : []).entries())
    yield* schemaExamples(part, `${where}.allOf[${i}]`);
}

describe('openapi/fsp-connector.openapi.json', () => {
  it('is an OpenAPI 3.0.x document', () => {
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
    expect(deref(doc.info).title).toEqual(expect.any(String));
  });

  it.each([
    ['/batches/{batchId}', 'post', 'authorizeBatch'],
    ['/beneficiaries', 'post', 'validateAccounts'],
    ['/sub-batches', 'post', 'submitSubBatch'],
    ['/sub-batches/{subBatchId}', 'get', 'getSubBatch'],
  ])('documents %s with %s only (%s)', (path, method, operationId) => {
    const item = pathItem(path);
    expect(METHODS.filter((m) => m in item)).toEqual([method]);
    expect(deref(item[method]).operationId).toBe(operationId);
  });

  it('documents no other paths', () => {
    expect(Object.keys(doc.paths as Json).sort()).toEqual(
      ['/batches/{batchId}', '/beneficiaries', '/sub-batches', '/sub-batches/{subBatchId}'].sort(),
    );
  });

  it('documents the status push as the statusPush callback of POST /sub-batches: a POST', () => {
    const callback = deref(deref(deref(pathItem('/sub-batches').post).callbacks).statusPush);
    expect(Object.keys(callback)).toEqual([STATUS_PUSH]);
    const item = deref(callback[STATUS_PUSH]);
    expect(METHODS.filter((m) => m in item)).toEqual(['post']);
    expect(operation('pushSubBatchStatuses').operationId).toBe('pushSubBatchStatuses');
  });

  it.each([
    ['authorizeBatch', 'authorize'],
    ['validateAccounts', 'validate'],
  ] as const)('%s requires ?command=%s', (id, command) => {
    const param = parameters(operation(id)).find((p) => p.in === 'query' && p.name === 'command');
    expect(param).toMatchObject({ required: true });
    expect(deref(param!.schema).enum).toEqual([command]);
  });

  it('requires the headers the server sends', () => {
    const headers = (id: keyof typeof OPERATIONS) =>
      parameters(operation(id))
        .filter((p) => p.in === 'header' && p.required === true)
        .map((p) => p.name);
    for (const id of ['authorizeBatch', 'submitSubBatch', 'getSubBatch'] as const)
      expect(headers(id)).toEqual(['X-Client-Correlation-ID']);
    expect(headers('validateAccounts').sort()).toEqual([
      'X-Client-Correlation-ID',
      'X-Registering-Institution-ID',
    ]);
  });

  it('signs connector requests with X-Signature; the push uses the Payments BB credentials', () => {
    const schemes = deref(deref(doc.components).securitySchemes);
    expect(deref(schemes.fspSignature)).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Signature' });
    expect(deref(schemes.fspSignature).description).toMatch(/HMAC-SHA256/);
    expect(doc.security).toEqual([{ fspSignature: [] }]);
    const push = operation('pushSubBatchStatuses');
    expect(push.security).toContainEqual({ pbbApiKey: [], pbbTenant: [] });
    expect(deref(schemes.pbbApiKey)).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    expect(deref(schemes.pbbTenant)).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Platform-TenantId',
    });
  });

  it('resolves every $ref within the document', () => {
    const refs = [...objects(doc)].filter(([node]) => typeof node.$ref === 'string');
    expect(refs.length).toBeGreaterThan(0);
    const broken = refs.filter(([node]) => resolvePointer(node.$ref as string) === undefined);
    expect(broken.map(([node, where]) => `${where}: ${String(node.$ref)}`)).toEqual([]);
  });

  it('uses every component it defines', () => {
    const used = new Set(
      [...objects(doc)].map(([node]) => node.$ref).filter((r): r is string => typeof r === 'string'),
    );
    const components = deref(doc.components);
    const unused: string[] = [];
    for (const kind of ['schemas', 'parameters', 'responses']) {
      const defined = components[kind];
      for (const name of Object.keys(isObject(defined) ? defined : {}))
        if (!used.has(`#/components/${kind}/${name}`)) unused.push(`${kind}/${name}`);
    }
    expect(unused).toEqual([]);
  });

  it('gives every example a value its own schema accepts', () => {
    const found: string[] = [];
    let checked = 0;
    for (const [node, where] of objects(doc)) {
      // Media types (request and response bodies) and parameters carry `schema` next to their examples.
      if (!('schema' in node) || !('example' in node || 'examples' in node)) continue;
      for (const [name, value] of examplesOf(node)) {
        checked += 1;
        found.push(...problems(node.schema, value, `${where} (${name})`));
      }
    }
    for (const [name, schema] of Object.entries(deref(doc.components).schemas as Json))
      for (const [holder, value, where] of schemaExamples(schema, `#/components/schemas/${name}`)) {
        checked += 1;
        found.push(...problems(holder, value, `${where} (example)`));
      }
    expect(found).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });
});

describe('the request examples pass the reference FSP checks (connector-requests.ts)', () => {
  it.each(requestExamples('submitSubBatch'))(
    'POST /sub-batches example %s passes checkSubBatch',
    (_name, body) => {
      expect(checkSubBatch(body)).toMatchObject({ ok: true });
    },
  );

  it.each(requestExamples('authorizeBatch'))(
    'POST /batches/{batchId}?command=authorize example %s passes checkAuthorization',
    (_name, body) => {
      // The body's batchID must be the batch ID of the URL: take the path parameter's example.
      const batchId = parameters(operation('authorizeBatch')).find(
        (p) => p.in === 'path' && p.name === 'batchId',
      );
      expect(batchId?.example).toEqual(expect.any(String));
      expect(checkAuthorization(body, batchId!.example as string)).toMatchObject({ ok: true });
    },
  );

  it.each(requestExamples('validateAccounts'))(
    'POST /beneficiaries?command=validate example %s passes checkValidation',
    (_name, body) => {
      expect(checkValidation(body)).toMatchObject({ ok: true });
    },
  );

  it('has request examples for every operation the simulator checks', () => {
    for (const id of ['submitSubBatch', 'authorizeBatch', 'validateAccounts'] as const)
      expect(requestExamples(id).length).toBeGreaterThan(0);
  });
});
