import { describe, expect, it } from 'vitest';
import { isPostgresUrl, redactUrl } from '../src/db/url.js';

describe('isPostgresUrl', () => {
  it('takes postgres:// and postgresql:// URLs, in any case', () => {
    for (const url of ['postgres://localhost/db', 'postgresql://u:p@h:5432/db?sslmode=require', 'POSTGRES://h/db', 'postgresql:///db']) {
      expect(isPostgresUrl(url), url).toBe(true);
    }
  });

  it('takes everything else for a SQLite path', () => {
    for (const path of ['tickets.db', ':memory:', '/var/lib/postgres/tickets.db', 'postgres.db', 'postgres:/x', 'mysql://h/db', 'file:postgres://x', '']) {
      expect(isPostgresUrl(path), path).toBe(false);
    }
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('postgres://alice:s3cret@db.example.com:5432/tickets')).toBe('postgres://alice:***@db.example.com:5432/tickets');
    expect(redactUrl('postgresql://alice:p%40ss%2Fw@h/db?sslmode=require')).toBe('postgresql://alice:***@h/db?sslmode=require');
  });

  it('hides a password with an unescaped @ or / whole', () => {
    const redacted = redactUrl('postgres://alice:pa@ss/wo@rd@h/db');
    expect(redacted).toBe('postgres://alice:***@h/db');
    for (const part of ['pa', 'ss', 'wo', 'rd@']) expect(redacted).not.toContain(`${part}@h`);
  });

  it('hides password parameters', () => {
    expect(redactUrl('postgres://h/db?user=alice&password=s3cret&sslmode=require')).toBe('postgres://h/db?user=alice&password=***&sslmode=require');
    expect(redactUrl('postgres://h/db?sslpassword=k3y')).toBe('postgres://h/db?sslpassword=***');
  });

  it('leaves a URL without a password as it is', () => {
    for (const url of ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://h/db', 'postgresql:///db?host=/var/run/postgresql', 'tickets.db']) {
      expect(redactUrl(url)).toBe(url);
    }
  });
});
