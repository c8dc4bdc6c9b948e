//! Logging in Open vSwitch's vlog format.
