#!/usr/bin/env bash
# Every test: installs the prerequisites (Debian's OVS for the real client
# tools and the reference daemons, Python venv with ovsdbapp), builds the
# workspace in release mode, runs all tests, then the fuzz corpus replays
# when fuzz/ exists.
#
# OVS_TEST_IMPL=real ./scripts/test.sh checks the integration tests against
# Debian's ovsdb-server instead of ours (see README.md).
set -euo pipefail

# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

install_packages openvswitch-common openvswitch-switch python3-openvswitch \
    python3-venv python3-pip iproute2
ensure_cargo
ensure_rust_components

# ovsdbapp (OpenStack's OVSDB library) for tests/tests/ovsdbapp.rs, in a
# venv of Debian's python3 under target/ (not the system's site-packages).
VENV=$ROOT/target/pyvenv
if ! "$VENV/bin/python" -c 'import ovsdbapp' >/dev/null 2>&1; then
    echo "==> creating $VENV with ovsdbapp"
    rm -rf "$VENV"
    mkdir -p "$ROOT/target"
    /usr/bin/python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check ovsdbapp
fi

cd "$ROOT"
echo "==> cargo build --release --workspace"
cargo build --release --workspace
echo "==> cargo test --release --workspace"
cargo test --release --workspace

if [ -f fuzz/Cargo.toml ]; then
    echo "==> fuzz corpus replays: cargo test --manifest-path fuzz/Cargo.toml"
    cargo test --release --manifest-path fuzz/Cargo.toml
else
    echo "==> no fuzz/ yet: no fuzz replays"
fi
