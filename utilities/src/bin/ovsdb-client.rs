//! `ovsdb-client`: a drop-in for Open vSwitch's OVSDB command-line client.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(ovs_utilities::client::main(&args));
}
