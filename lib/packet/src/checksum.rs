//! The internet checksum (RFC 1071), its incremental update (RFC 1624) for
//! rewriting addresses and ports in place, pseudo-header sums, and CRC32c
//! for SCTP.
//!
//! Sums here are 16-bit ones'-complement sums, not yet complemented; a
//! checksum field holds `!sum`. Sums of pieces combine with [`combine`] as
//! long as every piece but the last has an even length.

/// The ones'-complement sum of `data` as big-endian 16-bit words, an odd
/// last byte padded with zero.
pub fn sum(data: &[u8]) -> u16 {
    // 64-bit accumulation of 32-bit words defers the carries: even a 4 GiB
    // buffer cannot overflow it.
    let mut acc: u64 = 0;
    let mut words = data.chunks_exact(4);
    for w in &mut words {
        acc += u64::from(u32::from_be_bytes([w[0], w[1], w[2], w[3]]));
    }
    let tail = words.remainder();
    let mut last = [0u8; 4];
    last[..tail.len()].copy_from_slice(tail);
    acc += u64::from(u32::from_be_bytes(last));
    fold(acc)
}

/// Folds a wide ones'-complement accumulator down to 16 bits.
fn fold(mut acc: u64) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

/// Ones'-complement addition of two sums.
pub fn combine(a: u16, b: u16) -> u16 {
    fold(u64::from(a) + u64::from(b))
}

/// The internet checksum of `data`: the value a checksum field holds when
/// `data` covers the header with that field zeroed.
pub fn checksum(data: &[u8]) -> u16 {
    !sum(data)
}

/// True if `data`, which includes its checksum field, sums correctly.
pub fn is_valid(data: &[u8]) -> bool {
    sum(data) == 0xffff
}

/// The sum of the IPv4 pseudo-header that TCP, UDP and friends cover.
pub fn pseudo_header_ipv4(src: [u8; 4], dst: [u8; 4], protocol: u8, length: u16) -> u16 {
    let mut acc = u64::from(u32::from_be_bytes(src)) + u64::from(u32::from_be_bytes(dst));
    acc += u64::from(protocol) + u64::from(length);
    fold(acc)
}

/// The sum of the IPv6 pseudo-header (RFC 8200 section 8.1).
pub fn pseudo_header_ipv6(src: &[u8; 16], dst: &[u8; 16], next_header: u8, length: u32) -> u16 {
    combine(
        combine(sum(src), sum(dst)),
        fold(u64::from(length) + u64::from(next_header)),
    )
}

/// The checksum field after a 16-bit word it covers changed from `old` to
/// `new` (RFC 1624 equation 3: `HC' = ~(~HC + ~m + m')`).
pub fn update16(checksum: u16, old: u16, new: u16) -> u16 {
    !fold(u64::from(!checksum) + u64::from(!old) + u64::from(new))
}

/// [`update16`] for an aligned 32-bit field (an IPv4 address, SCTP-less
/// sequence numbers...).
pub fn update32(checksum: u16, old: u32, new: u32) -> u16 {
    let c = update16(checksum, (old >> 16) as u16, (new >> 16) as u16);
    update16(c, old as u16, new as u16)
}

/// [`update16`] for a field of `N` bytes starting at an even offset of the
/// covered data (a MAC or IPv6 address); an odd last byte is the high half
/// of its word.
pub fn update_bytes<const N: usize>(checksum: u16, old: &[u8; N], new: &[u8; N]) -> u16 {
    let mut acc = u64::from(!checksum);
    for (o, n) in old.chunks(2).zip(new.chunks(2)) {
        let word = |c: &[u8]| {
            u16::from_be_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        };
        acc += u64::from(!word(o)) + u64::from(word(n));
    }
    !fold(acc)
}

/// Like [`update16`], for a UDP-over-IPv4 checksum, where 0 means "no
/// checksum" and must stay 0, and a computed 0 is sent as 0xffff.
pub fn update16_udp(checksum: u16, old: u16, new: u16) -> u16 {
    if checksum == 0 {
        return 0;
    }
    match update16(checksum, old, new) {
        0 => 0xffff,
        c => c,
    }
}

/// [`update16_udp`] for a 32-bit field.
pub fn update32_udp(checksum: u16, old: u32, new: u32) -> u16 {
    if checksum == 0 {
        return 0;
    }
    match update32(checksum, old, new) {
        0 => 0xffff,
        c => c,
    }
}

