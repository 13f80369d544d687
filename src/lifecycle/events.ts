import type { SourceConfig } from '../config/types.js';
import type { Identity, LifecycleEvent, LifecycleEventKind, LifecycleState } from '../core/types.js';
import { isContractor, sameValue } from './record.js';
import { effectiveState, isLive, type StatusClass } from './state.js';
import { newEmploymentUnseen } from './employment.js';

type Changes = Record<string, { readonly before: unknown; readonly after: unknown }>;

export interface EventContext {
  readonly source: SourceConfig;
  readonly now: number;
  readonly nowIso: string;
}

function event(
  ctx: EventContext, kind: LifecycleEventKind, identityId: string, reasons: readonly string[],
  effectiveAt?: string, changes?: Changes,
): LifecycleEvent {
  const base = { kind, identityId, effectiveAt: effectiveAt ?? ctx.nowIso, recordedAt: ctx.nowIso, reasons };
  return changes === undefined ? base : { ...base, changes };
}

function leaverReason(identity: Identity, ctx: EventContext): string {
  return isContractor(identity.attributes, ctx.source) ? 'leaver.contract_end' : 'leaver.terminated';
}

function startEffective(identity: Identity, ctx: EventContext): { at: string; future: boolean } {
  const start = identity.startAt === undefined ? undefined : Date.parse(identity.startAt);
  return start !== undefined && start > ctx.now
    ? { at: identity.startAt as string, future: true }
    : { at: ctx.nowIso, future: false };
}

/** A future end date recorded (or moved): the leaver event is dated then. */
function futureLeaver(identity: Identity, ctx: EventContext): LifecycleEvent | undefined {
  if (identity.endAt === undefined || Date.parse(identity.endAt) <= ctx.now) return undefined;
  const reasons = isContractor(identity.attributes, ctx.source)
    ? ['leaver.future_dated', 'leaver.contract_end'] : ['leaver.future_dated'];
  return event(ctx, 'leaver', identity.id, reasons, identity.endAt);
}

/** The state of a just-merged identity now: a future hire on leave is stored as 'leave' (state.ts storedState) but is a prehire until the start. */
function stateNow(identity: Identity, ctx: EventContext): LifecycleState {
  return identity.state === 'leave' ? effectiveState(identity, new Date(ctx.now)) : identity.state;
}

/** A future hire on leave: the leave starts with the employment. */
function futureLeave(after: Identity, ctx: EventContext): LifecycleEvent {
  return event(ctx, 'leave.start', after.id, ['leave.start'], after.startAt);
}

/** Events for an identity seen for the first time. */
export function joinerEvents(after: Identity, ctx: EventContext): LifecycleEvent[] {
  if (after.state === 'rescinded') return [event(ctx, 'rescinded', after.id, ['joiner.rescinded'])];
  if (after.state === 'terminated') {
    return [event(ctx, 'leaver', after.id, [leaverReason(after, ctx)], after.endAt)];
  }
  const start = startEffective(after, ctx);
  const events = [event(ctx, 'joiner', after.id, [start.future ? 'joiner.future_dated' : 'joiner'], start.at)];
  const now = stateNow(after, ctx);
  if (now === 'leave') events.push(event(ctx, 'leave.start', after.id, ['leave.start']));
  else if (after.state === 'leave') events.push(futureLeave(after, ctx));
  const leaver = futureLeaver(after, ctx);
  if (leaver) events.push(leaver);
  return events;
}

/**
 * A terminated person back at work is a rehire when a new employment starts:
 * a start on or after the old employment's end, a start date later than the
 * old one (or one recorded where there was none), or the person taken over by
 * another source. With the same start, HR took
 * the termination back (a mistake corrected, a resignation withdrawn, SCIM
 * `active` set true again): the same employment goes on, `leaver.reverted`.
 */
function isRehire(before: Identity, after: Identity): boolean {
  // Taken over by another source (a contractor who left, now in the employees' file): another employment.
  if (after.sourceId !== before.sourceId) return true;
  if (after.startAt === undefined) return false;
  const start = Date.parse(after.startAt);
  // A start after the end (a next employment already on the row, conversion-gap), or a start moved later.
  if (before.endAt !== undefined && start >= Date.parse(before.endAt)) return true;
  return before.startAt === undefined || start > Date.parse(before.startAt);
}

/** The status and end date columns, before and after (the record of a termination taken back). */
function lifecycleChanges(before: Identity, after: Identity, ctx: EventContext): Changes {
  const changes: Changes = {};
  for (const field of [ctx.source.fields.status, ctx.source.fields.endDate]) {
    if (field === undefined) continue;
    const b = before.attributes[field];
    const a = after.attributes[field];
    if (!sameValue(b, a)) changes[field] = { before: b ?? null, after: a ?? null };
  }
  return changes;
}

/**
 * Attribute changes, without the lifecycle columns (they have events of their own). An attribute the record
 * did not have that comes empty (a column or a directory attribute newly mapped, which most people leave
 * blank) is no change: otherwise every identity would become a mover ("managerId: ∅ → ''") the first time
 * the source is read after the mapping grew.
 */
