//! OpenFlow match encodings: NXM and OXM field TLVs, the OpenFlow 1.2+
//! `ofp_match` wrapper, and the fixed OpenFlow 1.0 and 1.1 `ofp_match`
//! structures, all decoding into and encoding from [`ovs_flow::Match`].
//!
//! It promises: decoding never panics and reports the OpenFlow error OVS
//! reports; encoding writes fields in OVS's order. It knows nothing of
//! actions or messages, and does no I/O.
#![forbid(unsafe_code)]

pub mod header;

pub use header::FieldHeader;
