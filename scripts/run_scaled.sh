#!/usr/bin/env bash
# The scaled layout on one machine (`make run-scaled`): HAProxy in front of two Rasa instances
# (endpoints.production.yml), the action server, the LINE router, the outbox drainer, the
# RabbitMQ analytics consumer and the console with the website chat, on the machine's
# PostgreSQL (database intake_scaled: tickets, trackers, analytics), Redis (db 2: locks, LINE
# redeliveries) and RabbitMQ (queue intake_scaled_analytics). Ctrl-C stops them all.
# Logs: var/logs/scaled/. Every address below can be overridden from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077  # logs and the outbox hold residents' data (see run_all.sh)
LOGS=var/logs/scaled
mkdir -p "$LOGS" var/home
chmod 700 var
export HOME="$PWD/var/home"
BIN=.venv/bin

: "${PG_HOST:=127.0.0.1}" "${PG_PORT:=5432}" "${PG_USER:=postgres}" "${PG_DATABASE:=intake_scaled}"
: "${REDIS_HOST:=127.0.0.1}" "${REDIS_PORT:=6379}" "${REDIS_SCALED_DB:=2}"
: "${RABBITMQ_HOST:=127.0.0.1}" "${RABBITMQ_PORT:=5672}"
: "${RABBITMQ_USERNAME:=guest}" "${RABBITMQ_PASSWORD:=guest}" "${RABBITMQ_QUEUE:=intake_scaled_analytics}"
: "${PUBLIC_PORT:=8000}" "${INTERNAL_PORT:=8001}" "${RASA1_PORT:=5005}" "${RASA2_PORT:=5006}"
: "${ACTIONS_PORT:=5055}" "${CONSOLE_PORT:=8080}" "${LINE_ROUTER_PORT:=8090}"

command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || {
  echo "haproxy is missing: run \`make run-scaled\` (it installs Debian's haproxy)" >&2; exit 1; }
HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"

# Its own database, so a run never mixes with the tests' (they use database `test`).
if ! psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -Atc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'" | grep -q 1; then
  createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$PG_DATABASE"
  echo "Created PostgreSQL database $PG_DATABASE"
fi

export DATABASE_URL="postgresql+psycopg2://$PG_USER@$PG_HOST:$PG_PORT/$PG_DATABASE"
export TRACKER_DB_HOST="$PG_HOST" TRACKER_DB_PORT="$PG_PORT" TRACKER_DB_NAME="$PG_DATABASE"
export TRACKER_DB_USER="$PG_USER" TRACKER_DB_PASSWORD="${TRACKER_DB_PASSWORD:-}"
export REDIS_HOST REDIS_PORT REDIS_LOCK_DB="$REDIS_SCALED_DB" REDIS_PASSWORD="${REDIS_PASSWORD:-}"
export REDIS_URL="redis://$REDIS_HOST:$REDIS_PORT/$REDIS_SCALED_DB"
export RABBITMQ_HOST RABBITMQ_PORT RABBITMQ_USERNAME RABBITMQ_PASSWORD RABBITMQ_QUEUE
export ACTION_SERVER_URL="http://127.0.0.1:$ACTIONS_PORT/webhook"
# The console's chat proxy reaches Rasa through HAProxy's internal frontend, by sender.
export RASA_URL="http://127.0.0.1:$INTERNAL_PORT"
export CONSOLE_HOST=127.0.0.1 CONSOLE_PORT
# Residents and staff reach the console through HAProxy (one hop, X-Forwarded-For): the
# per-address limits must see their address, not HAProxy's.
export CONSOLE_TRUSTED_PROXY_HOPS=1 WEB_TRUSTED_PROXY_HOPS=1
export HAPROXY_PUBLIC_BIND="127.0.0.1:$PUBLIC_PORT" HAPROXY_INTERNAL_BIND="127.0.0.1:$INTERNAL_PORT"
export RASA1_ADDR="127.0.0.1:$RASA1_PORT" RASA2_ADDR="127.0.0.1:$RASA2_PORT"
export LINE_ROUTER_ADDR="127.0.0.1:$LINE_ROUTER_PORT" CONSOLE_ADDR="127.0.0.1:$CONSOLE_PORT"
export HAPROXY_STATS_SOCKET="$PWD/var/haproxy-scaled.sock"

if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
  RASA_AUTH_TOKEN="$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(32))')"
fi
export RASA_AUTH_TOKEN
if [ -z "${ANALYTICS_SALT:-}" ]; then
  [ -s var/analytics_salt ] || "$BIN/python" -c 'import secrets; print(secrets.token_hex(32))' \
    > var/analytics_salt
  ANALYTICS_SALT="$(cat var/analytics_salt)"
