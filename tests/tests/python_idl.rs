//! Debian's python3-openvswitch IDL (`ovs.db.idl`) against the server under
//! test: schema fetch, initial sync, two committed transactions whose
//! effects must come back through the IDL's monitor, and garbage collection
//! seen from the client. The steps live in `tests/python/idl_roundtrip.py`.

use ovs_tests::{Sandbox, impl_or_skip, python_script};

#[test]
fn python_idl_round_trip() {
    let imp = impl_or_skip!("python_idl_round_trip");
    let sb = Sandbox::with_server("python-idl", imp);
    sb.vsctl_ok(&["init", "--", "add-br", "br0", "--", "add-port", "br0", "p1"]);
    let script = python_script("idl_roundtrip.py");
    let script = script.to_string_lossy();
    // Debian's interpreter, which is the one that sees python3-openvswitch
    // (a python3 earlier on PATH, e.g. pyenv's, would not).
    let out = sb.run("/usr/bin/python3", &[&script, &sb.remote()], None);
    print!("{}", out.stdout);
    assert!(
        out.success() && out.stdout.ends_with("PASS\n"),
        "{out}\n{}",
        sb.diagnostics()
    );
    for step in [
        "ok: get_schema version 8.3.1",
        "ok: synced, 1 bridges",
        "ok: external_ids change seen",
        "ok: server assigned uuids to the 3 inserted rows",
        "ok: bridge idlbr seen with its port and interface",
        "ok: bridge idlbr and its port garbage-collected",
    ] {
        assert!(out.stdout.contains(step), "missing {step:?}\n{out}");
    }
    // The IDL's writes are in the database for every other client too.
    let marker = sb.vsctl_ok(&["get", "Open_vSwitch", ".", "external_ids:idl-test"]);
    assert_eq!(marker.trim().trim_matches('"').len(), 36, "{marker}");
    assert_eq!(sb.vsctl_ok(&["list-br"]), "br0\n");
}
