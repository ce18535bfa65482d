#!/usr/bin/env bash
# The house rules of README "Architecture", checked on every CI run (npm run check:architecture):
# the dependency rules of .dependency-cruiser.cjs, and three greps for what a module graph cannot
# see. Prints each broken rule with the places that break it; exits 1 if any is broken.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
fail() {
  echo "architecture: $1"
  echo "$2" | sed 's/^/  /'
  status=1
}

npx depcruise src --config .dependency-cruiser.cjs --output-type err || status=1

hits=$(grep -rnE 'sql`|\.execute\(|from .drizzle-orm|/storage/schema' src --include='*.ts' | grep -v '^src/storage/' || true)
[ -z "$hits" ] || fail "SQL outside src/storage/ (every statement lives in storage, one operation per function):" "$hits"

hits=$(grep -rnE '(createDispatcher|openDb|createEnginePhases|createTick)\(' src --include='*.ts' \
  | grep -vE '^src/runtime/|^src/storage/open\.ts:.*export async function openDb|^src/scheduler/dispatch\.ts:.*export function createDispatcher|^src/scheduler/tick\.ts:.*export function createTick' || true)
[ -z "$hits" ] || fail "the engine is built outside src/runtime/:" "$hits"

hits=$(grep -rnE "from '\.\./(dsl/compile|campaigns|render|sending|journey|calendar|scheduler|forecast|events|consent|contacts)/" src/storage --include='*.ts' || true)
[ -z "$hits" ] || fail "src/storage/ imports domain code:" "$hits"

[ "$status" = 0 ] && echo "architecture: ok (dependency rules, SQL only in storage, engine built only in runtime)"
exit "$status"
