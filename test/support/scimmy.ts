import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

/**
 * A SCIM 2.0 service provider Roster did not write: SCIMMY (scimmyjs) behind
 * its Express routers, on a random loopback port, with an in-memory store
 * behind SCIMMY's ingress/egress/degress handlers and bearer auth.
 *
 * SCIMMY keeps its resource declarations and its ServiceProviderConfig in
 * process-wide singletons: handlers are declared once and find their server's
 * store through the request context; `config` (what discovery reports) is
 * applied when a server starts, so servers started one after the other in a
 * test file each report their own. The config only changes what discovery
 * says: SCIMMY still serves PATCH when it says it does not.
 */

export interface RecordedRequest {
  readonly method: string;
  /** Path below the SCIM base, e.g. /Users/abc. */
  readonly path: string;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

export interface ScimmyOptions {
  /** ServiceProviderConfig features (SCIMMY.Config.set), e.g. { patch: false, filter: 200 }. */
  readonly config?: Record<string, unknown>;
  /** Serve an OAuth 2.0 token endpoint (client credentials) instead of a fixed token. */
  readonly oauth2?: { readonly clientId: string; readonly clientSecret: string; readonly expiresIn: number };
}

export interface RunningScimmy {
  readonly baseUrl: string;
  /** The bearer token (fixed-token mode). */
  readonly token: string;
  /** The token endpoint (oauth2 mode). */
  readonly tokenUrl: string;
  /** Every request that reached the server, in order (the token endpoint's too, as path /oauth/token). */
  readonly requests: RecordedRequest[];
  /** Tokens issued by the token endpoint (oauth2 mode). */
  readonly issued: string[];
  /** Invalidate every token issued so far (oauth2 mode): the next SCIM request gets a 401. */
  revokeTokens(): void;
  /** Add users straight into the store, as if made by someone else. */
  seedUser(user: Record<string, unknown>): string;
  stop(): Promise<void>;
}

type Json = Record<string, unknown>;

interface Store {
  readonly users: Map<string, Json>;
  readonly groups: Map<string, Json>;
}

const DEFAULT_CONFIG = { patch: true, filter: 200, sort: false, etag: false, changePassword: false, bulk: false };

/** What a SCIMMY instance object holds, as plain JSON without its message-level attributes. */
function plain(instance: unknown): Json {
  const { schemas: _schemas, meta: _meta, ...rest } = JSON.parse(JSON.stringify(instance)) as Json;
  return rest;
}

/** SCIMMY answers 404 for any error a handler throws that is not a SCIM error. */
function notFound(id: string | undefined): Error {
  return new Error(`Resource ${id ?? ''} not found`);
}

function groupsOf(store: Store, userId: string): Json[] {
  const groups: Json[] = [];
  for (const group of store.groups.values()) {
    const members = (group.members ?? []) as Json[];
    if (members.some((m) => m.value === userId)) groups.push({ value: group.id, display: group.displayName, type: 'direct' });
  }
  return groups;
}

function withGroups(store: Store, user: Json): Json {
  return { ...user, groups: groupsOf(store, user.id as string) };
}

function unique(values: Iterable<Json>, attribute: string, value: unknown, except: string | undefined): void {
  const lower = String(value).toLowerCase();
  for (const other of values) {
    if (other.id !== except && String(other[attribute]).toLowerCase() === lower) {
      throw new SCIMMY.Types.Error(409, 'uniqueness', `${attribute} is already in use`);
    }
  }
}

type Expression = readonly [string, unknown];
type Handled = {
  id?: string;
  filter?: { match(values: Json[]): Json[] } & ArrayLike<Record<string, Expression | Record<string, Expression>>>;
  constraints?: { startIndex?: number; count?: number; totalResults?: number };
};

/** What the handlers get from the router: their server's store and the request's query. */
interface Context {
  readonly store: Store;
  readonly query: Readonly<Record<string, unknown>>;
}

/** RFC 7643 §4.1.1, §4.1.2, §4.2: these are compared case-insensitively; externalId is case-exact. */
const CASE_INSENSITIVE = new Set(['userName', 'emails.value', 'displayName']);

interface Comparison {
  readonly attribute: string;
  readonly sub: string | undefined;
  readonly expected: string;
}

/** `attr eq "v"` or `attr.sub eq "v"`, as one branch of a parsed SCIMMY filter; undefined for anything else. */
function comparison(branch: Record<string, Expression | Record<string, Expression>> | undefined): Comparison | undefined {
  const entries = Object.entries(branch ?? {});
  if (entries.length !== 1) return undefined;
  const [attribute, expression] = entries[0] ?? [];
  if (attribute === undefined || expression === undefined) return undefined;
  const inner = Array.isArray(expression) ? undefined : Object.entries(expression);
  if (inner !== undefined && inner.length !== 1) return undefined;
  const [sub, compared] = (inner?.[0] ?? [undefined, expression]) as [string | undefined, Expression | undefined];
  const [op, expected] = compared ?? [undefined, undefined];
  return op === 'eq' && typeof expected === 'string' ? { attribute, sub, expected } : undefined;
}

/**
 * `eq` comparisons joined by `or` (what provisioning clients send) are
 * answered by plain comparisons; anything else goes to SCIMMY's matcher,
 * which costs ~1 ms per resource and makes a 2,500-user store crawl.
 */
function filtered(all: Json[], filter: Handled['filter']): Json[] {
  if (filter === undefined) return all;
  const branches = Array.from(filter, comparison);
  if (branches.some((b) => b === undefined)) return filter.match(all);
  const holds = (resource: Json, { attribute, sub, expected }: Comparison) => {
    const path = sub === undefined ? attribute : `${attribute}.${sub}`;
    const fold = (v: unknown) => (CASE_INSENSITIVE.has(path) && typeof v === 'string' ? v.toLowerCase() : v);
    const value = resource[attribute];
    if (sub === undefined) return fold(value) === fold(expected);
    const values = (Array.isArray(value) ? value : [value]) as Array<Json | undefined>;
    return values.some((v) => fold(v?.[sub]) === fold(expected));
  };
  return all.filter((resource) => branches.some((b) => b !== undefined && holds(resource, b)));
}

/**
 * The requested page only. SCIMMY 1.3.5 drops startIndex and count when they
 * arrive as query strings (it tests Number.isInteger on the string), so they
 * are read from the request here and handed back in `constraints`. SCIMMY
 * also coerces every resource egress returns before it slices the page (~1 ms
 * each), and slices again when the list is at least startIndex long: a page
 * shorter than that is returned as it is, a longer one as the list's head for
 * SCIMMY to cut.
 */
function page(all: Json[], resource: Handled, query: Context['query']): Json[] {
  const start = Math.max(1, Number.parseInt(String(query.startIndex ?? '1'), 10) || 1);
  const parsedCount = Number.parseInt(String(query.count ?? ''), 10);
  const count = Number.isNaN(parsedCount) ? 20 : Math.max(0, parsedCount);
  resource.constraints = { startIndex: start, count, totalResults: all.length };
  const slice = all.slice(start - 1, start - 1 + count);
  return slice.length < start ? slice : all.slice(0, start - 1 + count);
}

let declared = false;
function declareResources(): void {
  if (declared) return;
  declared = true;
  SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false), {
    egress: (resource: Handled, { store, query }: Context) => {
      if (resource.id !== undefined) {
        const user = store.users.get(resource.id);
        if (user === undefined) throw notFound(resource.id);
        return withGroups(store, user);
      }
      // Filter first, then add `groups` to what is returned: a filter on groups is not served.
      return page(filtered([...store.users.values()], resource.filter), resource, query).map((u) => withGroups(store, u));
    },
    ingress: (resource: Handled, instance: unknown, { store }: Context) => {
      const { groups: _groups, ...user } = plain(instance);
      if (resource.id !== undefined && !store.users.has(resource.id)) throw notFound(resource.id);
      unique(store.users.values(), 'userName', user.userName, resource.id);
      const id = resource.id ?? randomUUID();
      store.users.set(id, { ...user, id });
      return withGroups(store, { ...user, id });
    },
    degress: (resource: Handled, { store }: Context) => {
      const id = resource.id ?? '';
      if (!store.users.delete(id)) throw notFound(id);
      for (const group of store.groups.values()) group.members = ((group.members ?? []) as Json[]).filter((m) => m.value !== id);
    },
  });
  SCIMMY.Resources.declare(SCIMMY.Resources.Group, {
    egress: (resource: Handled, { store, query }: Context) => {
      if (resource.id !== undefined) {
        const group = store.groups.get(resource.id);
        if (group === undefined) throw notFound(resource.id);
        return group;
      }
      return page(filtered([...store.groups.values()], resource.filter), resource, query);
    },
    ingress: (resource: Handled, instance: unknown, { store }: Context) => {
      const group = plain(instance);
      if (resource.id !== undefined && !store.groups.has(resource.id)) throw notFound(resource.id);
      unique(store.groups.values(), 'displayName', group.displayName, resource.id);
      const id = resource.id ?? randomUUID();
      // RFC 7644 §3.5.2.1: adding a member already there changes nothing.
      const members = new Map<string, Json>();
      for (const member of (group.members ?? []) as Json[]) members.set(String(member.value), { value: member.value });
      const stored = { ...group, id, members: [...members.values()] };
      store.groups.set(id, stored);
      return stored;
    },
    degress: (resource: Handled, { store }: Context) => {
      if (!store.groups.delete(resource.id ?? '')) throw notFound(resource.id);
    },
  });
}

