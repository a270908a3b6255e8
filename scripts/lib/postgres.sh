# shellcheck shell=bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# Makes a PostgreSQL server available to Roost's scripts. Source this file, then:
#
#     roost_ensure_postgres DBNAME
#
# Afterwards DATABASE_URL is exported and names DBNAME, which exists. In order:
#
#   1. DATABASE_URL already set: kept as it is. The database it names is created
#      when missing (only if psql is available; nothing fails without psql).
#   2. A server on 127.0.0.1:5432 that lets the `postgres` role in without a
#      password: used as it is.
#   3. A project-local cluster in .pgdata/ at the repository root, listening on
#      127.0.0.1:${ROOST_PG_PORT:-54329} only, trust authentication, unix socket in
#      .pgdata/run/. Created when absent, started when stopped, reused when running.
#      initdb and pg_ctl refuse to run as root, so under root the cluster belongs
#      to the `postgres` system user (created when missing); when that user cannot
#      reach the repository, the cluster lives in /var/tmp/roost-pgdata-<hash>.
#
# The resulting URL is postgres://postgres@127.0.0.1:PORT/DBNAME; the `postgres`
# role is a superuser, so it can create the per-test databases of #[sqlx::test].
# Status lines go to stderr. The caller's shell options are left as they were.

_roost_pg_log() {
    printf 'postgres: %s\n' "$*" >&2
}

# The repository root: this file is scripts/lib/postgres.sh.
_roost_pg_repo_root() {
    (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
}

_roost_pg_valid_dbname() {
    [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]
}

# Runs a command as user $1 (empty: the current user), from / so that a working
# directory the other user cannot enter does not matter.
_roost_pg_as() {
    local user=$1
    shift
    if [ -z "$user" ]; then
        (cd / && "$@")
    elif command -v runuser >/dev/null 2>&1; then
        (cd / && runuser -u "$user" -- "$@")
    else
        (cd / && su -s /bin/bash "$user" -c "$(printf '%q ' "$@")")
    fi
}

# Prints the path of a PostgreSQL client program ($1: psql, pg_isready, ...):
# from the server's bin directory when known, else from PATH.
_roost_pg_tool() {
    if [ -n "${_ROOST_PG_BINDIR:-}" ] && [ -x "$_ROOST_PG_BINDIR/$1" ]; then
        printf '%s\n' "$_ROOST_PG_BINDIR/$1"
    else
        command -v "$1" 2>/dev/null
    fi
}

# Looks for initdb and pg_ctl; sets _ROOST_PG_BINDIR. $1 (optional): a major
# version to prefer, e.g. the one an existing data folder was made with.
_roost_pg_find_bindir() {
    local want=${1:-} dir best="" path
    if [ -n "$want" ] && [ -x "/usr/lib/postgresql/$want/bin/pg_ctl" ]; then
        _ROOST_PG_BINDIR=/usr/lib/postgresql/$want/bin
        return 0
    fi
    if path=$(command -v initdb 2>/dev/null) && command -v pg_ctl >/dev/null 2>&1; then
        # Resolve symlinks: pg_ctl finds `postgres` next to its real location.
        _ROOST_PG_BINDIR=$(dirname "$(readlink -f "$path")")
        if [ -x "$_ROOST_PG_BINDIR/pg_ctl" ]; then
            return 0
        fi
    fi
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best" "$dir" | sort -V | tail -n 1)" = "$dir" ]; then
                best=$dir
            fi
        fi
    done
    if [ -n "$best" ]; then
        _ROOST_PG_BINDIR=$best
        return 0
    fi
    _ROOST_PG_BINDIR=""
    return 1
}

_roost_pg_install() {
    if [ "$(id -u)" != 0 ]; then
        _roost_pg_log "PostgreSQL (initdb, pg_ctl) not found; install it (e.g. apt-get install postgresql) or set DATABASE_URL"
        return 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        _roost_pg_log "PostgreSQL not found and apt-get is unavailable; install PostgreSQL or set DATABASE_URL"
        return 1
    fi
    _roost_pg_log "PostgreSQL not found; installing it with apt-get"
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1; then
        return 0
    fi
    # The package lists are missing or stale: refresh them once and retry.
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
}

# Succeeds when the server on 127.0.0.1:$1 accepts the `postgres` role without a
# password.
_roost_pg_trust_ok() {
    local port=$1 psql out
    psql=$(_roost_pg_tool psql) || return 1
    out=$(env -u PGPASSWORD PGPASSFILE=/dev/null PGCONNECT_TIMEOUT=3 \
        "$psql" -X -w -q -t -A -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c 'select 1' 2>/dev/null) || return 1
    [ "$out" = 1 ]
}

