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

# os-ken (OpenStack's OpenFlow controller framework) for
# tests/tests/oskens.rs, in its own venv: it pulls PyPI's `ovs` package,
# which must not shadow Debian's in the ovsdbapp venv.
OSKEN_VENV=$ROOT/target/pyvenv-osken
if ! "$OSKEN_VENV/bin/python" -W ignore -c 'import os_ken.base.app_manager' >/dev/null 2>&1; then
    echo "==> creating $OSKEN_VENV with os-ken"
    rm -rf "$OSKEN_VENV"
    mkdir -p "$ROOT/target"
    /usr/bin/python3 -m venv "$OSKEN_VENV"
    "$OSKEN_VENV/bin/pip" install --quiet --disable-pip-version-check os-ken
fi

cd "$ROOT"
echo "==> cargo build --release --workspace"
cargo build --release --workspace
echo "==> cargo test --release --workspace"
cargo test --release --workspace

# Every fuzz target runs briefly, coverage-guided. Stable Rust has no
# `cargo fuzz`, but the same SanitizerCoverage instrumentation is available
# through -C flags; --target keeps them off build scripts.
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_FLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table -Cllvm-args=-sanitizer-coverage-trace-compares \
--cfg fuzzing -Cdebug-assertions -Coverflow-checks"
HOST=$(rustc -vV | sed -n 's/^host: //p')
echo "==> fuzz targets, ${FUZZ_SECONDS}s each"
RUSTFLAGS=$FUZZ_FLAGS cargo build --release --manifest-path fuzz/Cargo.toml \
    --target "$HOST" --target-dir fuzz/target/cov
for seeds in fuzz/seeds/*/; do
    target=$(basename "$seeds")
    corpus=$(mktemp -d "${TMPDIR:-/tmp}/ovs-rs-fuzz-$target.XXXXXX")
    cp "$seeds"* "$corpus"/
    echo "--> $target"
    if ! "fuzz/target/cov/$HOST/release/$target" -max_total_time="$FUZZ_SECONDS" \
        -print_final_stats=1 -artifact_prefix="$corpus/" "$corpus" 2>&1 | tail -n 3; then
        echo "fuzz target $target failed; reproducer in $corpus" >&2
        exit 1
    fi
    rm -rf "$corpus"
done
