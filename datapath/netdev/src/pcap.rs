//! Classic pcap files as OVS's `lib/pcap-file.c` writes them: a 24-byte
//! header (magic 0xa1b2c3d4, version 2.4, zone 0, sigfigs 0, snaplen 1518,
//! linktype 1 = Ethernet) and per frame a 16-byte record header (seconds,
//! microseconds, stored length, original length) and the whole frame, all
//! in host byte order: the reader tells the order from the magic. Frames
//! longer than the snaplen are still stored whole, as OVS does.
//!
//! The encoder and decoder are pure; [`PcapWriter`] appends to a file.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Microsecond-resolution magic, as OVS writes.
pub const PCAP_MAGIC: u32 = 0xa1b2_c3d4;
/// Nanosecond-resolution magic, which OVS also reads.
pub const PCAP_MAGIC_NSEC: u32 = 0xa1b2_3c4d;
pub const PCAP_HEADER_LEN: usize = 24;
pub const PCAP_RECORD_HEADER_LEN: usize = 16;
/// `LINKTYPE_ETHERNET`.
pub const LINKTYPE_ETHERNET: u32 = 1;
/// `LINKTYPE_LINUX_SLL`, which OVS's reader also accepts.
pub const LINKTYPE_LINUX_SLL: u32 = 113;

/// The file header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PcapHeader {
    /// True for nanosecond timestamps (magic 0xa1b23c4d).
    pub nanoseconds: bool,
    pub version_major: u16,
    pub version_minor: u16,
    pub thiszone: i32,
    pub sigfigs: u32,
    pub snaplen: u32,
    pub linktype: u32,
}

impl PcapHeader {
    /// The header OVS writes.
    pub const OVS: PcapHeader = PcapHeader {
        nanoseconds: false,
        version_major: 2,
        version_minor: 4,
        thiszone: 0,
        sigfigs: 0,
        snaplen: 1518,
        linktype: LINKTYPE_ETHERNET,
    };

    /// Host byte order, as OVS writes it.
    pub fn encode(&self) -> [u8; PCAP_HEADER_LEN] {
        let mut out = [0u8; PCAP_HEADER_LEN];
        let magic = if self.nanoseconds {
            PCAP_MAGIC_NSEC
        } else {
            PCAP_MAGIC
        };
        out[0..4].copy_from_slice(&magic.to_ne_bytes());
        out[4..6].copy_from_slice(&self.version_major.to_ne_bytes());
        out[6..8].copy_from_slice(&self.version_minor.to_ne_bytes());
        out[8..12].copy_from_slice(&self.thiszone.to_ne_bytes());
        out[12..16].copy_from_slice(&self.sigfigs.to_ne_bytes());
        out[16..20].copy_from_slice(&self.snaplen.to_ne_bytes());
        out[20..24].copy_from_slice(&self.linktype.to_ne_bytes());
        out
    }

    /// Decodes a header in either byte order; returns it and whether the
    /// file's byte order is big-endian.
    pub fn decode(bytes: &[u8]) -> Result<(PcapHeader, ByteOrder), PcapError> {
        let bytes = bytes.get(..PCAP_HEADER_LEN).ok_or(PcapError::ShortHeader)?;
        let magic_be = u32::from_be_bytes(word(bytes, 0));
        let (order, nanoseconds) = match magic_be {
            PCAP_MAGIC => (ByteOrder::Big, false),
            PCAP_MAGIC_NSEC => (ByteOrder::Big, true),
            m if m == PCAP_MAGIC.swap_bytes() => (ByteOrder::Little, false),
            m if m == PCAP_MAGIC_NSEC.swap_bytes() => (ByteOrder::Little, true),
            other => return Err(PcapError::BadMagic(other)),
        };
        let header = PcapHeader {
            nanoseconds,
            version_major: order.u16(bytes[4], bytes[5]),
            version_minor: order.u16(bytes[6], bytes[7]),
            thiszone: order.u32(word(bytes, 8)) as i32,
            sigfigs: order.u32(word(bytes, 12)),
            snaplen: order.u32(word(bytes, 16)),
            linktype: order.u32(word(bytes, 20)),
        };
        if header.linktype != LINKTYPE_ETHERNET && header.linktype != LINKTYPE_LINUX_SLL {
            return Err(PcapError::UnknownLinktype(header.linktype));
        }
        Ok((header, order))
    }
}

