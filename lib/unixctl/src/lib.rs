//! The unixctl control socket (ovs-appctl's peer).
