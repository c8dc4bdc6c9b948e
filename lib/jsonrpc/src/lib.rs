//! JSON-RPC framing as Open vSwitch speaks it.
