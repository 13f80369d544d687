/**
 * What to do about a server certificate node:tls refused, by the error's
 * code (OpenSSL's verify result, or Node's name check). Node's own message
 * says what is wrong ("self-signed certificate in certificate chain") but
 * not which Roster setting fixes it; an admin who only finds
 * `tls.rejectUnauthorized: false` turns every check off. The hint names the
 * setting that keeps the check: the CA, or the name to check against.
 */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
]);
const OUT_OF_DATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const WRONG_NAME = new Set(['ERR_TLS_CERT_ALTNAME_INVALID']);

export function certificateHint(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (UNTRUSTED.has(code)) {
    return 'the directory\'s certificate is not signed by a CA Roster trusts: set connection.tls.ca to the PEM certificate of the CA that signed it '
      + '(of a self-signed certificate, the certificate itself)';
  }
  if (OUT_OF_DATE.has(code)) {
    return 'the directory\'s certificate is outside its validity dates: renew it on the directory (and check the clocks of both machines)';
  }
  if (WRONG_NAME.has(code)) {
    return 'the directory\'s certificate does not name the host in connection.url: connect by a name the certificate carries, '
      + 'or set connection.tls.servername to the name it carries';
  }
  return undefined;
}