/// A file's byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteOrder {
    Big,
    Little,
}

impl ByteOrder {
    /// The order this machine writes in.
    pub const NATIVE: ByteOrder = if cfg!(target_endian = "big") {
        ByteOrder::Big
    } else {
        ByteOrder::Little
    };

    fn u16(self, a: u8, b: u8) -> u16 {
        match self {
            ByteOrder::Big => u16::from_be_bytes([a, b]),
            ByteOrder::Little => u16::from_le_bytes([a, b]),
        }
    }

    fn u32(self, bytes: [u8; 4]) -> u32 {
        match self {
            ByteOrder::Big => u32::from_be_bytes(bytes),
            ByteOrder::Little => u32::from_le_bytes(bytes),
        }
    }
}

fn word(bytes: &[u8], at: usize) -> [u8; 4] {
    [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]
}

/// One captured frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PcapRecord {
    pub ts_sec: u32,
    /// Microseconds, or nanoseconds in a nanosecond file.
    pub ts_subsec: u32,
    /// The frame's length on the wire; `data` may be shorter.
    pub orig_len: u32,
    pub data: Vec<u8>,
}

impl PcapRecord {
    /// A record for a whole frame captured at `when`, as OVS writes it.
    pub fn new(frame: &[u8], when: SystemTime) -> PcapRecord {
        let since = when.duration_since(UNIX_EPOCH).unwrap_or_default();
        PcapRecord {
            ts_sec: since.as_secs() as u32,
            ts_subsec: since.subsec_micros(),
            orig_len: frame.len() as u32,
            data: frame.to_vec(),
        }
    }

    /// Appends the record header and data in host byte order.
    pub fn encode(&self, out: &mut Vec<u8>) {
        encode_record(self.ts_sec, self.ts_subsec, &self.data, self.orig_len, out);
    }
}

fn encode_record(ts_sec: u32, ts_subsec: u32, data: &[u8], orig_len: u32, out: &mut Vec<u8>) {
    out.reserve(PCAP_RECORD_HEADER_LEN + data.len());
    out.extend_from_slice(&ts_sec.to_ne_bytes());
    out.extend_from_slice(&ts_subsec.to_ne_bytes());
    out.extend_from_slice(&(data.len() as u32).to_ne_bytes());
    out.extend_from_slice(&orig_len.to_ne_bytes());
    out.extend_from_slice(data);
}

/// Why a pcap file could not be read. The texts follow OVS's reader.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PcapError {
    ShortHeader,
    BadMagic(u32),
    UnknownLinktype(u32),
    ShortRecordHeader,
    ShortRecordData,
}

impl fmt::Display for PcapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PcapError::ShortHeader => write!(f, "end of file reading pcap header"),
            PcapError::BadMagic(m) => write!(
                f,
                "bad magic 0x{m:08x} reading pcap file (expected 0xa1b2c3d4, 0xa1b23c4d, 0x4d3cb2a1 or 0xd4c3b2a1)"
            ),
            PcapError::UnknownLinktype(t) => {
                write!(f, "unknown network type {t} reading pcap file")
            }
            PcapError::ShortRecordHeader => write!(f, "end of file within pcap record header"),
            PcapError::ShortRecordData => write!(f, "end of file reading pcap packet data"),
        }
    }
}

impl std::error::Error for PcapError {}

/// Decodes a whole pcap file.
pub fn decode(bytes: &[u8]) -> Result<(PcapHeader, Vec<PcapRecord>), PcapError> {
    let (header, order) = PcapHeader::decode(bytes)?;
    let mut rest = &bytes[PCAP_HEADER_LEN..];
    let mut records = Vec::new();
    while !rest.is_empty() {
        let head = rest
            .get(..PCAP_RECORD_HEADER_LEN)
            .ok_or(PcapError::ShortRecordHeader)?;
        let incl_len = order.u32(word(head, 8)) as usize;
        let data = rest
            .get(PCAP_RECORD_HEADER_LEN..PCAP_RECORD_HEADER_LEN.saturating_add(incl_len))
            .ok_or(PcapError::ShortRecordData)?;
        records.push(PcapRecord {
            ts_sec: order.u32(word(head, 0)),
            ts_subsec: order.u32(word(head, 4)),
            orig_len: order.u32(word(head, 12)),
            data: data.to_vec(),
        });
        rest = &rest[PCAP_RECORD_HEADER_LEN + incl_len..];
    }
    Ok((header, records))
}

