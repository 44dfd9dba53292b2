#!/usr/bin/env bash
# Proves the Dockerfile and compose.yaml on a machine that reaches Debian's packages and the npm
# registry but no container registry (see README, Deploy):
#   1. compose.yaml parses (default and `scale` profile) with Debian's docker-compose;
#   2. a private dockerd without a bridge network (every container uses --network host, so all
#      traffic stays on loopback);
#   3. a stand-in for node:20-bookworm-slim: Debian minbase + this machine's Node 20 (cached);
#   4. `docker build` of the real Dockerfile; prints the build time and what DevHub adds to its base;
#   5. the image: no data/.env/tests inside, non-root, /healthz and /readyz, sign-up, the account
#      survives a restart, `docker stop` exits cleanly within the stop timeout.
# Cleans up after itself (container, volume, daemon) and exits non-zero on any failed check.
set -Eeuo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
DOCKER=/usr/bin/docker               # Debian's client, same version as its daemon
DATA_ROOT=/var/lib/devhub-ci-docker  # kept between runs: the stand-in base is built once per Node version
NODE_VERSION=$(node --version)
BASE_IMAGE="devhub-ci/node:${NODE_VERSION#v}"
IMAGE=devhub:ci
STOP_TIMEOUT=20
WORK=$(mktemp -d /tmp/devhub-docker.XXXXXX)
CONTAINER="devhub-ci-$$"
VOLUME="devhub-ci-data-$$"
export DOCKER_HOST="unix://$WORK/docker.sock"
DOCKERD_PID=""

log() { printf '[docker-check] %s\n' "$*"; }
fail() { printf '[docker-check] FAILED: %s\n' "$*" >&2; exit 1; }

