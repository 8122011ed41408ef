// The configuration reference, generated from the zod schemas the services parse their config
// with: docs/configuration.md, .env.example and examples/config.json. `pnpm config-docs`
// writes them; config-reference.test.ts fails when they and the schemas drift apart.
import { writeFileSync } from 'node:fs';
import { issuerEnvSchema } from '@ticketbooth/issuer/config';
import { matchmakerEnvSchema } from '@ticketbooth/matchmaker/config';
import { DEMO_CONFIG, modeSchema, sharedConfigSchema, sharedEnvSchema, type EnvDoc } from '@ticketbooth/config';
import { REPO_ROOT } from '@ticketbooth/tools';
import { z } from 'zod';

interface Variable {
  readonly name: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
  readonly example: string | undefined;
  /** The default when it is a plain value (not computed). */
  readonly value: string | undefined;
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  required?: string[];
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  minItems?: number;
  pattern?: string;
};

function typeOf(schema: JsonSchema): string {
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ');
  if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(' | ');
  if (schema.type === 'integer' || schema.type === 'number') {
    const bounds = [
      schema.minimum === undefined ? '' : `≥ ${schema.minimum}`,
      schema.exclusiveMinimum === undefined ? '' : `> ${schema.exclusiveMinimum}`,
      schema.maximum === undefined || schema.maximum >= Number.MAX_SAFE_INTEGER ? '' : `≤ ${schema.maximum}`,
    ];
    return [schema.type, ...bounds.filter((b) => b !== '')].join(', ');
  }
  if (schema.format === 'uri') return 'URL';
  if (schema.type === 'array') return `array of ${schema.items ? typeOf(schema.items) : 'values'}`;
  if (schema.type === 'object') return 'object';
  return String(schema.type ?? 'string');
}

function variables(schema: z.ZodObject): Variable[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const doc = (field as z.ZodType).meta() as EnvDoc | undefined;
    if (doc?.description === undefined) throw new Error(`${name}: no description (wrap its schema in documented())`);
    const json = z.toJSONSchema(field as z.ZodType, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
    const fallback = json.default === undefined ? 'unset' : String(json.default);
    const value = json.default === undefined ? undefined : String(json.default);
    return { name, type: typeOf(json), default: doc.defaultText ?? fallback, description: doc.description, example: doc.example, value };
  });
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function envTable(vars: readonly Variable[]): string {
  const rows = vars.map((v) => `| \`${v.name}\` | ${cell(v.type)} | ${cell(v.default)} | ${cell(v.description)}${v.example ? ` Example: \`${cell(v.example)}\`.` : ''} |`);
  return ['| variable | type | default | what it does |', '|---|---|---|---|', ...rows].join('\n');
}

/** The config file's fields as dotted paths: `modes.<mode>.teamSize`. */
function fileFields(schema: JsonSchema, prefix = ''): string[] {
  const rows: string[] = [];
  for (const [key, field] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${key}`;
    const record = typeof field.additionalProperties === 'object' ? field.additionalProperties : undefined;
    const def = field.default !== undefined ? `\`${JSON.stringify(field.default)}\`` : (schema.required ?? []).includes(key) ? 'required' : 'optional';
    if (field.properties) {
      rows.push(`| \`${path}\` | object | ${def} | ${cell(field.description ?? '')} |`);
      rows.push(...fileFields(field, `${path}.`));
    } else if (record?.properties) {
      rows.push(`| \`${path}\` | object by name | ${def} | ${cell(field.description ?? '')} |`);
      rows.push(...fileFields(record, `${path}.<${key === 'modes' ? 'mode' : 'name'}>.`));
    } else {
      const type = record ? `object of ${typeOf(record)}` : typeOf(field);
      rows.push(`| \`${path}\` | ${cell(type)} | ${def} | ${cell(field.description ?? '')} |`);
    }
  }
  return rows;
}

