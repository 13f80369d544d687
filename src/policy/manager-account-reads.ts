/**
 * What a target's mappings read of `managerAccount` (the manager's account in
 * the target): its `id`, whether it is `enabled`, and which of its
 * `attributes`. A change of the manager's account that alters none of these
 * cannot change a report's mapped value; one that alters any may (a manager
 * moved or renamed whose DN a report's `manager` spells from their uid and
 * department), and the engine then re-plans the reports' references after
 * the apply (engine/deferred-references.ts).
 */
export interface ManagerAccountReads {
  readonly id: boolean;
  readonly enabled: boolean;
  /** The attribute names read; `all` when a mapping reads them in a way not told from its text. */
  readonly attributes: ReadonlySet<string> | 'all';
}

const NAME = /^\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/;
const ATTRIBUTE = /^\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*\])/;

/**
 * The parts of `managerAccount` these mapping expressions read, told from
 * their text: `managerAccount.id`, `.enabled`, `.attributes.x` and
 * `.attributes["x"]`. Any other use (the map as a whole, an attribute named
 * by an expression) reads everything, so nothing that could change a
 * report's value is missed.
 */
export function managerAccountReads(sources: readonly string[]): ManagerAccountReads {
  let id = false;
  let enabled = false;
  const attributes = new Set<string>();
  let all = false;
  for (const source of sources) {
    for (const found of source.matchAll(/\bmanagerAccount\b/g)) {
      const rest = source.slice(found.index + found[0].length);
      const field = NAME.exec(rest);
      if (field?.[1] === 'id') id = true;
      else if (field?.[1] === 'enabled') enabled = true;
      else if (field?.[1] === 'attributes') {
        const after = rest.slice(field[0].length);
        const attribute = ATTRIBUTE.exec(after);
        const name = attribute?.[1] ?? attribute?.[2] ?? attribute?.[3];
        // `.attributes.size()` is a call on the map, not an attribute.
        if (name === undefined || /^\s*\(/.test(after.slice(attribute?.[0].length ?? 0))) all = true;
        else attributes.add(name);
      } else {
        id = enabled = all = true;
      }
    }
  }
  return { id, enabled, attributes: all ? 'all' : attributes };
}