/// Appends frames to a pcap file, as OVS's `ovs_pcap_open(name, "ab")`
/// followed by `ovs_pcap_write`: the header is written only if the file is
/// empty, and every record reaches the file at once (one write per frame),
/// so that a reader sees whole records while the switch runs.
#[derive(Debug)]
pub struct PcapWriter {
    file: File,
    scratch: Vec<u8>,
}

impl PcapWriter {
    pub fn open_append(path: impl AsRef<Path>) -> io::Result<PcapWriter> {
        let mut file = OpenOptions::new().append(true).create(true).open(path)?;
        if file.metadata()?.len() == 0 {
            file.write_all(&PcapHeader::OVS.encode())?;
        }
        Ok(PcapWriter {
            file,
            scratch: Vec::new(),
        })
    }

    /// Writes `frame` stamped with the current wall-clock time.
    pub fn write(&mut self, frame: &[u8]) -> io::Result<()> {
        self.write_at(frame, SystemTime::now())
    }

    pub fn write_at(&mut self, frame: &[u8], when: SystemTime) -> io::Result<()> {
        let since = when.duration_since(UNIX_EPOCH).unwrap_or_default();
        self.scratch.clear();
        encode_record(
            since.as_secs() as u32,
            since.subsec_micros(),
            frame,
            frame.len() as u32,
            &mut self.scratch,
        );
        self.file.write_all(&self.scratch)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Swaps a host-order file into the other byte order, field by field.
    fn swap_file(bytes: &mut [u8]) {
        let swap = |b: &mut [u8]| b.reverse();
        swap(&mut bytes[0..4]);
        swap(&mut bytes[4..6]);
        swap(&mut bytes[6..8]);
        for at in (8..PCAP_HEADER_LEN).step_by(4) {
            swap(&mut bytes[at..at + 4]);
        }
        let mut at = PCAP_HEADER_LEN;
        while at < bytes.len() {
            let incl = u32::from_ne_bytes(word(bytes, at + 8)) as usize;
            for field in 0..4 {
                swap(&mut bytes[at + 4 * field..at + 4 * field + 4]);
            }
            at += PCAP_RECORD_HEADER_LEN + incl;
        }
    }

    #[test]
    fn ovs_header_bytes() {
        let bytes = PcapHeader::OVS.encode();
        // Host order; this is what a little-endian OVS writes.
        if cfg!(target_endian = "little") {
            assert_eq!(
                bytes,
                [
                    0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xee, 0x05, 0, 0,
                    1, 0, 0, 0
                ]
            );
        }
        assert_eq!(
            PcapHeader::decode(&bytes),
            Ok((PcapHeader::OVS, ByteOrder::NATIVE))
        );
    }

    #[test]
    fn big_endian_files_decode() {
        let mut bytes = vec![
            0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05, 0xee, 0, 0, 0,
            1,
        ];
        bytes.extend_from_slice(&[0, 0, 0, 9, 0, 0, 0, 7, 0, 0, 0, 2, 0, 0, 0, 60, 0xab, 0xcd]);
        let (header, records) = decode(&bytes).unwrap();
        assert_eq!(header, PcapHeader::OVS);
        assert_eq!(
            records,
            vec![PcapRecord {
                ts_sec: 9,
                ts_subsec: 7,
                orig_len: 60,
                data: vec![0xab, 0xcd]
            }]
        );
    }

    #[test]
    fn errors_read_as_ovs() {
        assert_eq!(
            decode(&[0; 10]).unwrap_err().to_string(),
            "end of file reading pcap header"
        );
        assert_eq!(
            decode(&[0; 24]).unwrap_err().to_string(),
            "bad magic 0x00000000 reading pcap file (expected 0xa1b2c3d4, 0xa1b23c4d, 0x4d3cb2a1 or 0xd4c3b2a1)"
        );
        let mut bytes = PcapHeader::OVS.encode().to_vec();
        bytes.extend_from_slice(&[0; 8]);
        assert_eq!(decode(&bytes), Err(PcapError::ShortRecordHeader));
        let mut bytes = PcapHeader::OVS.encode().to_vec();
        PcapRecord::new(&[1, 2, 3], UNIX_EPOCH).encode(&mut bytes);
        bytes.pop();
        assert_eq!(decode(&bytes), Err(PcapError::ShortRecordData));
    }

    #[test]
    fn writer_appends_and_writes_the_header_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pcap");
        let mut w = PcapWriter::open_append(&path).unwrap();
        w.write(&[1, 2, 3]).unwrap();
        drop(w);
        let mut w = PcapWriter::open_append(&path).unwrap();
        w.write(&[4; 2000]).unwrap();
        let (header, records) = decode(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(header, PcapHeader::OVS);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].data, [1, 2, 3]);
        // Longer than the snaplen, still whole.
        assert_eq!(records[1].data.len(), 2000);
        assert_eq!(records[1].orig_len, 2000);
    }

    proptest! {
        #[test]
        fn records_round_trip(
            frames in proptest::collection::vec(
                (any::<u32>(), 0u32..1_000_000, proptest::collection::vec(any::<u8>(), 0..300)),
                0..8,
            )
        ) {
            let mut bytes = PcapHeader::OVS.encode().to_vec();
            let records: Vec<PcapRecord> = frames
                .into_iter()
                .map(|(ts_sec, ts_subsec, data)| PcapRecord {
                    ts_sec,
                    ts_subsec,
                    orig_len: data.len() as u32,
                    data,
                })
                .collect();
            for r in &records {
                r.encode(&mut bytes);
            }
            prop_assert_eq!(decode(&bytes), Ok((PcapHeader::OVS, records)));
        }

        /// Any header, and records after it, written in either byte order
        /// (host order by the encoder, the other by swapping every field)
        /// read back as themselves and tell the order.
        #[test]
        fn headers_and_records_round_trip_in_either_order(
            nanoseconds in any::<bool>(),
            fields in any::<(u16, u16, i32, u32, u32)>(),
            linktype in prop_oneof![Just(LINKTYPE_ETHERNET), Just(LINKTYPE_LINUX_SLL)],
            frames in proptest::collection::vec(
                (any::<u32>(), any::<u32>(), any::<u32>(), proptest::collection::vec(any::<u8>(), 0..100)),
                0..4,
            ),
            swap in any::<bool>(),
        ) {
            let (version_major, version_minor, thiszone, sigfigs, snaplen) = fields;
            let header = PcapHeader {
                nanoseconds,
                version_major,
                version_minor,
                thiszone,
                sigfigs,
                snaplen,
                linktype,
            };
            let records: Vec<PcapRecord> = frames
                .into_iter()
                .map(|(ts_sec, ts_subsec, orig_len, data)| PcapRecord {
                    ts_sec,
                    ts_subsec,
                    orig_len,
                    data,
                })
                .collect();
            let mut bytes = header.encode().to_vec();
            for r in &records {
                r.encode(&mut bytes);
            }
            let order = if swap {
                swap_file(&mut bytes);
                match ByteOrder::NATIVE {
                    ByteOrder::Big => ByteOrder::Little,
                    ByteOrder::Little => ByteOrder::Big,
                }
            } else {
                ByteOrder::NATIVE
            };
            prop_assert_eq!(PcapHeader::decode(&bytes), Ok((header, order)));
            let decoded = decode(&bytes);
            prop_assert_eq!(&decoded, &Ok((header, records.clone())));
            // Host-order files come back to the byte.
            if !swap {
                let mut again = header.encode().to_vec();
                for r in &records {
                    r.encode(&mut again);
                }
                prop_assert_eq!(again, bytes);
            }
        }

        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode(&bytes);
            let mut with_header = PcapHeader::OVS.encode().to_vec();
            with_header.extend_from_slice(&bytes);
            let _ = decode(&with_header);
        }
    }
}