function markdown(): string {
  const file = z.toJSONSchema(sharedConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return `# Configuration

Generated from the schemas the services parse their configuration with (\`pnpm config-docs\`
writes this file, [.env.example](../.env.example) and [examples/config.json](../examples/config.json);
a test fails when they drift). Both services read the environment once at start and refuse to
start on any bad value, naming every one. An empty variable counts as unset. Whole numbers are
decimal digits only (no sign, \`0x\`, exponent or fraction).

## Both services

These must be the same for the issuer and every matchmaker: they read them the same way.

${envTable(variables(sharedEnvSchema))}

## Issuer

${envTable(variables(issuerEnvSchema))}

## Matchmaker

${envTable(variables(matchmakerEnvSchema))}

## The shared config file (\`TICKETBOOTH_CONFIG\`)

A JSON object; unknown fields are refused. Without a file both services use the demo config:
[examples/config.json](../examples/config.json) is it with every default written out (and a
longest wait for \`squad\`), a starting point for a real one.

| field | type | default | what it is |
|---|---|---|---|
${fileFields(file).join('\n')}

\`ticketTtlMs\` must exceed two resubmit intervals, and every pool named in
\`matchmakers.pools\` must be a configured pool: \`mode/region\`, or \`mode\` for a mode with a
latency rule.

### Mode rules

[examples/rules.json](../examples/rules.json) uses every rule: a \`duel\` kept apart by build and
crossplay, a \`squad\` matched by latency across four regions, and a low-population \`siege\`
whose 5v5 may start as 4v4 or 3v3 after 20 s.

- **Latency** (\`latency\`): the mode's regions stop being separate pools; the mode is one pool,
  named and sharded by the mode (\`"squad"\` in \`matchmakers.pools\`). Tickets must carry the
  client's measured \`latencies\` (the issuer refuses one without: \`latencies-required\`). A player
  may play in a region while their latency there is within the bound, which grows linearly from
  \`maxMs\` to \`widenToMs\` over \`widenAfterMs\` of signed wait; a match goes to the region, among
  those every member may play in, with the lowest worst-member latency, and its match token names it.
- **Team size range** (\`teamSize: {min, max, shrinkAfterMs}\`): full teams while the pool fills
  them; once the longest-waiting player of a would-be match has waited \`shrinkAfterMs\`, the match
  may form with equal teams of the largest size its compatible players fill, never below \`min\`.
- **Attributes**: \`attributes\` (top level) lists what the issuer vouches for, each with its
  allow-list (\`set: true\` for a list of values); a request naming anything else is refused
  (\`unknown-attribute\`, \`attribute-not-allowed\`). A mode's \`attributes.equal\` must be equal
  across a match (a build); its \`attributes.intersect\` sets must share a value (crossplay: an
  opted-out PC player sends \`["pc"]\`, an opted-in one \`["pc", "any"]\`, so opt-outs meet only their
  own platform and everyone else meets through \`any\`). A ticket without a named attribute is
  matched only with others without it.
`;
}

function envExample(): string {
  const block = (title: string, vars: readonly Variable[]) =>
    [`# --- ${title} ---`, ...vars.flatMap((v) => [`# ${v.description} Default: ${v.default}.`, `# ${v.name}=${v.example ?? v.value ?? ''}`, ''])].join('\n');
  return [
    '# Every variable the services read, all commented out: the defaults run the demo locally.',
    '# Generated by `pnpm config-docs` from the config schemas (see docs/configuration.md).',
    '',
    block('both services', variables(sharedEnvSchema)),
    block('issuer', variables(issuerEnvSchema)),
    block('matchmaker', variables(matchmakerEnvSchema)),
  ].join('\n');
}

/** The demo config with every optional field written out: a starting point for a real one. */
function exampleConfig(): string {
  const modes = Object.fromEntries(
    Object.entries(DEMO_CONFIG.modes).map(([name, mode]) => [name, { ...modeSchema.parse(mode), ...(name === 'squad' ? { maxWaitMs: 300_000 } : {}) }]),
  );
  const config = sharedConfigSchema.parse({ ...DEMO_CONFIG, modes, matchmakers: { default: 'http://127.0.0.1:8701', pools: {} } });
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Each generated file, by its path from the repository root. */
export function configReference(): Record<string, string> {
  return { 'docs/configuration.md': markdown(), '.env.example': envExample(), 'examples/config.json': exampleConfig() };
}

if (process.argv.includes('--write')) {
  for (const [path, text] of Object.entries(configReference())) {
    writeFileSync(`${REPO_ROOT}${path}`, text);
    console.log(`wrote ${path}`);
  }
}
