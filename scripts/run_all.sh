#!/usr/bin/env bash
# Starts the action server, the Rasa server, the outbox drainer, the analytics consumer and the
# staff console; prints where they are. Ctrl-C stops them all. Logs go to var/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
# Tickets, conversations (trackers), the outbox and logs hold residents' personal data: what
# the servers create is for this user only (0600 files, 0700 folders), and an older var/
# made world-readable before this line is closed.
umask 077
mkdir -p var/logs var/home
chmod 700 var
export HOME="$PWD/var/home"
BIN=.venv/bin

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

wait_for() { # url seconds name
  for _ in $(seq 1 "$2"); do
    # The URL goes through curl's stdin (-K -): a token in it never shows in `ps`.
    if curl -fsS -o /dev/null -K - <<<"url = \"$1\"" 2>/dev/null; then return 0; fi
    sleep 1
  done
  echo "$3 did not start; see var/logs/" >&2
  return 1
}

"$BIN/intake" db upgrade >> var/logs/console.log 2>&1 || true

# Rasa's HTTP API reads any conversation (messages, phone numbers): it answers only with this
# token. The console's chat proxy gets it from the environment; one is made for this session
# when unset. The action server has no host option: rasa_sdk binds SANIC_HOST (default: every
# interface), so it is pinned to loopback, like Rasa.
if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
  RASA_AUTH_TOKEN="$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(32))')"
fi
export RASA_AUTH_TOKEN

# Analytics keep conversations as salted hashes (bot/analytics/identity.py): the salt is a
# secret that must stay the same across restarts, so one is made once and kept in var/ (0600).
if [ -z "${ANALYTICS_SALT:-}" ]; then
  [ -s var/analytics_salt ] || "$BIN/python" -c 'import secrets; print(secrets.token_hex(32))' \
    > var/analytics_salt
  ANALYTICS_SALT="$(cat var/analytics_salt)"
fi
export ANALYTICS_SALT

SANIC_HOST=127.0.0.1 "$BIN/rasa" run actions --port 5055 > var/logs/actions.log 2>&1 &
pids+=($!)
"$BIN/rasa" run --enable-api --auth-token="$RASA_AUTH_TOKEN" --interface 127.0.0.1 --port 5005 \
  --model models/intake.tar.gz --cors "http://127.0.0.1:8080" > var/logs/rasa.log 2>&1 &
pids+=($!)
# Delivers intakes queued while the ticket database was down (var/outbox/), by itself.
"$BIN/intake" outbox drain > var/logs/outbox.log 2>&1 &
pids+=($!)
# Reads Rasa's events (SQL event broker, var/events.sqlite3) into the masked analytic tables.
"$BIN/intake" analytics consume --source sql > var/logs/analytics.log 2>&1 &
pids+=($!)
if "$BIN/python" -c "import bot.console.app" 2>/dev/null; then
  "$BIN/python" -m bot.console > var/logs/console.log 2>&1 &
  pids+=($!)
fi

wait_for http://127.0.0.1:5055/health 60 "Action server"
wait_for "http://127.0.0.1:5005/status?token=$RASA_AUTH_TOKEN" 180 "Rasa server"

cat <<TXT

The bot is running.
  Rasa REST channel:  http://127.0.0.1:5005/webhooks/rest/webhook
  Rasa HTTP API:      http://127.0.0.1:5005/status?token=\$RASA_AUTH_TOKEN (export it to choose it)
  Action server:      http://127.0.0.1:5055/health
TXT
if [ "${#pids[@]}" -gt 4 ]; then  # actions, rasa, outbox drainer, analytics, then the console
  wait_for http://127.0.0.1:8080/healthz 30 "Console" && cat <<TXT
  Staff console:      http://127.0.0.1:8080/
  Website chat:       http://127.0.0.1:8080/chat?city=ube
TXT
  if ! "$BIN/intake" user list 2>/dev/null | grep -q .; then
    cat <<'TXT'

  No console account yet. To log in, create one (12-128 characters of password), then sign in
  at http://127.0.0.1:8080/login with that name and password:
    printf '%s\n' 'a long passphrase here' | .venv/bin/intake user add admin --role admin \
        --city ube --password-stdin
TXT
  else
    echo "  Log in at http://127.0.0.1:8080/login with an account from: .venv/bin/intake user list"
  fi
fi
cat <<'TXT'

Try it:
  curl -s http://127.0.0.1:5005/webhooks/rest/webhook \
    -H 'Content-Type: application/json' \
    -d '{"sender": "demo", "message": "宇部市に住んでいます。家賃が払えず住む所がなくなりそう"}'

Press Ctrl-C to stop.
TXT
wait -n "${pids[@]}"