/// [`update16_udp`] for an `N`-byte field.
pub fn update_bytes_udp<const N: usize>(checksum: u16, old: &[u8; N], new: &[u8; N]) -> u16 {
    if checksum == 0 {
        return 0;
    }
    match update_bytes(checksum, old, new) {
        0 => 0xffff,
        c => c,
    }
}

/// CRC32c (Castagnoli, reflected, as SCTP uses it) lookup table.
const CRC32C_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x82f6_3b78
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// Feeds `data` into a running CRC32c register. Start from `!0`, finish
/// with `!`: `!crc32c_update(!0, data)` is [`crc32c`].
pub fn crc32c_update(mut crc: u32, data: &[u8]) -> u32 {
    for &b in data {
        crc = CRC32C_TABLE[usize::from((crc as u8) ^ b)] ^ (crc >> 8);
    }
    crc
}

/// The CRC32c of `data`.
pub fn crc32c(data: &[u8]) -> u32 {
    !crc32c_update(!0, data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A textbook bit-at-a-time sum to check the fast one against.
    fn slow_sum(data: &[u8]) -> u16 {
        let mut acc: u32 = 0;
        for pair in data.chunks(2) {
            let w = u32::from(pair[0]) << 8 | u32::from(pair.get(1).copied().unwrap_or(0));
            acc += w;
            acc = (acc & 0xffff) + (acc >> 16);
        }
        acc as u16
    }

    #[test]
    fn ipv4_header_checksum() {
        // A real IPv4 header with its checksum zeroed; 0xb861 is the
        // classic textbook value for it.
        let hdr = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(checksum(&hdr), 0xb861);
        let mut full = hdr;
        full[10..12].copy_from_slice(&0xb861u16.to_be_bytes());
        assert!(is_valid(&full));
    }

    #[test]
    fn crc32c_check_value() {
        assert_eq!(crc32c(b"123456789"), 0xe306_9283);
        assert_eq!(crc32c(b""), 0);
    }

    #[test]
    fn udp_zero_checksum_stays_zero() {
        assert_eq!(update16_udp(0, 1, 2), 0);
        assert_eq!(update32_udp(0, 1, 2), 0);
        assert_eq!(update_bytes_udp(0, &[1; 16], &[2; 16]), 0);
    }

    proptest! {
        #[test]
        fn sum_matches_textbook(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let fast = sum(&data);
            let slow = slow_sum(&data);
            // 0x0000 and 0xffff are both ones'-complement zero.
            prop_assert!(fast == slow || (fast | slow == 0xffff && fast & slow == 0));
        }

        #[test]
        fn incremental_equals_recompute(
            mut data in proptest::collection::vec(any::<u8>(), 24..80),
            at in 0usize..10,
            new16 in any::<u16>(),
            new32 in any::<u32>(),
            new128 in any::<[u8; 16]>(),
        ) {
            // Checksum field at bytes 0..2; every field rewritten at an
            // even offset, as real headers place them.
            data[0] = 0;
            data[1] = 0;
            let c = checksum(&data);
            data[0..2].copy_from_slice(&c.to_be_bytes());
            prop_assert!(is_valid(&data));

            let off = 2 + 2 * at;
            let old16 = u16::from_be_bytes([data[off], data[off + 1]]);
            data[off..off + 2].copy_from_slice(&new16.to_be_bytes());
            let c = update16(c, old16, new16);
            data[0..2].copy_from_slice(&c.to_be_bytes());
            prop_assert!(is_valid(&data));

            let old32 = u32::from_be_bytes([data[off], data[off + 1], data[off + 2], data[off + 3]]);
            data[off..off + 4].copy_from_slice(&new32.to_be_bytes());
            let c = update32(c, old32, new32);
            data[0..2].copy_from_slice(&c.to_be_bytes());
            prop_assert!(is_valid(&data));

            let mut old128 = [0u8; 16];
            old128.copy_from_slice(&data[2..18]);
            data[2..18].copy_from_slice(&new128);
            let c = update_bytes(c, &old128, &new128);
            data[0..2].copy_from_slice(&c.to_be_bytes());
            prop_assert!(is_valid(&data));
        }

        #[test]
        fn crc_update_in_pieces(data in proptest::collection::vec(any::<u8>(), 0..100), cut in 0usize..100) {
            let cut = cut.min(data.len());
            let (a, b) = data.split_at(cut);
            prop_assert_eq!(!crc32c_update(crc32c_update(!0, a), b), crc32c(&data));
        }
    }
}
