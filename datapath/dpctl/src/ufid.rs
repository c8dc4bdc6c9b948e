//! Flow identifiers in text (`ufid:` plus a UUID), as OVS's
//! `odp_format_ufid` and `odp_ufid_from_string` write and read them, and
//! the identifier dpctl gives a flow added without one.

use ovs_dpif::Ufid;
use ovs_odp::DpKey;
use sha1::{Digest, Sha1};

/// The four 32-bit words OVS prints, in print order. A [`Ufid`]'s `u128`
/// holds OVS's `ovs_u128` as `hi << 64 | lo`; OVS prints the 128 bits as
/// a `struct uuid` laid over them, whose words on the little-endian
/// machines OVS runs on are `lo`'s low half, `lo`'s high half, `hi`'s low
/// half, `hi`'s high half.
fn words(ufid: Ufid) -> [u32; 4] {
    let lo = ufid.0 as u64;
    let hi = (ufid.0 >> 64) as u64;
    [lo as u32, (lo >> 32) as u32, hi as u32, (hi >> 32) as u32]
}

fn from_words(w: [u32; 4]) -> Ufid {
    let lo = u64::from(w[0]) | (u64::from(w[1]) << 32);
    let hi = u64::from(w[2]) | (u64::from(w[3]) << 32);
    Ufid((u128::from(hi) << 64) | u128::from(lo))
}

/// `ufid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
pub fn format_ufid(ufid: Ufid) -> String {
    let [a, b, c, d] = words(ufid);
    format!(
        "ufid:{a:08x}-{:04x}-{:04x}-{:04x}-{:04x}{d:08x}",
        b >> 16,
        b & 0xffff,
        c >> 16,
        c & 0xffff
    )
}

/// Reads a `ufid:<uuid>` prefix of `s` (OVS's `odp_ufid_from_string`):
/// `Ok(None)` if `s` does not start with `ufid:`, `Ok(Some((ufid,
/// length)))` with the length of the prefix read, `Err(())` if the UUID
/// after `ufid:` is malformed.
#[allow(clippy::result_unit_err)]
pub fn parse_ufid(s: &str) -> Result<Option<(Ufid, usize)>, ()> {
    let Some(rest) = s.strip_prefix("ufid:") else {
        return Ok(None);
    };
    let b = rest.as_bytes();
    let hex = |from: usize, n: usize| -> Result<u32, ()> {
        let digits = b.get(from..from + n).ok_or(())?;
        digits.iter().try_fold(0u32, |acc, d| {
            let v = (*d as char).to_digit(16).ok_or(())?;
            Ok((acc << 4) | v)
        })
    };
    let dash = |at: usize| -> Result<(), ()> {
        if b.get(at) == Some(&b'-') {
            Ok(())
        } else {
            Err(())
        }
    };
    let w0 = hex(0, 8)?;
    dash(8)?;
    let w1 = (hex(9, 4)? << 16) | hex(14, 4)?;
    dash(13)?;
    dash(18)?;
    let w2 = (hex(19, 4)? << 16) | hex(24, 4)?;
    dash(23)?;
    let w3 = hex(28, 8)?;
    Ok(Some((from_words([w0, w1, w2, w3]), 5 + 36)))
}

/// The ufid dpctl gives a flow added or deleted without one. OVS hashes
/// the key's netlink bytes with a per-process random basis
/// (`odp_flow_key_hash`), so its values cannot be reproduced and differ
/// from run to run anyway; what matters is that `del-flow` with the same
/// key finds what `add-flow` added. This takes 128 bits of SHA-1 over the
/// key's canonical text (every attribute, no mask), so any spelling of
/// the same key gets the same ufid.
pub fn ufid_from_key(key: &DpKey) -> Ufid {
    let text = ovs_odp::format_key(key, None, true);
    let digest = Sha1::digest(text.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Ufid(u128::from_be_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn prints_words_in_ovs_order() {
        // lo = 0x4572_0062_1df1_6b20, hi = 0xa8813d44_39a2b7b0.
        let u = Ufid((0xa881_3d44_39a2_b7b0u128 << 64) | 0x4572_0062_1df1_6b20);
        assert_eq!(format_ufid(u), "ufid:1df16b20-4572-0062-39a2-b7b0a8813d44");
    }

    #[test]
    fn parses_what_ovs_prints() {
        let s = "ufid:1df16b20-0062-4572-b0b7-a239443d81a8,in_port(1)";
        let (u, n) = parse_ufid(s).unwrap().unwrap();
        assert_eq!(n, 41);
        assert_eq!(&s[n..], ",in_port(1)");
        assert_eq!(format_ufid(u), &s[..41]);
        assert_eq!(parse_ufid("in_port(1)"), Ok(None));
        assert_eq!(parse_ufid("ufid:xyz"), Err(()));
        assert_eq!(
            parse_ufid("ufid:1df16b20-0062-4572-b0b7-a239443d81a"),
            Err(())
        );
        assert_eq!(
            parse_ufid("ufid:1df16b20_0062-4572-b0b7-a239443d81a8"),
            Err(())
        );
        // Upper-case hex digits are fine, as in OVS.
        assert!(
            parse_ufid("ufid:1DF16B20-0062-4572-B0B7-A239443D81A8")
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn same_key_same_ufid() {
        let (a, _) = ovs_odp::parse_key("in_port(1),eth_type(0x0800)").unwrap();
        let (b, _) = ovs_odp::parse_key("eth_type(0x800),in_port(1)").unwrap();
        let (c, _) = ovs_odp::parse_key("in_port(2),eth_type(0x0800)").unwrap();
        assert_eq!(ufid_from_key(&a), ufid_from_key(&b));
        assert_ne!(ufid_from_key(&a), ufid_from_key(&c));
    }

    proptest! {
        #[test]
        fn ufid_text_round_trips(v in any::<u128>()) {
            let text = format_ufid(Ufid(v));
            prop_assert_eq!(text.len(), 41);
            prop_assert_eq!(parse_ufid(&text), Ok(Some((Ufid(v), 41))));
        }

        #[test]
        fn ufid_parse_never_panics(s in "\\PC{0,60}") {
            let _ = parse_ufid(&s);
        }
    }
}
