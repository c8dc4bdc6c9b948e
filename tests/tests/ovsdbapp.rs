//! PyPI's ovsdbapp (the OVSDB library of OpenStack Neutron) against the
//! server under test, through `tests/python/ovsdbapp_bridge.py`: add_br,
//! list_br, br_exists, db_get/db_set, add_port, del_br, with a stand-in for
//! ovs-vswitchd answering next_cfg. Needs the virtualenv `scripts/test.sh`
//! makes (`target/pyvenv`, or `$OVS_TEST_PYVENV`); skips without it.

use std::path::PathBuf;

use ovs_tests::{Sandbox, impl_or_skip, python_script, workspace_root};

fn venv_python() -> PathBuf {
    let venv = match std::env::var_os("OVS_TEST_PYVENV") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => workspace_root().join("target").join("pyvenv"),
    };
    venv.join("bin").join("python")
}

#[test]
fn ovsdbapp_bridge_lifecycle() {
    let imp = impl_or_skip!("ovsdbapp_bridge_lifecycle");
    let python = venv_python();
    if !python.exists() {
        println!(
            "SKIP ovsdbapp_bridge_lifecycle: no virtualenv at {} (sudo ./scripts/test.sh creates \
             it with ovsdbapp)",
            python.display()
        );
        return;
    }
    let sb = Sandbox::with_server("ovsdbapp", imp);
    sb.vsctl_ok(&["init", "--", "add-br", "br0"]);
    let script = python_script("ovsdbapp_bridge.py");
    let out = sb.run(&python, &[&script.to_string_lossy(), &sb.remote()], None);
    print!("{}", out.stdout);
    assert!(
        out.success() && out.stdout.ends_with("PASS\n"),
        "{out}\n{}",
        sb.diagnostics()
    );
    assert!(
        out.stdout.contains("ok: list_br before add: ['br0']"),
        "{out}"
    );
    assert!(
        out.stdout.contains("ok: port app-p1 garbage-collected"),
        "{out}"
    );
    assert_eq!(sb.vsctl_ok(&["list-br"]), "br0\n");
    assert_eq!(
        sb.vsctl_ok(&["find", "Port", "name=app-p1"]),
        "",
        "port left behind"
    );
}
