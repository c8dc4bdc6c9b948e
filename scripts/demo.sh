#!/usr/bin/env bash
# The main job, end to end: build ovs-rs, start OUR ovsdb-server in a
# throw-away sandbox, and configure it with the real Open vSwitch
# ovs-vsctl (--no-wait: there is no ovs-vswitchd here yet). Prints the
# resulting `ovs-vsctl show` and `ovsdb-client dump`.
#
# OVS_IMPL_BINDIR=/usr/sbin ./scripts/demo.sh runs Debian's ovsdb-server
# instead (no build), to check the script itself.
set -euo pipefail

# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

install_packages openvswitch-common openvswitch-switch iproute2

if [ -n "${OVS_IMPL_BINDIR:-}" ]; then
    BINDIR=$OVS_IMPL_BINDIR
    echo "==> using the ovsdb-server in $BINDIR (OVS_IMPL_BINDIR), not building"
else
    ensure_cargo
    echo "==> cargo build --release --workspace"
    (cd "$ROOT" && cargo build --release --workspace)
    BINDIR=$ROOT/target/release
fi
SERVER=$BINDIR/ovsdb-server
if [ -x "$BINDIR/ovsdb-tool" ]; then
    TOOL=$BINDIR/ovsdb-tool
else
    TOOL=/usr/bin/ovsdb-tool
fi
SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
[ -x "$SERVER" ] || { echo "error: $SERVER not found" >&2; exit 1; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/ovs-demo.XXXXXX")
SERVER_PID=
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$DIR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export OVS_RUNDIR=$DIR OVS_LOGDIR=$DIR OVS_DBDIR=$DIR OVS_SYSCONFDIR=$DIR

echo "==> sandbox $DIR"
echo "==> $TOOL create conf.db $SCHEMA"
"$TOOL" create "$DIR/conf.db" "$SCHEMA"

echo "==> starting $SERVER"
"$SERVER" "$DIR/conf.db" --remote="punix:$DIR/db.sock" --pidfile --log-file \
    --unixctl="$DIR/ovsdb-server.ctl" >"$DIR/console.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
    [ -S "$DIR/db.sock" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "error: ovsdb-server exited before creating its socket" >&2
        cat "$DIR/console.log" "$DIR/ovsdb-server.log" >&2 2>/dev/null || true
        exit 1
    fi
    sleep 0.1
done
[ -S "$DIR/db.sock" ] || { echo "error: no socket after 10 s" >&2; exit 1; }

DB=unix:$DIR/db.sock
vsctl() {
    echo "+ ovs-vsctl $*"
    ovs-vsctl --db="$DB" --no-wait --timeout=10 "$@"
}
vsctl init
vsctl add-br br0 -- set bridge br0 datapath_type=netdev
vsctl add-port br0 p1 -- set interface p1 type=internal
vsctl add-port br0 p2 tag=10
vsctl add-port br0 vx0 -- set interface vx0 type=vxlan options:remote_ip=192.0.2.1
vsctl set-controller br0 tcp:127.0.0.1:6653
vsctl set Open_vSwitch . external_ids:system-id=demo
echo
echo "==> ovs-vsctl show"
ovs-vsctl --db="$DB" --timeout=10 show
echo
echo "==> ovsdb-client dump"
ovsdb-client --timeout=10 dump "$DB"
echo
echo "==> ovs-appctl -t $DIR/ovsdb-server.ctl ovsdb-server/list-dbs"
ovs-appctl -t "$DIR/ovsdb-server.ctl" --timeout=10 ovsdb-server/list-dbs
echo
echo "==> done; stopping the server and removing $DIR"
