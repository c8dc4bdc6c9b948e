#!/usr/bin/env bash
# The main job, end to end: build ovs-rs, start OUR ovsdb-server and
# ovs-vswitchd in a throw-away sandbox, make a bridge with two veth ports
# whose other ends live in two network namespaces, configure it with the
# real Open vSwitch tools, dump its flows and try a ping between the
# namespaces through the userspace datapath (the ping must succeed), then
# dump the OpenFlow and datapath flows it used.
#
# OVS_IMPL_BINDIR=/usr/sbin ./scripts/demo.sh runs Debian's daemons
# instead (no build), to check the script itself.
set -euo pipefail

# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

install_packages openvswitch-common openvswitch-switch iproute2 iputils-ping

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
VSWITCHD=$BINDIR/ovs-vswitchd
if [ -x "$BINDIR/ovsdb-tool" ]; then
    TOOL=$BINDIR/ovsdb-tool
else
    TOOL=/usr/bin/ovsdb-tool
fi
SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
[ -x "$SERVER" ] || { echo "error: $SERVER not found" >&2; exit 1; }
[ -x "$VSWITCHD" ] || { echo "error: $VSWITCHD not found" >&2; exit 1; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/ovs-demo.XXXXXX")
SERVER_PID=
VSWITCHD_PID=
TAG=ovsdemo$$
NS0=$TAG-sw
NS1=$TAG-h1
NS2=$TAG-h2
stop() {
    local pid=$1
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
}
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop "$VSWITCHD_PID"
    stop "$SERVER_PID"
    # Deleting a namespace deletes its devices (veth ends, taps).
    ip netns del "$NS0" 2>/dev/null || true
    ip netns del "$NS1" 2>/dev/null || true
    ip netns del "$NS2" 2>/dev/null || true
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
    ovs-vsctl --db="$DB" --timeout=10 "$@"
}
ofctl() {
    echo "+ ovs-ofctl $*"
    ovs-ofctl --timeout=10 "$@"
}
ovs-vsctl --db="$DB" --no-wait --timeout=10 init

echo "==> namespaces: the switch in $NS0, hosts in $NS1 and $NS2, joined by veth pairs"
ip netns add "$NS0"
ip netns add "$NS1"
ip netns add "$NS2"
ip -n "$NS0" link set lo up
ip -n "$NS0" link add "${TAG}a" type veth peer name eth0 netns "$NS1"
ip -n "$NS0" link add "${TAG}b" type veth peer name eth0 netns "$NS2"
ip -n "$NS0" link set "${TAG}a" up
ip -n "$NS0" link set "${TAG}b" up

# ovs-vswitchd runs inside the switch namespace, so whatever devices it
# creates there (the bridge's tap) vanish with the namespace.
echo "==> starting $VSWITCHD in $NS0"
ip netns exec "$NS0" "$VSWITCHD" "$DB" --pidfile --log-file \
    --unixctl="$DIR/ovs-vswitchd.ctl" >"$DIR/vswitchd-console.log" 2>&1 &
VSWITCHD_PID=$!
ip -n "$NS1" addr add 10.99.0.1/24 dev eth0
ip -n "$NS2" addr add 10.99.0.2/24 dev eth0
ip -n "$NS1" link set eth0 up
ip -n "$NS2" link set eth0 up

# Without --no-wait: each command returns once ovs-vswitchd applied it.
vsctl add-br br0 -- set bridge br0 datapath_type=netdev
vsctl add-port br0 "${TAG}a" -- set interface "${TAG}a" ofport_request=1
vsctl add-port br0 "${TAG}b" -- set interface "${TAG}b" ofport_request=2
echo
echo "==> ovs-vsctl show"
ovs-vsctl --db="$DB" --timeout=10 show
echo
ofctl show br0
ofctl add-flow br0 "priority=100,in_port=1,actions=output:2"
ofctl add-flow br0 "priority=100,in_port=2,actions=output:1"
ofctl add-flow br0 "table=0,priority=50,arp,actions=NORMAL"
echo
echo "==> ping from $NS1 to $NS2"
if ip netns exec "$NS1" ping -c 3 -W 2 10.99.0.2; then
    echo "ping: ok"
else
    echo "ping: FAILED, no reply through br0" >&2
    exit 1
fi
echo
echo "==> the flows, with the ping's packets counted"
ofctl dump-flows br0
ofctl -O OpenFlow13 dump-flows br0
echo
echo "==> ovs-appctl dpctl/dump-flows (the datapath's megaflows)"
ovs-appctl -t "$DIR/ovs-vswitchd.ctl" --timeout=10 dpctl/dump-flows
echo
echo "==> ovs-appctl -t $DIR/ovsdb-server.ctl ovsdb-server/list-dbs"
ovs-appctl -t "$DIR/ovsdb-server.ctl" --timeout=10 ovsdb-server/list-dbs
echo
echo "==> done; stopping the daemons and removing $DIR and the namespaces"
