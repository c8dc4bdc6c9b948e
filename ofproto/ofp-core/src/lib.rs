//! Foundations shared by every OpenFlow codec: protocol versions, the
//! OpenFlow error catalogue with its per-version numbering, the byte cursor
//! that hands out length-bounded sub-readers, the common header, and port
//! numbers.
//!
//! It promises: decoding never panics and never reads past a length it was
//! given; every error has OVS's name and the type/code OVS puts on the wire
//! for each version. It does no I/O and knows nothing of flows or actions.
#![forbid(unsafe_code)]

pub mod codec;
pub mod error;
mod error_table;
pub mod port;
pub mod version;

pub use codec::{Reader, Writer};
pub use error::{ErrorEncoding, OfpErr};
pub use port::OfpPort;
pub use version::Version;

/// Nicira's experimenter (vendor) ID.
pub const NX_VENDOR_ID: u32 = 0x0000_2320;
/// The Open Networking Foundation's experimenter ID.
pub const ONF_VENDOR_ID: u32 = 0x4f4e_4600;