# Waits (at most about 30 s) until the server on 127.0.0.1:$1 accepts connections.
_roost_pg_wait_ready() {
    local port=$1 isready psql i
    isready=$(_roost_pg_tool pg_isready) || isready=""
    psql=$(_roost_pg_tool psql) || psql=""
    for ((i = 0; i < 30; i++)); do
        if [ -n "$isready" ]; then
            if "$isready" -q -t 2 -h 127.0.0.1 -p "$port" -U postgres -d postgres; then
                return 0
            fi
        elif [ -n "$psql" ]; then
            if _roost_pg_trust_ok "$port"; then
                return 0
            fi
        else
            _roost_pg_log "neither pg_isready nor psql found; cannot check readiness"
            return 0
        fi
        sleep 1
    done
    _roost_pg_log "server on 127.0.0.1:$port did not become ready within 30 s"
    return 1
}

# Creates database $1 unless it exists. The remaining arguments are psql's
# connection options for a maintenance database on the same server.
_roost_pg_create_database() {
    local db=$1 psql exists
    shift
    if ! psql=$(_roost_pg_tool psql); then
        _roost_pg_log "psql not found; not checking that database $db exists"
        return 0
    fi
    local -a cmd=(env PGCONNECT_TIMEOUT=5 "$psql" -X -w -q -t -A -v ON_ERROR_STOP=1 "$@")
    if ! exists=$("${cmd[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$db'"); then
        _roost_pg_log "could not list the databases of the server"
        return 1
    fi
    if [ "$exists" = 1 ]; then
        return 0
    fi
    _roost_pg_log "creating database $db"
    if "${cmd[@]}" -c "CREATE DATABASE \"$db\"" >/dev/null; then
        return 0
    fi
    # Another process may have created it at the same moment.
    exists=$("${cmd[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$db'" 2>/dev/null) || exists=""
    [ "$exists" = 1 ]
}

# Case 1: DATABASE_URL given. Creates its database when it is missing and psql
# can reach the server's `postgres` maintenance database.
_roost_pg_ensure_url_database() {
    local url=$DATABASE_URL psql re base db query
    if ! psql=$(_roost_pg_tool psql); then
        _roost_pg_log "psql not found; not checking that the database of DATABASE_URL exists"
        return 0
    fi
    if env PGCONNECT_TIMEOUT=5 "$psql" -X -w -q -d "$url" -c 'select 1' >/dev/null 2>&1; then
        return 0
    fi
    re='^(postgres(ql)?://[^/?#]*)(/([^?#]*))?(\?[^#]*)?$'
    if ! [[ $url =~ $re ]]; then
        _roost_pg_log "DATABASE_URL is not a postgres:// URL psql can use; not checking its database"
        return 0
    fi
    base=${BASH_REMATCH[1]}
    db=${BASH_REMATCH[4]}
    query=${BASH_REMATCH[5]}
    if [ -z "$db" ] || ! _roost_pg_valid_dbname "$db"; then
        _roost_pg_log "cannot connect with DATABASE_URL and cannot tell which database to create"
        return 0
    fi
    if ! _roost_pg_create_database "$db" -d "$base/postgres$query"; then
        _roost_pg_log "warning: could not make sure that database $db exists on the DATABASE_URL server"
    fi
    return 0
}

# Makes sure the system user $1 exists (root only).
_roost_pg_ensure_user() {
    local user=$1
    if id -u "$user" >/dev/null 2>&1; then
        return 0
    fi
    _roost_pg_log "creating system user $user"
    if getent group "$user" >/dev/null 2>&1; then
        useradd --system --gid "$user" --home-dir /var/lib/postgresql --no-create-home \
            --shell /bin/bash "$user"
    else
        useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
            --shell /bin/bash "$user"
    fi
}

