#!/usr/bin/env bash
# Verify (and on a CI machine, start) the services the test suite talks to:
# PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379. `make services` runs this.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 30); do pg_up && break; sleep 1; done
  fi
fi
if ! redis_up; then
  if command -v redis-server >/dev/null; then
    echo "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    for _ in $(seq 30); do redis_up && break; sleep 1; done
  fi
fi

ok=1
pg_up && echo "PostgreSQL: up (127.0.0.1:5432)" || { echo "PostgreSQL is not reachable at 127.0.0.1:5432 (trust auth expected)" >&2; ok=0; }
redis_up && echo "Redis: up (127.0.0.1:6379)" || { echo "Redis is not reachable at 127.0.0.1:6379" >&2; ok=0; }
[ "$ok" = 1 ]
