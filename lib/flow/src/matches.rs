//! [`Match`]: a flow and a mask of the same shape.

use crate::fields::FieldId;
use crate::flow::Flow;

/// Values and a mask over the [`Flow`] layout. Invariant: `flow` has no bit
/// set where `wc` is zero, so two equal matches compare equal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Match {
    pub flow: Flow,
    /// 1 bits must match; 0 bits are wildcarded.
    pub wc: Flow,
}

/// Why a field could not be set in a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldError {
    /// Value or mask of the wrong width.
    BadLength,
    /// A bit set outside the field's significant bits.
    BadValue,
    /// A mask on a field that takes no mask.
    NotMaskable,
    /// A field this implementation does not (yet) handle this way.
    Unsupported,
}

impl Match {
    /// Matches every packet.
    pub fn catchall() -> Match {
        Match::default()
    }

    /// Sets `field` to `value` under `mask` (bit 1 = must match), both
    /// `field.info().n_bytes` long, big-endian.
    pub fn set_masked(
        &mut self,
        field: FieldId,
        value: &[u8],
        mask: &[u8],
    ) -> Result<(), FieldError> {
        let info = field.info();
        let n = usize::from(info.n_bytes);
        if value.len() != n || mask.len() != n {
            return Err(FieldError::BadLength);
        }
        if !field.is_plain() {
            return Err(FieldError::Unsupported);
        }
        let off = usize::from(info.storage_offset);
        for (i, (v, m)) in value.iter().zip(mask.iter()).enumerate() {
            self.flow.as_bytes_mut()[off + i] = v & m;
            self.wc.as_bytes_mut()[off + i] = *m;
        }
        Ok(())
    }

    /// Sets `field` to exactly `value`.
    pub fn set_exact(&mut self, field: FieldId, value: &[u8]) -> Result<(), FieldError> {
        let ones = [0xffu8; 128];
        let n = usize::from(field.info().n_bytes).min(ones.len());
        self.set_masked(field, value, &ones[..n])
    }

    /// The value and mask of `field`, `n_bytes` each; `None` for fields
    /// that are not plain bytes.
    pub fn get(&self, field: FieldId) -> Option<(Vec<u8>, Vec<u8>)> {
        if !field.is_plain() {
            return None;
        }
        let info = field.info();
        let (off, n) = (usize::from(info.storage_offset), usize::from(info.n_bytes));
        Some((
            self.flow.bytes(off, n).to_vec(),
            self.wc.bytes(off, n).to_vec(),
        ))
    }
}
