// OpenAPI from the route definitions: routes are declared with createRoute, so the schema that
// validates a request is the one the document shows, and every refusal a route can answer is
// listed with its problem codes.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OpenAPIHono, type Hook } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import type { Context, Env, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { TICKET_ERROR_CODES } from '@ticketbooth/tickets';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, Problem } from './problem.ts';

/** Failures of a route's declared schemas: problem+json `invalid-request` naming the first bad field. */
export function invalidRequestHook(result: { success: true } | { success: false; error: z.ZodError; target: string }): undefined {
  if (result.success) return;
  const issue = result.error.issues[0];
  const where = issue?.path.join('.') || result.target;
  throw new Problem(400, 'invalid-request', 'Invalid request', `${where}: ${issue?.message ?? 'invalid'}`);
}

/** An app whose routes are declared with createRoute and refuse bad input as problem+json. */
export function openApiApp<E extends Env = Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({ defaultHook: invalidRequestHook as unknown as Hook<unknown, E, string, unknown> });
}

export const problemSchema = z.object({
  type: z.string().describe('`/problems/<code>`'),
  title: z.string(),
  status: z.number().int(),
  code: z.string().describe('Stable: clients branch on it.'),
  detail: z.string().optional(),
});

/** What a refusal says: its problem codes, and when each is answered. */
export type Refusals = Partial<Record<number, Readonly<Record<string, string>>>>;

/** Refusal sets joined: the codes of one status from every set (a later description wins for the same code). */
export function mergeRefusals(...sets: readonly Refusals[]): Refusals {
  const merged: Record<number, Readonly<Record<string, string>>> = {};
  for (const set of sets) {
    for (const [status, codes] of Object.entries(set)) if (codes !== undefined) merged[Number(status)] = { ...merged[Number(status)], ...codes };
  }
  return merged;
}

/** Every route can fail unexpectedly; the body then says nothing about why (the log does). */
const ALWAYS: Refusals = { 500: { internal: 'An unexpected error (logged with the request id; nothing of it is answered).' } };

/**
 * The `responses` entries of a route's refusals: per status, a problem+json body whose `code`
 * is one of the listed codes, each described.
 *
 * @example
 * responses: { 200: json(viewSchema, 'The match'), ...problems({ 401: { 'missing-token': 'No bearer token' } }) }
 */
export function problems(...sets: readonly Refusals[]): Record<number, { description: string; content: Record<string, { schema: z.ZodType }> }> {
  const all = mergeRefusals(...sets, ALWAYS);
  const out: Record<number, { description: string; content: Record<string, { schema: z.ZodType }> }> = {};
  for (const [status, codes] of Object.entries(all)) {
    if (codes === undefined) continue;
    const names = Object.keys(codes) as [string, ...string[]];
    out[Number(status)] = {
      description: names.map((code) => `\`${code}\`: ${codes[code]}`).join('\n\n'),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema.extend({ status: z.literal(Number(status)), code: z.enum(names) }) } },
    };
  }
  return out;
}

/** A JSON response entry. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, content: { 'application/json': { schema } }, ...(description === undefined ? {} : { description }) } as const;
}

/** The refusals of a JSON body read through `limitBody` and `requireJson`. */
export const BODY_REFUSALS = {
  400: { 'invalid-request': 'A field is missing or invalid (`detail` names it).', 'malformed-json': 'The body is not JSON.' },
  413: { 'body-too-large': 'The body is larger than the route accepts.' },
  415: { 'unsupported-media-type': 'The body was not sent as application/json.' },
} as const satisfies Refusals;

/**
 * The 401 codes of a bearer token checked with `bearerToken` and a verifier: no token, too large,
 * and each reason a verifier refuses one (`TicketError` codes, `_` written `-`).
 *
 * @example
 * ...problems({ ...tokenRefusals('ticket'), 403: { revoked: 'Banned' } })
 */
export function tokenRefusals(what: string): Refusals {
  const reasons: Record<string, string> = {
    'missing-token': `No \`Authorization: Bearer <${what}>\` header.`,
    'too-large': `The ${what} is longer than 8 KiB.`,
  };
  for (const code of TICKET_ERROR_CODES) {
    const name = code.replaceAll('_', '-');
    const reason = `The ${what} was refused: ${TOKEN_REASONS[code]}.`;
    // `too-large` is both the header's bound and the verifier's: one code, both reasons.
    reasons[name] = reasons[name] === undefined ? reason : `${reasons[name]} ${reason}`;
  }
  return { 401: reasons };
}

const TOKEN_REASONS: Record<(typeof TICKET_ERROR_CODES)[number], string> = {
  malformed: 'not a token of this format',
  too_large: 'longer than the verifier accepts',
  unknown_key: 'signed with a key this service does not know',
  key_inactive: 'signed with a key that is retired or not yet active',
  bad_signature: 'the signature does not hold',
  wrong_purpose: 'a token of another kind',
  expired: 'expired',
  not_yet_valid: 'not valid yet',
  lifetime_exceeded: 'its lifetime is longer than allowed',
  wrong_audience: 'meant for another service',
  wrong_issuer: 'signed by another issuer',
  invalid_claims: 'its claims are not valid',
};

