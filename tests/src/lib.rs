//! Integration tests against real OVS clients.
