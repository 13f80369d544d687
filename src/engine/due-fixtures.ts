import type { Identity, LinkedAccount } from '../core/types.js';
import type { DateSpan, Store } from '../store/types.js';

/**
 * For the tests of engine/due.ts: a store holding `identities` and `links`
 * with the three reads dueSince makes (people dated in the spans, people by
 * id, a target's grace candidates), each as the SQL store answers it.
 */
export function dueStore(identities: readonly Identity[], links: readonly LinkedAccount[]): Store {
  return {
    identities: {
      listIdsDatedIn: async (spans: readonly DateSpan[]) => identities.filter((i) => spans.some((s) => {
        const date = s.date === 'start' ? i.startAt : i.endAt;
        return date !== undefined && date > s.after && date <= s.through;
      })).map((i) => i.id),
      getMany: async (ids: readonly string[]) => identities.filter((i) => ids.includes(i.id)),
    },
    accounts: { listGraceCandidates: async (target: string) => links.filter((l) => l.target === target) },
  } as unknown as Store;
}
