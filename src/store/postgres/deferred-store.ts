import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../schema.js';
import { checkPostgresUrl, redactUrl } from './connection-url.js';
import type { PostgresReader, PostgresResult, PostgresStore } from './postgres-store.js';

/**
 * A PostgreSQL store opened read-only in the background, for an API that returns at once
 * (`openRecording`): it is a store right away, connects on first use, and a failure to open (an
 * unreachable server, a database that is not a store) is the error of that first use. The
 * PostgreSQL driver is loaded then, not before.
 */
export class DeferredPostgresStore implements PostgresReader {
  readonly dialect = 'postgres' as const;
  readonly readonly = true;
  readonly path: string;
  readonly db: Kysely<Database>;
  private readonly opening: Promise<PostgresStore>;
  private readonly objects = new Map<object, unknown>();

  constructor(url: string) {
    checkPostgresUrl(url);
    this.path = redactUrl(url);
    this.opening = import('./open-store.js').then((m) => m.openPostgresStore(url, { readonly: true }));
    // Said at first use; until then a failure to open is no unhandled rejection.
    this.opening.catch(() => {});
    this.db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: async () => (await this.opening).kyselyPool() }) });
  }

  cached<T>(owner: object, make: () => T): T {
    if (!this.objects.has(owner)) this.objects.set(owner, make());
    return this.objects.get(owner) as T;
  }

  async query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<PostgresResult<Row>> {
    return (await this.opening).query<Row>(sql, params);
  }

  async readOnlyQuery<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<PostgresResult<Row>> {
    return (await this.opening).readOnlyQuery<Row>(sql, params);
  }

  async close(): Promise<void> {
    await this.opening.then(
      (store) => store.close(),
      () => {},
    );
  }
}