# Case 3: the project-local cluster. Sets _ROOST_PG_PORT_USED to the port it
# listens on.
_roost_pg_local_cluster() {
    local port=$1 repo base data sockdir logfile user="" owner version="" hash
    local out running_port opts sock
    repo=$(_roost_pg_repo_root) || return 1
    base=$repo/.pgdata

    if [ "$(id -u)" = 0 ]; then
        user=postgres
        if [ -d "$base/data" ]; then
            owner=$(stat -c %U "$base/data")
            if [ "$owner" != root ]; then
                user=$owner
            fi
        fi
        _roost_pg_ensure_user "$user" || return 1
        if ! _roost_pg_as "$user" test -x "$repo"; then
            hash=$(printf '%s' "$repo" | sha256sum | cut -c1-12)
            base=/var/tmp/roost-pgdata-$hash
            _roost_pg_log "user $user cannot reach $repo; keeping the cluster in $base instead of .pgdata/"
        fi
        if [ ! -d "$base" ]; then
            mkdir -p "$base"
        fi
        if [ ! -e "$base/data" ]; then
            chown "$user:" "$base"
        fi
        chmod 700 "$base"
    else
        mkdir -p "$base"
    fi
    data=$base/data
    sockdir=$base/run
    logfile=$base/postgres.log

    if [ -f "$data/PG_VERSION" ]; then
        version=$(cat "$data/PG_VERSION")
    fi
    if ! _roost_pg_find_bindir "$version"; then
        _roost_pg_install || return 1
        _ROOST_PG_BINDIR=""
        _roost_pg_find_bindir "$version" || {
            _roost_pg_log "PostgreSQL was installed but initdb/pg_ctl were not found under /usr/lib/postgresql"
            return 1
        }
    fi

    if _roost_pg_as "$user" "$_ROOST_PG_BINDIR/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        # Line 4 of postmaster.pid is the port the running server listens on.
        running_port=$(sed -n 4p "$data/postmaster.pid" 2>/dev/null) || running_port=""
        if [[ $running_port =~ ^[0-9]+$ ]] && [ "$running_port" != "$port" ]; then
            _roost_pg_log "the cluster already runs on port $running_port (not $port); using it"
            port=$running_port
        else
            _roost_pg_log "reusing the running cluster in $data (127.0.0.1:$port)"
        fi
        _roost_pg_wait_ready "$port" || return 1
        _ROOST_PG_PORT_USED=$port
        return 0
    fi

    # Our cluster is stopped or not created yet. A server that already accepts
    # `postgres` without a password on this port is most likely the cluster of
    # another checkout.
    if _roost_pg_trust_ok "$port"; then
        _roost_pg_log "another PostgreSQL (trust auth) already listens on 127.0.0.1:$port; using it"
        _ROOST_PG_PORT_USED=$port
        return 0
    fi

    if [ ! -f "$data/PG_VERSION" ]; then
        if [ -e "$data" ] && [ -n "$(ls -A "$data" 2>/dev/null)" ]; then
            _roost_pg_log "$data exists but holds no cluster; remove it and retry"
            return 1
        fi
        _roost_pg_log "creating a cluster in $data ($("$_ROOST_PG_BINDIR/initdb" --version 2>/dev/null))"
        if ! out=$(_roost_pg_as "$user" "$_ROOST_PG_BINDIR/initdb" -D "$data" -U postgres \
            -A trust -E UTF8 --no-locale 2>&1); then
            printf '%s\n' "$out" >&2
            _roost_pg_log "initdb failed"
            return 1
        fi
    fi
    _roost_pg_as "$user" mkdir -p "$sockdir"

    # A socket path is limited to about 107 bytes, and the option value below is
    # quoted for a shell: without a usable path, serve TCP only.
    sock=$sockdir
    case $sockdir in
        *[[:space:]\'\"\\,]*) sock="" ;;
    esac
    if [ $((${#sockdir} + 16)) -gt 100 ]; then
        sock=""
    fi
    if [ -z "$sock" ]; then
        _roost_pg_log "no unix socket (the path $sockdir is too long or unusual); TCP only"
    fi
    opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$sock' -c max_connections=200"
    _roost_pg_log "starting the cluster in $data on 127.0.0.1:$port (log: $logfile)"
    if ! _roost_pg_as "$user" "$_ROOST_PG_BINDIR/pg_ctl" -D "$data" -l "$logfile" -w -t 30 \
        -o "$opts" start >/dev/null 2>&1; then
        _roost_pg_log "pg_ctl start failed; end of $logfile:"
        tail -n 20 "$logfile" >&2 2>/dev/null || true
        return 1
    fi
    _roost_pg_wait_ready "$port" || return 1
    _ROOST_PG_PORT_USED=$port
}

# roost_ensure_postgres DBNAME: see the top of this file.
roost_ensure_postgres() {
    local db=${1:-} port
    if [ -z "$db" ] || ! _roost_pg_valid_dbname "$db"; then
        _roost_pg_log "usage: roost_ensure_postgres DBNAME (letters, digits, underscores)"
        return 2
    fi

    if [ -n "${DATABASE_URL:-}" ]; then
        _roost_pg_log "using DATABASE_URL from the environment"
        export DATABASE_URL
        _roost_pg_ensure_url_database
        return 0
    fi

    # A PostgreSQL already installed under /usr/lib/postgresql brings a psql even
    # when none is on PATH; finding it installs nothing.
    _roost_pg_find_bindir || true

    if _roost_pg_trust_ok 5432; then
        _roost_pg_log "using the PostgreSQL on 127.0.0.1:5432 (postgres role, no password)"
        port=5432
    else
        port=${ROOST_PG_PORT:-54329}
        if ! [[ $port =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
            _roost_pg_log "ROOST_PG_PORT must be a port number, not '$port'"
            return 1
        fi
        _ROOST_PG_PORT_USED=""
        _roost_pg_local_cluster "$port" || return 1
        port=$_ROOST_PG_PORT_USED
    fi

    _roost_pg_create_database "$db" -h 127.0.0.1 -p "$port" -U postgres -d postgres || return 1
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/$db"
    _roost_pg_log "DATABASE_URL=$DATABASE_URL"
}