cleanup() {
  local rc=$?
  set +e
  if [[ -n "$DOCKERD_PID" ]]; then
    if ((rc != 0)); then
      log "container logs (last 40 lines):"
      "$DOCKER" logs --tail 40 "$CONTAINER" 2>&1 | sed 's/^/    /'
    fi
    "$DOCKER" rm -f "$CONTAINER" "$CONTAINER-worker" >/dev/null 2>&1
    "$DOCKER" volume rm -f "$VOLUME" >/dev/null 2>&1
    kill "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$DOCKERD_PID" 2>/dev/null
    if ((rc != 0)); then log "dockerd log (last 20 lines):"; tail -20 "$WORK/dockerd.log" | sed 's/^/    /'; fi
  fi
  # dockerd leaves its default network namespace bind-mounted in the exec root (debootstrap unmounts
  # its own); never delete through a mount that is still there
  awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
  grep -q " $WORK/" /proc/mounts || rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

# Polls "$@" until it succeeds or SECONDS passes the deadline.
wait_until() {
  local what="$1" seconds="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "$what not within ${seconds}s"
    sleep 1
  done
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# --- tools -----------------------------------------------------------------------------------
if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null || ! command -v docker-compose >/dev/null || [[ ! -x $DOCKER ]]; then
  log "installing docker.io, debootstrap, docker-compose from Debian"
  apt-get update -qq
  apt-get install -y -qq docker.io debootstrap docker-compose >/dev/null
fi

# --- compose.yaml parses ---------------------------------------------------------------------
log "compose.yaml: docker-compose config (default and --profile scale)"
SESSION_SECRET=ci-placeholder-session-secret-32-characters ENCRYPTION_KEY=ci-placeholder-key \
  POSTGRES_PASSWORD=ci-placeholder docker-compose -f compose.yaml config -q
SESSION_SECRET=ci-placeholder-session-secret-32-characters ENCRYPTION_KEY=ci-placeholder-key \
  POSTGRES_PASSWORD=ci-placeholder docker-compose -f compose.yaml --profile scale config --services | sort | tr '\n' ' ' | tee "$WORK/services"
echo
for service in devhub devhub-2 worker postgres redis; do
  grep -qw "$service" "$WORK/services" || fail "compose --profile scale has no service $service"
done

# --- a private dockerd without a bridge --------------------------------------------------------
log "starting dockerd (no bridge, no iptables; data in $DATA_ROOT)"
mkdir -p "$DATA_ROOT"
dockerd --bridge=none --iptables=false --ip6tables=false \
  --host "$DOCKER_HOST" --data-root "$DATA_ROOT" --exec-root "$WORK/exec" --pidfile "$WORK/dockerd.pid" \
  >"$WORK/dockerd.log" 2>&1 &
DOCKERD_PID=$!
wait_until "dockerd answering" 60 "$DOCKER" info

# --- stand-in base image ---------------------------------------------------------------------
if "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "stand-in base $BASE_IMAGE already built (cached in $DATA_ROOT)"
else
  log "building stand-in base $BASE_IMAGE: debootstrap minbase bookworm + this machine's Node"
  base_start=$SECONDS
  root="$WORK/rootfs"
  mkdir -p /var/cache/devhub-ci-debootstrap  # the downloaded .debs, kept for a rebuild
  debootstrap --variant=minbase --cache-dir=/var/cache/devhub-ci-debootstrap bookworm "$root" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap"; }
  cp /usr/bin/node "$root/usr/bin/node"
  mkdir -p "$root/usr/lib/node_modules" "$root/usr/include" "$root/etc/ssl/certs"
  cp -a /usr/lib/node_modules/npm "$root/usr/lib/node_modules/"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
  # node-gyp builds better-sqlite3 against these headers: no prebuilt binary can be downloaded here
  cp -a /usr/include/node "$root/usr/include/"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  cp /etc/npmrc "$root/etc/npmrc"
  rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
  tar -C "$root" -c . | "$DOCKER" import \
    -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    -c 'ENV npm_config_nodedir=/usr' \
    -c 'CMD ["node"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
  log "stand-in base built in $((SECONDS - base_start))s"
fi

# --- the real Dockerfile -----------------------------------------------------------------------
log "docker build --network host --build-arg NODE_IMAGE=$BASE_IMAGE -t $IMAGE ."
build_start=$SECONDS
DOCKER_BUILDKIT=0 "$DOCKER" build --network host --build-arg "NODE_IMAGE=$BASE_IMAGE" -t "$IMAGE" . >"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log"; fail "docker build"; }
BUILD_SECONDS=$((SECONDS - build_start))
image_bytes=$("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE")
base_bytes=$("$DOCKER" image inspect -f '{{.Size}}' "$BASE_IMAGE")
added_mb=$(((image_bytes - base_bytes) / 1000000))
log "build time: ${BUILD_SECONDS}s; image $((image_bytes / 1000000)) MB = base $((base_bytes / 1000000)) MB + DevHub ${added_mb} MB"
log "DevHub's layers (docker history):"
"$DOCKER" history --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" | head -n 12 | cut -c1-110 | sed 's/^/    /'
((added_mb <= 150)) || fail "DevHub adds ${added_mb} MB to its base (goal: at most 150 MB)"

# --- what the image holds ----------------------------------------------------------------------
log "image contents: /app holds only the runtime files"
contents=$("$DOCKER" run --rm --network host --entrypoint /bin/sh "$IMAGE" -c \
  'ls -A /app | tr "\n" " "; ls -A /app/data | wc -l; find /app -maxdepth 1 -name ".env*" | wc -l; find /app/dist -name "*.spec.js" -o -name "*.e2e-spec.js" -o -path "*/test/*" | wc -l')
echo "    $contents"
[[ "$(sed -n 1p <<<"$contents")" == "data dist node_modules package-lock.json package.json public views 0" ]] \
  || fail "unexpected files in /app: $contents"
[[ "$(sed -n 2p <<<"$contents")" == "0" ]] || fail ".env in the image"
[[ "$(sed -n 3p <<<"$contents")" == "0" ]] || fail "test files in the image"

# --- run it ----------------------------------------------------------------------------------
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
"$DOCKER" volume create "$VOLUME" >/dev/null
"$DOCKER" run -d --name "$CONTAINER" --network host \
  -e HOST=127.0.0.1 -e PORT="$PORT" -e BASE_URL="$URL" \
  -e SESSION_SECRET="$(openssl rand -hex 32)" -e ENCRYPTION_KEY="$(openssl rand -base64 32)" \
  -v "$VOLUME:/app/data" "$IMAGE" >/dev/null
log "container on $URL (volume $VOLUME)"
wait_until "/healthz" 60 curl -fsS "$URL/healthz"
curl -fsS "$URL/readyz" >"$WORK/readyz" || fail "/readyz: $(cat "$WORK/readyz")"
log "/healthz and /readyz answer: $(head -c 200 "$WORK/readyz")"

uid=$("$DOCKER" exec "$CONTAINER" id -u)
[[ "$uid" != "0" ]] || fail "the server runs as root"
log "the server runs as uid $uid ($("$DOCKER" exec "$CONTAINER" id -un))"

# GET a form, then POST it with its _csrf and the session cookie. Prints the status and Location.
post_form() {
  local jar="$1" page="$2"
  shift 2
  local csrf
  csrf=$(curl -fsS -c "$jar" -b "$jar" "$URL$page" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
  [[ -n "$csrf" ]] || fail "no _csrf on $page"
  curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -c "$jar" -b "$jar" --data-urlencode "_csrf=$csrf" "$@" "$URL$page"
}
EMAIL="ci-$$@example.com"
PASSWORD="docker-check-$(openssl rand -hex 8)"
result=$(post_form "$WORK/jar1" /signup --data-urlencode "name=CI Check" --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD")
[[ "$result" == "303 $URL/dashboard" ]] || fail "sign-up answered '$result'"
[[ "$(curl -sS -o /dev/null -w '%{http_code}' -b "$WORK/jar1" "$URL/dashboard")" == 200 ]] || fail "dashboard after sign-up"
log "sign-up works (303 to /dashboard, dashboard 200)"

log "docker restart"
"$DOCKER" restart -t "$STOP_TIMEOUT" "$CONTAINER" >/dev/null
wait_until "/readyz after restart" 60 curl -fsS "$URL/readyz"
[[ "$(curl -sS -o /dev/null -w '%{http_code}' -b "$WORK/jar1" "$URL/dashboard")" == 200 ]] || fail "session lost in the restart"
result=$(post_form "$WORK/jar2" /login --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD")
[[ "$result" == "303 $URL/dashboard" ]] || fail "log-in after restart answered '$result'"
log "the account and its session survived the restart"

# npm run backup inside the running container, as the docs say (non-root, the app still serving)
"$DOCKER" exec "$CONTAINER" npm run --silent backup -- /app/data/ci-backup.sqlite | sed 's/^/    /'
"$DOCKER" exec "$CONTAINER" node -e "const D=require('better-sqlite3');const d=new D('/app/data/ci-backup.sqlite',{readonly:true});const n=d.prepare('SELECT count(*) AS n FROM users').get().n;if(d.pragma('integrity_check',{simple:true})!=='ok'||n<1)process.exit(1)" \
  || fail "the backup taken in the container is not a usable copy"
log "npm run backup works in the running container (checked copy with the account in it)"

# --- the worker command, once the image has it (issue 12) --------------------------------------
if "$DOCKER" run --rm --network host --entrypoint /bin/sh "$IMAGE" -c 'test -f dist/src/worker.js'; then
  WORKER_PORT=$(free_port)
  "$DOCKER" run -d --name "$CONTAINER-worker" --network host -e WORKER_PORT="$WORKER_PORT" -e JOBS_ENABLED=true \
    -e SESSION_SECRET="$(openssl rand -hex 32)" -e ENCRYPTION_KEY="$(openssl rand -base64 32)" \
    -v "$VOLUME:/app/data" "$IMAGE" node dist/src/worker.js >/dev/null
  wait_until "worker /healthz" 60 curl -fsS "http://127.0.0.1:$WORKER_PORT/healthz"
  "$DOCKER" stop -t "$STOP_TIMEOUT" "$CONTAINER-worker" >/dev/null
  log "worker command (node dist/src/worker.js) answers /healthz on WORKER_PORT"
else
  log "no dist/src/worker.js in this image yet: worker command not checked"
fi

# --- graceful stop -----------------------------------------------------------------------------
stop_start=$SECONDS
"$DOCKER" stop -t "$STOP_TIMEOUT" "$CONTAINER" >/dev/null
stop_seconds=$((SECONDS - stop_start))
exit_code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$CONTAINER")
# 0: exited on its own after closing; 143: Nest re-raised SIGTERM after closing. 137 = killed at the timeout.
[[ "$exit_code" == 0 || "$exit_code" == 143 ]] || fail "docker stop: exit code $exit_code after ${stop_seconds}s"
((stop_seconds < STOP_TIMEOUT)) || fail "docker stop took ${stop_seconds}s (timeout ${STOP_TIMEOUT}s)"
log "docker stop: exit code $exit_code in ${stop_seconds}s (timeout ${STOP_TIMEOUT}s)"

log "all checks passed: build ${BUILD_SECONDS}s, DevHub adds ${added_mb} MB to its base"