export async function startScimmy(options: ScimmyOptions = {}): Promise<RunningScimmy> {
  declareResources();
  const store: Store = { users: new Map(), groups: new Map() };
  const token = randomBytes(16).toString('hex');
  const issued: string[] = [];
  const valid = new Map<string, number>();
  const requests: RecordedRequest[] = [];

  const app = express();
  app.use((req, res, next) => {
    const path = req.path.replace(/^\/scim\/v2/, '');
    res.on('finish', () => requests.push({ method: req.method, path, query: { ...req.query }, body: req.body as unknown }));
    next();
  });
  if (options.oauth2 !== undefined) {
    const { clientId, clientSecret, expiresIn } = options.oauth2;
    app.post('/oauth/token', express.urlencoded({ extended: false }), (req, res) => {
      const expected = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
      if (req.header('authorization') !== expected || (req.body as Json).grant_type !== 'client_credentials') {
        res.status(401).json({ error: 'invalid_client' });
        return;
      }
      const issuedToken = randomBytes(16).toString('hex');
      issued.push(issuedToken);
      valid.set(issuedToken, Date.now() + expiresIn * 1000);
      res.json({ access_token: issuedToken, token_type: 'Bearer', expires_in: expiresIn });
    });
  }
  app.use('/scim/v2', new SCIMMYRouters({
    type: 'bearer',
    handler: (req: express.Request) => {
      const presented = req.header('authorization')?.replace(/^Bearer /, '') ?? '';
      const ok = options.oauth2 === undefined ? presented === token : (valid.get(presented) ?? 0) > Date.now();
      if (!ok) throw new Error('Authorization failed');
      return 'roster-test';
    },
    context: (req: express.Request): Context => ({ store, query: req.query }),
  }));
  // After the router: its constructor sets patch, filter, sort and bulk to supported.
  SCIMMY.Config.set({ ...DEFAULT_CONFIG, ...options.config });

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: `${origin}/scim/v2`,
    token,
    tokenUrl: `${origin}/oauth/token`,
    requests,
    issued,
    revokeTokens: () => valid.clear(),
    seedUser: (user) => {
      const id = randomUUID();
      store.users.set(id, { ...user, id });
      return id;
    },
    stop: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error === undefined ? resolve() : reject(error)));
    }),
  };
}
