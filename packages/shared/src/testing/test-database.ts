import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { applyMigrations } from '../db/migrations.js';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

const adminUrl = () => process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/**
 * A fresh database with every migration applied, so test files run in parallel without sharing rows.
 * `drop()` disconnects whoever is still connected and removes it.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `dgc_${label.replace(/\W/g, '_').slice(0, 20)}_${randomUUID().slice(0, 8)}`.toLowerCase();
  const admin = adminUrl();
  await runAdmin(admin, `create database "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  return {
    url: url.toString(),
    drop: () => runAdmin(admin, `drop database if exists "${name}" with (force)`),
  };
}

async function runAdmin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
