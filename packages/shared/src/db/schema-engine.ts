import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';

export type { SchemaEngine } from '@prisma/schema-engine-wasm';

type WasmExports = Record<string, unknown> & { __wbindgen_start?: () => void };
/** The slice of the WebAssembly global used here; the ES2023 lib this project targets does not declare it. */
const webAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      instantiate(
        bytes: Uint8Array,
        imports: Record<string, object>,
      ): Promise<{ instance: { exports: WasmExports } }>;
    };
  }
).WebAssembly;

let bindingsReady: Promise<void> | undefined;

/**
 * Instantiates Prisma's schema engine (the same engine `prisma migrate` runs natively) from its WebAssembly
 * build. The package's own entry imports the `.wasm` as an ES module, which Node 20 allows only behind
 * `--experimental-wasm-modules`; loading the bytes here works in every runner (tsx, vitest, plain node).
 */
function loadBindings(): Promise<void> {
  bindingsReady ??= (async () => {
    // The package exports no path to its .wasm; it sits beside the bindings module.
    const bindingsPath = createRequire(import.meta.url).resolve(
      '@prisma/schema-engine-wasm/schema_engine_bg',
    );
    const wasmPath = join(dirname(bindingsPath), 'schema_engine_bg.wasm');
    const { instance } = await webAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': withUnrefTimers(engineBindings),
    });
    (engineBindings as unknown as { __wbg_set_wasm(exports: WasmExports): void }).__wbg_set_wasm(
      instance.exports,
    );
    instance.exports.__wbindgen_start?.();
  })();
  return bindingsReady;
}

/**
 * The engine arms a timer (its 10 s advisory-lock timeout) for every migration command and never clears
 * it, which kept a finished CLI alive for 10 s. Unreferenced, the timer still fires while the engine
 * waits for the lock (the open connection keeps the process alive) but no longer holds an idle process.
 */
function withUnrefTimers(bindings: object): Record<string, unknown> {
  const wrapped: Record<string, unknown> = { ...bindings };
  for (const [name, binding] of Object.entries(bindings)) {
    if (!name.startsWith('__wbg_setTimeout_') || typeof binding !== 'function') continue;
    wrapped[name] = (...args: unknown[]) => {
      const timer = binding(...args) as { unref?: () => void };
      timer.unref?.();
      return timer;
    };
  }
  return wrapped;
}

export interface OpenSchemaEngine {
  engine: SchemaEngine;
  /** Frees the engine and closes its connections (which also releases its migration advisory lock). */
  close(): Promise<void>;
}

export interface SchemaEngineOptions {
  /** The PostgreSQL schema of `_prisma_migrations` (the engine's default schema); `public` when unset. */
  historySchema?: string | undefined;
  log?: (message: string) => void;
}

/** Opens a schema engine on `databaseUrl` that knows the given Prisma schema. */
export async function openSchemaEngine(
  databaseUrl: string,
  schema: { path: string; content: string },
  { historySchema, log = () => {} }: SchemaEngineOptions = {},
): Promise<OpenSchemaEngine> {
  await loadBindings();
  // Discrete fields rather than a connection string: the adapter builds the shadow database's pool by
  // overriding `database`, which a connection string would silently win over (diffing against the real
  // database instead of an empty shadow).
  // The engine looks for `_prisma_migrations` in the schema the adapter reports but creates it unqualified,
  // so the search_path must name the same schema.
  const factory = new PrismaPg(
    {
      ...connectionFieldsOf(databaseUrl),
      max: 2,
      idleTimeoutMillis: 1_000,
      ...(historySchema ? { options: `-c search_path=${historySchema}` } : {}),
    },
    historySchema ? { schema: historySchema } : undefined,
  );
  const openedPools = trackConnections(withCharColumnsAsText(factory));
  const engine = await (engineBindings.SchemaEngine as unknown as typeof SchemaEngine).new(
    { datamodels: [[schema.path, schema.content]] },
    (message: string) => log(message),
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  return {
    engine,
    async close() {
      engine.free();
      // The engine frees its Rust side but never disposes the JavaScript pools it opened; left to their idle
      // timeout they would keep the process alive and hold the advisory lock a moment longer.
      await Promise.all(openedPools.map((adapter) => adapter.dispose().catch(() => {})));
    },
  };
}

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;

/**
 * Records every pool `factory.connect` opens. The shadow database's own pool is not among them: the engine
 * disposes that one itself (disposing drops the shadow database), though the extra pool
 * `connectToShadowDb` opens on the main database to run CREATE/DROP DATABASE is.
 */
function trackConnections(factory: PrismaPg): Adapter[] {
  const opened: Adapter[] = [];
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    opened.push(adapter);
    return adapter;
  };
  return opened;
}

function connectionFieldsOf(databaseUrl: string) {
  const url = new URL(databaseUrl);
  return {
    host: decodeURIComponent(url.hostname) || '127.0.0.1',
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: decodeURIComponent(url.pathname.slice(1)) || undefined,
  };
}

/** PostgreSQL's internal single-byte `"char"` type (pg_catalog's relkind, contype, …). */
const pgCharTypeId = 18;
const pgTextTypeId = 25;

interface QueryResultFields {
  fields: { dataTypeID: number }[];
}
type PerformIO = (query: unknown) => Promise<QueryResultFields>;

/**
 * `@prisma/adapter-pg` has no column-type mapping for `"char"`, which the schema engine's catalog queries
 * return when it describes a database (diffing from migrations), so those queries fail with
 * "Column type 'char' could not be deserialized". pg already delivers such values as strings; reporting
 * the column as text is all the engine needs. Only the migration tooling uses this wrapper.
 */
function withCharColumnsAsText(factory: PrismaPg): PrismaPg {
  const patchQueryable = <T extends object>(queryable: T): T => {
    const target = queryable as unknown as {
      performIO: PerformIO;
      startTransaction?: (...args: unknown[]) => Promise<object>;
    };
    const performIO = target.performIO.bind(queryable);
    target.performIO = async (query) => {
      const result = await performIO(query);
      for (const field of result.fields)
        if (field.dataTypeID === pgCharTypeId) field.dataTypeID = pgTextTypeId;
      return result;
    };
    const startTransaction = target.startTransaction?.bind(queryable);
    if (startTransaction) {
      target.startTransaction = async (...args) => patchQueryable(await startTransaction(...args));
    }
    return queryable;
  };
  const connect = factory.connect.bind(factory);
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connect = async () => patchQueryable(await connect());
  factory.connectToShadowDb = async () => patchQueryable(await connectToShadowDb());
  return factory;
}
