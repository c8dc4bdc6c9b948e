//! The OpenFlow error catalogue.

use crate::error_table::ERRORS;
pub use crate::error_table::OfpErr;

/// How one error is numbered on the wire for a range of versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorEncoding {
    /// 0 for a standard error; else the vendor (experimenter) that numbers
    /// it: an `OFPET_EXPERIMENTER` error has `err_type` 0xffff and the
    /// experimenter's `exp_type` in `code`; Nicira's OpenFlow 1.0/1.1
    /// errors have their own type and code (sent wrapped in `NXET_VENDOR`).
    pub vendor: u32,
    pub min_version: u8,
    pub max_version: u8,
    pub err_type: u16,
    pub code: u16,
}

impl OfpErr {
    fn entry(self) -> &'static (OfpErr, &'static str, &'static [ErrorEncoding]) {
        // The table is in declaration order, so the discriminant indexes it.
        &ERRORS[self as usize]
    }

    /// OVS's name, e.g. `OFPBRC_BAD_VERSION`.
    pub fn name(self) -> &'static str {
        self.entry().1
    }

    /// The encoding for wire version `version`, if this error exists there.
    pub fn encoding(self, version: u8) -> Option<ErrorEncoding> {
        self.entry()
            .2
            .iter()
            .copied()
            .find(|e| e.min_version <= version && version <= e.max_version)
    }

    /// The error that `(vendor, type, code)` means in wire version `version`.
    pub fn decode(version: u8, vendor: u32, err_type: u16, code: u16) -> Option<OfpErr> {
        ERRORS
            .iter()
            .find(|(_, _, encs)| {
                encs.iter().any(|e| {
                    e.min_version <= version
                        && version <= e.max_version
                        && e.vendor == vendor
                        && e.err_type == err_type
                        && e.code == code
                })
            })
            .map(|(err, _, _)| *err)
    }
}

impl std::fmt::Display for OfpErr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::error::Error for OfpErr {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_declaration_order() {
        for (i, (e, _, _)) in ERRORS.iter().enumerate() {
            assert_eq!(*e as usize, i);
        }
    }

    #[test]
    fn overlap_numbering() {
        let e = OfpErr::OfpfmfcOverlap;
        assert_eq!(e.name(), "OFPFMFC_OVERLAP");
        assert_eq!(
            (e.encoding(1).unwrap().err_type, e.encoding(1).unwrap().code),
            (3, 1)
        );
        assert_eq!(
            (e.encoding(4).unwrap().err_type, e.encoding(4).unwrap().code),
            (5, 3)
        );
        assert_eq!(OfpErr::decode(4, 0, 5, 3), Some(e));
        let nx = OfpErr::NxbrcNxmInvalid.encoding(4).unwrap();
        assert_eq!(
            (nx.vendor, nx.err_type, nx.code),
            (crate::NX_VENDOR_ID, 0xffff, 2)
        );
    }
}
