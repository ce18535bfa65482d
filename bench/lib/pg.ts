import postgres from 'postgres';

/** A schema of its own on DATABASE_URL's server, dropped and created afresh; `sql` runs in it. */
export async function freshSchema(url: string, schema: string) {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop schema if exists ${schema} cascade; create schema ${schema}`);
  await admin.end();
  const sql = postgres(url, { max: 4, onnotice: () => {}, connection: { search_path: schema } });
  return {
    sql,
    async drop() {
      await sql.unsafe(`drop schema if exists ${schema} cascade`);
      await sql.end();
    },
  };
}
