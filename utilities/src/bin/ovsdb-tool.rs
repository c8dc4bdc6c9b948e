//! `ovsdb-tool`: a drop-in for Open vSwitch's OVSDB file utility.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(ovs_utilities::tool::main(&args));
}
