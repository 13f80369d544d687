import { MessageResponseStatus, ModifyDNRequest, StatusCodeParser, type ModifyDNResponse } from 'ldapts';
import { formatDn, parseDn } from '../directory/dn.js';
import type { DirectoryClient } from '../directory/pool.js';

/** What ldapts's own modifyDN uses of its Client: private there, so checked before use. */
interface ClientInternals {
  _nextMessageId(): number;
  _send(request: ModifyDNRequest): Promise<ModifyDNResponse | undefined>;
}

/**
 * modify DN with deleteOldRdn false: the values of the old RDN stay in the
 * entry. ldapts's modifyDN always deletes them, and leaving
 * `cn=John Smith+uid=jsmith` for `cn=John Smith` would then delete the
 * account key (and a posixAccount, which must have a uid, would be refused).
 * ldapts has no option for it, so this sends the request as its modifyDN
 * does, on a connection the pool has already bound.
 */
export async function modifyDnKeepingValues(client: DirectoryClient, dn: string, newDn: string): Promise<void> {
  const internals = client as unknown as Partial<ClientInternals>;
  if (typeof internals._send !== 'function' || typeof internals._nextMessageId !== 'function') {
    throw new Error('this ldapts version cannot send a modify DN that keeps the old RDN values (deleteOldRdn false)');
  }
  const [rdn, ...parent] = parseDn(newDn);
  const request = new ModifyDNRequest({
    messageId: internals._nextMessageId(), dn, deleteOldRdn: false,
    newRdn: formatDn(rdn === undefined ? [] : [rdn]), newSuperior: formatDn(parent),
  });
  const result = await internals._send(request);
  if (result?.status !== MessageResponseStatus.Success) throw StatusCodeParser.parse(result);
}
