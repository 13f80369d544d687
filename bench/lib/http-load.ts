/**
 * A closed-loop HTTP load generator, run as a child process so it has its own
 * event loop (and, on a 2-core machine, its own core) apart from the server:
 *   node --import tsx bench/lib/http-load.ts   (reads one JSON job from stdin)
 * Job: { url, token, seconds, concurrency, phases: [{ name, kind, … }] }.
 * Each phase keeps `concurrency` requests in flight over keep-alive sockets
 * for `seconds` (http1-client.ts: lean, so the clients cost far less CPU
 * than the server they measure). Stdout carries one JSON line as a phase starts,
 *   { start: name }   (so the server process can read its own CPU over the phase),
 * and one when it ends:
 *   { name, requests, ok, errors, statuses, rps, p50_ms, p99_ms, client_cpu_us_per_req }.
 * A response counts as ok when its status is the expected one and, for the
 * first CHECKED responses of a phase, its body is the right one (a filter
 * that matched nothing, or the wrong user, would otherwise look fast).
 */
import { Http1Connection } from './http1-client.js';
import { percentile, ms } from './stats.js';

export type LoadPhase =
  | { readonly name: string; readonly kind: 'get-filter'; readonly userNames: readonly string[] }
  | { readonly name: string; readonly kind: 'post'; readonly prefix: string }
  | { readonly name: string; readonly kind: 'patch'; readonly ids: readonly string[] };

export interface LoadJob {
  readonly url: string;
  readonly token: string;
  readonly seconds: number;
  readonly concurrency: number;
  readonly phases: readonly LoadPhase[];
}

export interface PhaseResult {
  readonly name: string;
  readonly requests: number;
  readonly ok: number;
  readonly errors: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly rps: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  /** This load generator's own CPU per request: it must stay well below the server's, or it is the limit. */
  readonly client_cpu_us_per_req: number;
}

/** The line announcing a phase (see the header). */
export interface PhaseStart {
  readonly start: string;
}

interface Call {
  readonly method: string;
  readonly path: string;
  readonly body?: string;
  readonly expect: number;
  /** Is this the body the request should get? (Run on the first CHECKED responses only.) */
  readonly check: (body: unknown) => boolean;
}

/** Responses per phase whose body is parsed and checked; the rest are only counted by status. */
const CHECKED = 200;

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

function callsOf(phase: LoadPhase): (n: number) => Call {
  switch (phase.kind) {
    case 'get-filter':
      return (n) => {
        const userName = phase.userNames[(n * 7919) % phase.userNames.length]!;
        const filter = encodeURIComponent(`userName eq "${userName.replace(/["\\]/g, (c) => `\\${c}`)}"`);
        return { method: 'GET', path: `/scim/v2/Users?filter=${filter}`, expect: 200, check: (body) => isListOf(body, userName) };
      };
    case 'post':
      return (n) => ({
        method: 'POST',
        path: '/scim/v2/Users',
        body: JSON.stringify({
          schemas: [USER_SCHEMA],
          userName: `${phase.prefix}${n}@bench.example.com`,
          name: { givenName: 'Bench', familyName: `User ${n}` },
          emails: [{ value: `${phase.prefix}${n}@bench.example.com`, type: 'work', primary: true }],
          active: true,
        }),
        expect: 201,
        check: (body) => field(body, 'userName') === `${phase.prefix}${n}@bench.example.com`,
      });
    case 'patch':
      return (n) => ({
        method: 'PATCH',
        path: `/scim/v2/Users/${encodeURIComponent(phase.ids[(n * 104_729) % phase.ids.length]!)}`,
        body: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: `Title ${n}` }] }),
        expect: 200,
        check: (body) => field(body, 'title') === `Title ${n}`,
      });
  }
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** A ListResponse holding exactly the one user named. */
function isListOf(body: unknown, userName: string): boolean {
  const resources = field(body, 'Resources');
  return field(body, 'totalResults') === 1 && Array.isArray(resources) && resources.length === 1 && field(resources[0], 'userName') === userName;
}

function parsed(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Sends one call: its status, or 0 when the body was checked and wrong (or the connection failed). */
async function send(connection: Http1Connection, host: string, token: string, call: Call, checked: boolean): Promise<number> {
  const head = `${call.method} ${call.path} HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${token}\r\naccept: application/scim+json\r\n`
    + (call.body === undefined ? '' : 'content-type: application/scim+json\r\n');
  const { status, body } = await connection.send(call.method, head, call.body);
  return checked && status === call.expect && !call.check(parsed(body)) ? 0 : status;
}

export async function runPhase(job: LoadJob, phase: LoadPhase): Promise<PhaseResult> {
  const base = new URL(job.url);
  const connections = Array.from({ length: job.concurrency }, () => new Http1Connection(base.hostname, Number(base.port)));
  const next = callsOf(phase);
  const statuses: Record<string, number> = {};
  const samples: number[] = [];
  let counter = 0;
  let ok = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + job.seconds * 1000;
  const loop = async (connection: Http1Connection): Promise<void> => {
    while (performance.now() < deadline) {
      const n = counter++;
      const call = next(n);
      const t0 = performance.now();
      const status = await send(connection, base.host, job.token, call, n < CHECKED);
      samples.push(performance.now() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === call.expect) ok += 1;
    }
  };
  await Promise.all(connections.map(loop));
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  for (const connection of connections) connection.close();
  return {
    name: phase.name,
    requests: samples.length,
    ok,
    errors: samples.length - ok,
    statuses,
    rps: Math.round(ok / elapsed),
    p50_ms: ms(percentile(samples, 50)),
    p99_ms: ms(percentile(samples, 99)),
    client_cpu_us_per_req: Math.round((used.user + used.system) / Math.max(1, samples.length)),
  };
}

async function main(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  const job = JSON.parse(input) as LoadJob;
  for (const phase of job.phases) {
    process.stdout.write(`${JSON.stringify({ start: phase.name } satisfies PhaseStart)}\n`);
    process.stdout.write(`${JSON.stringify(await runPhase(job, phase))}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
