# shellcheck shell=bash
# Shared by scripts/demo.sh and scripts/test.sh (sourced, not run).
# Installs what the project needs on a Debian 12 machine, idempotently:
# Debian packages (with one apt-get update, only when something is
# missing), and checks the Rust toolchain.

# The repository root, for the scripts that source this file.
# shellcheck disable=SC2034
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Root runs apt-get itself; anyone else goes through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "error: need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

package_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# install_packages PKG...: installs the missing ones.
install_packages() {
    local missing=()
    local p
    for p in "$@"; do
        package_installed "$p" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "==> installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    case " ${missing[*]} " in
        *" openvswitch-switch "*) stop_system_ovs ;;
    esac
}

# Installing openvswitch-switch may start the system's OVS (Debian's
# policy-rc.d usually prevents it in containers). The tests run their own
# daemons in sandboxes, so make sure none of the system's is running or
# started at boot.
stop_system_ovs() {
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        as_root systemctl disable --now openvswitch-switch.service >/dev/null 2>&1 || true
        as_root systemctl stop ovs-vswitchd.service ovsdb-server.service >/dev/null 2>&1 || true
    elif [ -x /usr/share/openvswitch/scripts/ovs-ctl ]; then
        as_root /usr/share/openvswitch/scripts/ovs-ctl stop >/dev/null 2>&1 || true
        if command -v update-rc.d >/dev/null 2>&1; then
            as_root update-rc.d openvswitch-switch disable >/dev/null 2>&1 || true
        fi
    fi
}

# Puts cargo on PATH (a sudo'd shell may not have the user's ~/.cargo/bin)
# and checks the toolchain: edition 2024 needs Rust >= 1.85, the workspace
# pins 1.95. Debian's own rustc is too old, so this cannot be apt-installed.
ensure_cargo() {
    if ! command -v cargo >/dev/null 2>&1; then
        local home
        for home in "${CARGO_HOME:-}" "$HOME/.cargo" \
            "$(getent passwd "${SUDO_USER:-}" 2>/dev/null | cut -d: -f6)/.cargo" /root/.cargo; do
            if [ -n "$home" ] && [ -x "$home/bin/cargo" ]; then
                export PATH="$home/bin:$PATH"
                break
            fi
        done
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        echo "error: no cargo found; install Rust 1.95 with rustup (https://rustup.rs)" >&2
        exit 1
    fi
}

# rustfmt and clippy, for the checks in .ci/run.
ensure_rust_components() {
    if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
        if command -v rustup >/dev/null 2>&1; then
            rustup component add rustfmt clippy
        else
            echo "warning: rustfmt/clippy missing and no rustup to add them" >&2
        fi
    fi
}
