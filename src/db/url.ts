/** `--db` takes a PostgreSQL URL or a SQLite path: the scheme alone decides. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(value);
}

/**
 * The URL as it may be logged: any password, in the user part or a `password` /
 * `sslpassword` parameter, becomes `***`. Done on the text rather than through URL parsing,
 * so a password with an unescaped `@` or `/` is hidden whole: everything up to the last
 * `@` counts as the user part (at worst the host is hidden too, never a password shown).
 */
export function redactUrl(url: string): string {
  const userPart = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@([^@]*)$/is.exec(url);
  let redacted = url;
  if (userPart) {
    const [, scheme, userInfo, rest] = userPart as unknown as [string, string, string, string];
    const colon = userInfo.indexOf(':');
    redacted = colon < 0 ? url : `${scheme}${userInfo.slice(0, colon)}:***@${rest}`;
  }
  return redacted.replace(/([?&](?:ssl)?password=)[^&#]*/gi, '$1***');
}