/** Refuses a body not labelled `application/json` before anything reads it (415, not a missing field). */
export const requireJson: MiddlewareHandler = async function requireJson(c, next) {
  const mediaType = c.req.header('content-type')?.split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new Problem(415, 'unsupported-media-type', 'Unsupported media type', 'the request body must be sent as application/json');
  }
  await next();
};

/** The version of the package at `packageJson` (a file URL): one source for the document and the service. */
export function packageVersion(packageJson: URL): string {
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

export interface DocsOptions {
  readonly title: string;
  readonly version: string;
  readonly description: string;
  /** Security schemes the routes name. */
  readonly securitySchemes?: Record<string, unknown>;
}

/**
 * GET /openapi.json (built once, from the routes registered on `app` so far) and an interactive
 * reference at GET /docs whose script is served by this service too: no CDN, works offline.
 */
export function serveDocs<E extends Env>(app: OpenAPIHono<E>, options: DocsOptions): OpenAPIHono<E> {
  if (options.securitySchemes !== undefined) {
    for (const [name, scheme] of Object.entries(options.securitySchemes)) app.openAPIRegistry.registerComponent('securitySchemes', name, scheme as never);
  }
  const document = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: options.title, version: options.version, description: options.description },
    // Relative: the document describes the server that serves it, whatever host or proxy it is reached by.
    servers: [{ url: '/', description: 'The server this document was fetched from' }],
  });
  const script = referenceScript();
  app.get('/openapi.json', (c) => c.json(document));
  app.get('/docs/reference.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'public, max-age=86400');
    return c.body(script());
  });
  app.get(
    '/docs',
    Scalar({
      url: '/openapi.json',
      cdn: '/docs/reference.js',
      pageTitle: `${options.title} API`,
      // Nothing from outside: the default fonts load from a CDN, and the toolbar, "Ask AI", MCP and
      // SDK buttons offer Scalar's hosted services. The page is the reference, and its test client.
      withDefaultFonts: false,
      telemetry: false,
      showDeveloperTools: 'never',
      showToolbar: 'never',
      agent: { disabled: true },
      mcp: { disabled: true },
    } as Parameters<typeof Scalar>[0]),
  );
  return app;
}

/**
 * The reference page's bundle, read on first use (4-5 MB: not held by a process nobody browses):
 * the copy `pnpm build` puts in assets/ (what ships), else the devDependency's own (tests from source).
 */
function referenceScript(): () => Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer> | undefined;
  return () => {
    if (bytes === undefined) {
      const built = new URL('../assets/docs/reference.js', import.meta.url);
      const path = existsSync(built) ? built : join(dirname(createRequire(import.meta.url).resolve('@scalar/api-reference')), 'browser', 'standalone.js');
      bytes = new Uint8Array(readFileSync(path));
    }
    return bytes;
  };
}

/** One response a route gave that its document does not list. */
export interface Undocumented {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly code?: string;
}

/**
 * Checks every response a routed request gets against `document`: its status listed for that
 * operation and, for problem+json, its `code` among the listed ones. For tests: the whole route
 * suite then checks the document. Responses no route took (404, 405) are not checked.
 */
export function auditResponses(document: () => object, onUndocumented: (finding: Undocumented) => void): MiddlewareHandler {
  return async function audit(c: Context, next) {
    await next();
    // The route that answered: middleware (and answerWrongMethods' catch-all) match as ALL.
    const pattern = matchedRoutes(c).find((route) => route.method !== 'ALL')?.path;
    if (pattern === undefined) return;
    const path = pattern.replaceAll(/:([^/]+)/g, '{$1}');
    const method = c.req.method.toLowerCase();
    const operation = (((document() as { paths?: unknown }).paths as Record<string, Record<string, { responses?: Record<string, ResponseDoc> }>> | undefined)?.[path] ?? {})[method];
    if (operation === undefined) return;
    const status = c.res.status;
    const listed = operation.responses?.[String(status)];
    const isProblem = c.res.headers.get('content-type')?.startsWith(PROBLEM_CONTENT_TYPE) === true;
    const code = isProblem ? ((await c.res.clone().json()) as { code?: string }).code : undefined;
    if (listed === undefined) return onUndocumented({ method, path, status, ...(code === undefined ? {} : { code }) });
    if (code === undefined) return;
    const codes = listed.content?.[PROBLEM_CONTENT_TYPE]?.schema?.properties?.code?.enum;
    if (codes === undefined || !codes.includes(code)) onUndocumented({ method, path, status, code });
  };
}

interface ResponseDoc {
  content?: Record<string, { schema?: { properties?: { code?: { enum?: string[] } } } }>;
}