fi
export ANALYTICS_SALT

pids=()
names=()
start() { # name command...: run in the background, remember it
  local name="$1"; shift
  "$@" &
  pids+=($!); names+=("$name")
}
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM  # Ctrl-C: stop everything (the EXIT trap), not just the loop below

wait_for() { # url seconds name
  for _ in $(seq 1 "$2"); do
    if curl -fsS -o /dev/null -K - <<<"url = \"$1\"" 2>/dev/null; then return 0; fi
    sleep 1
  done
  echo "$3 did not start; see $LOGS/" >&2
  return 1
}

"$BIN/intake" db upgrade >> "$LOGS/console.log" 2>&1

SANIC_HOST=127.0.0.1 start "action server" "$BIN/rasa" run actions --port "$ACTIONS_PORT" \
  > "$LOGS/actions.log" 2>&1
for port in "$RASA1_PORT" "$RASA2_PORT"; do
  start "Rasa on port $port" "$BIN/rasa" run --enable-api --auth-token="$RASA_AUTH_TOKEN" \
    --interface 127.0.0.1 --port "$port" --model models/intake.tar.gz \
    --endpoints endpoints.production.yml --credentials credentials.yml > "$LOGS/rasa-$port.log" 2>&1
done
start "outbox drainer" "$BIN/intake" outbox drain > "$LOGS/outbox.log" 2>&1
start "analytics consumer" "$BIN/intake" analytics consume --source rabbitmq \
  > "$LOGS/analytics.log" 2>&1
start "console" "$BIN/python" -m bot.console > "$LOGS/console.log" 2>&1
start "LINE router" "$BIN/python" -m bot.line_router --port "$LINE_ROUTER_PORT" \
  --upstream "http://127.0.0.1:$INTERNAL_PORT" > "$LOGS/line_router.log" 2>&1
start "HAProxy" "$HAPROXY" -W -db -f deploy/haproxy.cfg > "$LOGS/haproxy.log" 2>&1

wait_for "http://127.0.0.1:$ACTIONS_PORT/health" 60 "Action server"
for port in "$RASA1_PORT" "$RASA2_PORT"; do
  wait_for "http://127.0.0.1:$port/status?token=$RASA_AUTH_TOKEN" 240 "Rasa on port $port"
done
wait_for "http://127.0.0.1:$CONSOLE_PORT/healthz" 30 "Console"
wait_for "http://127.0.0.1:$PUBLIC_PORT/healthz" 15 "HAProxy"

cat <<TXT

The scaled layout is running (all on 127.0.0.1; logs in $LOGS/).
  Public entry (HAProxy):  http://127.0.0.1:$PUBLIC_PORT/
    LINE webhook:          http://127.0.0.1:$PUBLIC_PORT/webhooks/line/webhook  (LINE router)
    Website chat:          http://127.0.0.1:$PUBLIC_PORT/chat?city=ube
    Staff console:         http://127.0.0.1:$PUBLIC_PORT/
  Internal (HAProxy, Rasa by sender; never publish it):
    REST channel:          http://127.0.0.1:$INTERNAL_PORT/webhooks/rest/webhook
    Rasa HTTP API:         http://127.0.0.1:$INTERNAL_PORT/status?token=\$RASA_AUTH_TOKEN
  Rasa instances:          http://127.0.0.1:$RASA1_PORT/  http://127.0.0.1:$RASA2_PORT/
  Action server:           http://127.0.0.1:$ACTIONS_PORT/health
  Which instance served what:
    echo 'show stat' | socat - UNIX-CONNECT:$HAPROXY_STATS_SOCKET | cut -d, -f1,2,8,18
  Stores: PostgreSQL $PG_DATABASE, Redis db $REDIS_SCALED_DB, RabbitMQ queue $RABBITMQ_QUEUE

Try it:
  curl -s http://127.0.0.1:$INTERNAL_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\
    -d '{"sender": "demo", "message": "宇部市に住んでいます。家賃が払えず住む所がなくなりそう"}'

Stop one Rasa instance (kill its pid) to see HAProxy move its senders to the other.
Press Ctrl-C to stop.
TXT
# Losing one part is what this layout is for: keep serving, and say what stopped.
while [ "${#pids[@]}" -gt 0 ]; do
  wait -n "${pids[@]}" || true
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "$(date +%T) ${names[$i]} stopped; see $LOGS/" >&2
      unset 'pids[i]' 'names[i]'
    fi
  done
done