function attributeChanges(before: Identity, after: Identity, lifecycleFields: ReadonlySet<string>): Changes {
  const changes: Changes = {};
  const keys = new Set([...Object.keys(before.attributes), ...Object.keys(after.attributes)]);
  for (const key of keys) {
    if (lifecycleFields.has(key)) continue;
    const b = before.attributes[key];
    const a = after.attributes[key];
    if (sameValue(b, a) || (absent(b) && a === '') || (b === '' && absent(a))) continue;
    changes[key] = { before: b ?? null, after: a ?? null };
  }
  return changes;
}

const absent = (value: unknown): boolean => value === undefined || value === null;

function moverReason(key: string, source: SourceConfig): string {
  if (key === source.fields.manager) return 'mover.manager';
  if (key === source.fields.employmentType) return 'mover.employmentType';
  return `mover.${key}`;
}

function slug(value: unknown): string {
  return String(value ?? '').trim().toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

/**
 * Events for a changed identity: state transitions (rehire, leaver, leave,
 * rescinded, returned), movers (with before/after per attribute) and
 * conversions (employment type changed).
 */
export function changeEvents(
  before: Identity, beforeState: LifecycleState, after: Identity, status: StatusClass, ctx: EventContext,
  continued?: { readonly from: string; readonly to: string; readonly via?: 'entry' },
): LifecycleEvent[] {
  const events: LifecycleEvent[] = [];
  const id = after.id;
  const { fields } = ctx.source;
  const to = stateNow(after, ctx);
  const lifecycleFields = new Set([fields.status, fields.startDate, fields.endDate]);
  if (continued?.via === 'entry') {
    // The directory entry under a new key (rekeyed.ts): the same employment goes on; its dates decide the rest, as for anyone.
    events.push(event(ctx, 'mover', id, ['identity.rekeyed'], undefined, { key: { before: continued.from, after: continued.to } }));
    lifecycleFields.add(ctx.source.key);
    if (fields.previousKey !== undefined) lifecycleFields.add(fields.previousKey);
  }
  if (continued !== undefined && continued.via !== 'entry') {
    // Back under a new key (continued.ts): a new employment, whatever its dates say; the key change is on the event.
    const key = { key: { before: continued.from, after: continued.to } };
    if (isLive(to)) events.push(event(ctx, 'rehire', id, ['rehire', 'rehire.new_key'], startEffective(after, ctx).at, key));
    else events.push(event(ctx, 'mover', id, ['identity.key_continued'], undefined, key));
    lifecycleFields.add(ctx.source.key);
    if (fields.previousKey !== undefined) lifecycleFields.add(fields.previousKey);
  } else if (before.missingSince !== undefined) {
    events.push(event(ctx, 'returned', id, ['returned']));
  } else if (beforeState === 'terminated' && isLive(to)) {
    if (isRehire(before, after)) events.push(event(ctx, 'rehire', id, ['rehire'], startEffective(after, ctx).at));
    else events.push(event(ctx, 'mover', id, ['leaver.reverted'], undefined, lifecycleChanges(before, after, ctx)));
  } else if (newEmploymentUnseen(before, beforeState, after, to, ctx.now)) {
    // Left and back between two reads (the termination and the rehire in one pass): the account was never disabled.
    events.push(event(ctx, 'rehire', id, ['rehire', 'rehire.unseen_leave'], startEffective(after, ctx).at));
  } else if (beforeState === 'rescinded' && isLive(to)) {
    events.push(event(ctx, 'joiner', id, ['joiner.reinstated'], startEffective(after, ctx).at));
  }
  if (to === 'rescinded' && beforeState !== 'rescinded') events.push(event(ctx, 'rescinded', id, ['joiner.rescinded']));
  if (to === 'terminated' && beforeState !== 'terminated') {
    const reason = status === 'terminated' ? 'leaver.terminated' : leaverReason(after, ctx);
    events.push(event(ctx, 'leaver', id, [reason], after.endAt));
  }
  if (isLive(to) && after.endAt !== before.endAt) {
    const leaver = futureLeaver(after, ctx);
    if (leaver) events.push(leaver);
    else if (after.endAt === undefined && beforeState !== 'terminated') {
      events.push(event(ctx, 'mover', id, ['leaver.cancelled'], undefined,
        { [fields.endDate]: { before: before.attributes[fields.endDate] ?? null, after: after.attributes[fields.endDate] ?? null } }));
    }
  }
  if (to === 'prehire' && beforeState === 'prehire' && after.startAt !== before.startAt) {
    events.push(event(ctx, 'joiner', id, ['joiner.rescheduled'], after.startAt));
  }
  if (to === 'leave' && beforeState !== 'leave') events.push(event(ctx, 'leave.start', id, ['leave.start']));
  if (to === 'prehire' && after.state === 'leave' && before.state !== 'leave') events.push(futureLeave(after, ctx));
  if (beforeState === 'leave' && to === 'active') events.push(event(ctx, 'leave.end', id, ['leave.end']));

  const changes = attributeChanges(before, after, lifecycleFields);
  const changed = Object.keys(changes).sort();
  if (changed.length > 0) {
    events.push(event(ctx, 'mover', id, changed.map((key) => moverReason(key, ctx.source)), undefined, changes));
  }
  const type = changes[fields.employmentType];
  if (type && slug(type.before) !== '' && slug(type.after) !== '' && slug(type.before) !== slug(type.after)) {
    const reason = `conversion.${slug(type.before)}_to_${slug(type.after)}`;
    events.push(event(ctx, 'conversion', id, [reason], undefined, { [fields.employmentType]: type }));
  }
  return events;
}
