//! Receiving through a `TPACKET_V3` ring: the kernel writes frames into
//! blocks of memory we share with it and hands each block over whole, so a
//! busy port costs no system call per batch.
//!
//! A block is ours once its status has `TP_STATUS_USER`; its header says
//! how many frames it holds and where the first one starts, each frame's
//! header where the next one starts. We copy every frame out into the
//! caller's buffers (the `Netdev::recv` contract), put back the VLAN tag
//! the kernel stripped (from the frame header, as the `recvmmsg` path does
//! from `PACKET_AUXDATA`), and give the block back by setting its status
//! to `TP_STATUS_KERNEL`. Blocks are taken and returned in ring order, as
//! the kernel fills them.
//!
//! The walk through a block ([`BlockCursor`], [`frame_to_packet`]) is pure
//! and trusts nothing in the block: a header whose lengths or offsets point
//! outside the block ends the walk and the rest of the block is counted as
//! dropped.
//!
//! A block that is only partly filled is handed over when the retire timer
//! fires (`tp_retire_blk_tov`: 1 ms; older kernels round it up to a
//! jiffy), which bounds the latency a frame sees at low rates.

#![forbid(unsafe_code)]

use std::io;
use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::auxdata::{AuxData, reinsert_vlan};
use crate::sys::{self, RingMap};
use crate::{ETH_HEADER_LEN, VLAN_HEADER_LEN, take_buffer};

/// `struct tpacket_block_desc` with its `tpacket_hdr_v1`: offsets of the
/// fields we read, and the header's size.
const BLOCK_STATUS: usize = 8;
const BLOCK_NUM_PKTS: usize = 12;
const BLOCK_FIRST_PKT: usize = 16;
pub const BLOCK_HEADER_LEN: usize = 48;

/// `struct tpacket3_hdr`: offsets of the fields we read.
const FRAME_NEXT_OFFSET: usize = 0;
const FRAME_SNAPLEN: usize = 12;
const FRAME_LEN: usize = 16;
const FRAME_STATUS: usize = 20;
const FRAME_MAC: usize = 24;
const FRAME_VLAN_TCI: usize = 32;
const FRAME_VLAN_TPID: usize = 36;
/// `sizeof(struct tpacket3_hdr)`, which `TPACKET_ALIGN` leaves as is; the
/// kernel's `struct sockaddr_ll` follows it.
const FRAME_HEADER_LEN: usize = 48;
/// `sll_pkttype` inside that `struct sockaddr_ll`.
const FRAME_PKTTYPE: usize = FRAME_HEADER_LEN + 10;
/// `TPACKET3_HDRLEN`: frame header plus `struct sockaddr_ll`. Every frame
/// has at least this much header, so each step through a block moves at
/// least this far.
pub const FRAME_MIN_LEN: usize = FRAME_HEADER_LEN + 20;

/// `TP_STATUS_KERNEL` and `TP_STATUS_USER` for blocks.
const TP_STATUS_KERNEL: u32 = 0;
const TP_STATUS_USER: u32 = 1;
/// `PACKET_OUTGOING`: a frame this host sent.
pub const PACKET_OUTGOING: u8 = 4;

/// How long the kernel may keep a partly filled block before handing it
/// over, in milliseconds; a frame waits at most about that long at low
/// rates (older kernels, whose timer counts jiffies, round it up to one
/// jiffy: 4 ms at HZ=250).
pub const RETIRE_MS: u32 = 1;
/// Bytes of ring memory to aim for; fewer blocks when frames are big.
const RING_BYTES: usize = 512 * 1024;
/// Blocks are at least this big: a block holds about 85 minimum-size
/// frames (about 190 bytes each with headers), or one frame of a 9000-byte
/// MTU, so that the usual jumbo MTUs never outgrow the ring.
const MIN_BLOCK_SIZE: usize = 16 * 1024;
/// And there are at least this many of them, so that the kernel can fill
/// one while we read others.
const MIN_BLOCKS: usize = 4;
/// The most a frame takes in a block besides its bytes: the frame header
/// and `struct sockaddr_ll` padded so that the network header is 16-byte
/// aligned (96 bytes for a 14-byte MAC header), plus the 8-byte rounding
/// of each frame.
const FRAME_OVERHEAD: usize = 96 + 8;

/// The shape of a receive ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub block_size: usize,
    pub block_count: usize,
}

impl Geometry {
    /// A ring whose blocks each hold a frame of `room` bytes whole.
    pub fn for_room(room: usize) -> Geometry {
        let need = room
            .saturating_add(BLOCK_HEADER_LEN + FRAME_OVERHEAD)
            .max(MIN_BLOCK_SIZE);
        let block_size = need.checked_next_power_of_two().unwrap_or(need);
        Geometry {
            block_size,
            block_count: (RING_BYTES / block_size).max(MIN_BLOCKS),
        }
    }

    /// The biggest frame a block holds without clipping it.
    pub fn max_room(&self) -> usize {
        self.block_size
            .saturating_sub(BLOCK_HEADER_LEN + FRAME_OVERHEAD)
    }

    pub fn ring_len(&self) -> usize {
        self.block_size.saturating_mul(self.block_count)
    }
}

fn u32_at(bytes: &[u8], offset: usize) -> Option<u32> {
    let b = bytes.get(offset..offset.checked_add(4)?)?;
    Some(u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
}

fn u16_at(bytes: &[u8], offset: usize) -> Option<u16> {
    let b = bytes.get(offset..offset.checked_add(2)?)?;
    Some(u16::from_ne_bytes([b[0], b[1]]))
}

/// One frame as its header in a block describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingFrame<'a> {
    /// The bytes the kernel stored (`tp_snaplen` of them).
    pub data: &'a [u8],
    /// The frame's real length (`tp_len`), more than `data.len()` when the
    /// kernel clipped it.
    pub wire_len: usize,
    /// `tp_status`, with the VLAN validity bits.
    pub status: u32,
    pub vlan_tci: u16,
    pub vlan_tpid: u16,
    /// `sll_pkttype`: host, broadcast, ..., outgoing.
    pub pkttype: u8,
}

impl RingFrame<'_> {
    /// The stripped tag, in the form the auxdata path uses.
    pub fn aux(&self) -> AuxData {
        AuxData {
            status: self.status,
            len: self.wire_len as u32,
            snaplen: self.data.len() as u32,
            vlan_tci: self.vlan_tci,
            vlan_tpid: self.vlan_tpid,
            ..AuxData::default()
        }
    }
}

/// A block whose headers lie: `skipped` frames it claimed could not be
/// read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CorruptBlock {
    pub skipped: u32,
}

/// Where the walk through one block stands. It holds no borrow, so that a
/// walk can stop after `max` frames and go on at the next call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockCursor {
    offset: usize,
    left: u32,
    /// The last frame's `tp_next_offset` pointed nowhere sane.
    lost: bool,
}

impl BlockCursor {
    /// The walk through `block` (a whole block, header included).
    pub fn start(block: &[u8]) -> BlockCursor {
        let left = u32_at(block, BLOCK_NUM_PKTS).unwrap_or(0);
        let first = u32_at(block, BLOCK_FIRST_PKT).map_or(usize::MAX, |o| o as usize);
        BlockCursor {
            offset: first,
            left,
            lost: first < BLOCK_HEADER_LEN,
        }
    }

    pub fn is_done(&self) -> bool {
        self.left == 0
    }

    /// The next frame of `block`; Err once if the block turns out to be
    /// corrupt (the rest of it is skipped), None when it is done.
    pub fn next<'a>(&mut self, block: &'a [u8]) -> Option<Result<RingFrame<'a>, CorruptBlock>> {
        if self.left == 0 {
            return None;
        }
        let frame = if self.lost {
            None
        } else {
            parse_frame(block, self.offset)
        };
        let Some((frame, next)) = frame else {
            let skipped = self.left;
            self.left = 0;
            return Some(Err(CorruptBlock { skipped }));
        };
        self.left -= 1;
        if self.left > 0 {
            // Only forward, and never into the middle of this frame's
            // header, so that a walk always ends.
            match self.offset.checked_add(next as usize) {
                Some(o) if next as usize >= FRAME_MIN_LEN && o < block.len() => self.offset = o,
                _ => self.lost = true,
            }
        }
        Some(Ok(frame))
    }
}

/// The frame whose header starts at `offset`, and its `tp_next_offset`;
/// None if any of it lies outside `block`.
fn parse_frame(block: &[u8], offset: usize) -> Option<(RingFrame<'_>, u32)> {
    let header = block.get(offset..offset.checked_add(FRAME_MIN_LEN)?)?;
    let next = u32_at(header, FRAME_NEXT_OFFSET)?;
    let snaplen = u32_at(header, FRAME_SNAPLEN)? as usize;
    let wire_len = u32_at(header, FRAME_LEN)? as usize;
    let status = u32_at(header, FRAME_STATUS)?;
    let mac = usize::from(u16_at(header, FRAME_MAC)?);
    // The kernel keeps 16 bits of TCI in a 32-bit field.
    let vlan_tci = u32_at(header, FRAME_VLAN_TCI)? as u16;
    let vlan_tpid = u16_at(header, FRAME_VLAN_TPID)?;
    let pkttype = *header.get(FRAME_PKTTYPE)?;
    let start = offset.checked_add(mac)?;
    let data = block.get(start..start.checked_add(snaplen)?)?;
    Some((
        RingFrame {
            data,
            wire_len,
            status,
            vlan_tci,
            vlan_tpid,
            pkttype,
        },
        next,
    ))
}

/// What became of one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// `buf` holds the frame, tag restored.
    Deliver,
    /// Sent by this host: never ours to receive.
    Outgoing,
    /// Longer than `room`, or clipped by the kernel.
    TooBig,
    /// Shorter than an Ethernet header.
    Runt,
}

/// Copies `frame` into `buf` (cleared first) as the `recvmmsg` path would
/// have received it: whole, at most `room` bytes long, at least an Ethernet
/// header, with the stripped VLAN tag put back.
pub fn frame_to_packet(frame: &RingFrame<'_>, room: usize, buf: &mut Vec<u8>) -> Verdict {
    if frame.pkttype == PACKET_OUTGOING {
        return Verdict::Outgoing;
    }
    if frame.wire_len > frame.data.len() || frame.wire_len > room {
        return Verdict::TooBig;
    }
    if frame.wire_len < ETH_HEADER_LEN {
        return Verdict::Runt;
    }
    buf.clear();
    buf.reserve(frame.wire_len + VLAN_HEADER_LEN);
    buf.extend_from_slice(&frame.data[..frame.wire_len]);
    reinsert_vlan(buf, &frame.aux());
    Verdict::Deliver
}

/// Counters and flags one receive call updates.
pub(crate) struct RecvStats<'a> {
    pub(crate) dropped: &'a AtomicU64,
    /// Set when a frame was too big, so the caller looks at the MTU again.
    pub(crate) truncated: bool,
}

/// A mapped `TPACKET_V3` receive ring on a bound (or about to be bound)
/// packet socket.
pub(crate) struct RxRing {
    map: RingMap,
    geometry: Geometry,
    /// The block we take next.
    block: usize,
    /// The walk through `block`, once it is ours.
    cursor: Option<BlockCursor>,
}

impl RxRing {
    /// Sets up a ring able to hold frames of `room` bytes on `fd`, which
    /// must be in `TPACKET_V3` mode and have no ring. On error the socket
    /// is left without a ring, as it was.
    pub(crate) fn open(fd: BorrowedFd<'_>, room: usize) -> io::Result<RxRing> {
        let geometry = Geometry::for_room(room);
        let (size, count) = match (
            u32::try_from(geometry.block_size),
            u32::try_from(geometry.block_count),
        ) {
            (Ok(size), Ok(count)) => (size, count),
            _ => return Err(io::Error::from_raw_os_error(libc::EINVAL)),
        };
        sys::set_rx_ring_v3(fd, size, count, RETIRE_MS)?;
        match RingMap::map(fd, geometry.ring_len()) {
            Ok(map) => Ok(RxRing {
                map,
                geometry,
                block: 0,
                cursor: None,
            }),
            Err(e) => {
                let _ = sys::set_rx_ring_v3(fd, 0, 0, 0);
                Err(e)
            }
        }
    }

    /// Unmaps and removes the ring; the socket then queues frames as a
    /// plain packet socket does, for `recvmmsg`. Frames still in the ring
    /// are lost.
    pub(crate) fn close(self, fd: BorrowedFd<'_>) -> io::Result<()> {
        drop(self.map);
        sys::set_rx_ring_v3(fd, 0, 0, 0)
    }

    pub(crate) fn geometry(&self) -> Geometry {
        self.geometry
    }

    fn block_start(&self) -> usize {
        self.block * self.geometry.block_size
    }

    /// Appends up to `max` frames of at most `room` bytes to `out`, taking
    /// buffers from `pool`; returns how many. At most `max` frames are
    /// looked at, whatever becomes of them.
    pub(crate) fn recv(
        &mut self,
        room: usize,
        pool: &mut Vec<Vec<u8>>,
        out: &mut Vec<Vec<u8>>,
        max: usize,
        stats: &mut RecvStats<'_>,
    ) -> usize {
        let mut seen = 0;
        let mut delivered = 0;
        while seen < max {
            let start = self.block_start();
            let range = start..start + self.geometry.block_size;
            let Some(block) = self
                .map
                .owned(start + BLOCK_STATUS, range, |s| s & TP_STATUS_USER != 0)
            else {
                break;
            };
            let cursor = self.cursor.get_or_insert_with(|| BlockCursor::start(block));
            while seen < max {
                match cursor.next(block) {
                    None => break,
                    Some(Err(corrupt)) => {
                        stats
                            .dropped
                            .fetch_add(u64::from(corrupt.skipped), Ordering::Relaxed);
                    }
                    Some(Ok(frame)) => {
                        seen += 1;
                        let mut buf = take_buffer(pool, room + VLAN_HEADER_LEN);
                        match frame_to_packet(&frame, room, &mut buf) {
                            Verdict::Deliver => {
                                out.push(buf);
                                delivered += 1;
                                continue;
                            }
                            Verdict::Outgoing => {}
                            Verdict::TooBig => {
                                stats.truncated = true;
                                stats.dropped.fetch_add(1, Ordering::Relaxed);
                            }
                            Verdict::Runt => {
                                stats.dropped.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        pool.push(buf);
                    }
                }
            }
            if !cursor.is_done() {
                break;
            }
            self.cursor = None;
            self.map.set_status(start + BLOCK_STATUS, TP_STATUS_KERNEL);
            self.block = (self.block + 1) % self.geometry.block_count;
        }
        delivered
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::auxdata::{TP_STATUS_VLAN_TPID_VALID, TP_STATUS_VLAN_VALID};

    /// One frame to lay out in a synthetic block.
    #[derive(Clone, Debug)]
    struct Spec {
        bytes: Vec<u8>,
        wire_len: Option<usize>,
        status: u32,
        tci: u16,
        tpid: u16,
        pkttype: u8,
    }

    fn spec(bytes: Vec<u8>) -> Spec {
        Spec {
            bytes,
            wire_len: None,
            status: 0,
            tci: 0,
            tpid: 0,
            pkttype: 0,
        }
    }

    /// A block laid out as the kernel does: header, then frames at 8-byte
    /// aligned offsets, each with its bytes 82 bytes after its header (the
    /// MAC offset for a 14-byte Ethernet header).
    fn block_of(frames: &[Spec], size: usize) -> Vec<u8> {
        let mut block = vec![0u8; size];
        let put32 = |b: &mut Vec<u8>, at: usize, v: u32| {
            b[at..at + 4].copy_from_slice(&v.to_ne_bytes());
        };
        put32(&mut block, BLOCK_STATUS, TP_STATUS_USER);
        put32(&mut block, BLOCK_NUM_PKTS, frames.len() as u32);
        put32(&mut block, BLOCK_FIRST_PKT, BLOCK_HEADER_LEN as u32);
        let mac = 82usize;
        let mut at = BLOCK_HEADER_LEN;
        for (i, f) in frames.iter().enumerate() {
            let total = (mac + f.bytes.len()).next_multiple_of(8);
            let next = if i + 1 == frames.len() { 0 } else { total };
            put32(&mut block, at + FRAME_NEXT_OFFSET, next as u32);
            put32(&mut block, at + FRAME_SNAPLEN, f.bytes.len() as u32);
            put32(
                &mut block,
                at + FRAME_LEN,
                f.wire_len.unwrap_or(f.bytes.len()) as u32,
            );
            put32(&mut block, at + FRAME_STATUS, f.status);
            block[at + FRAME_MAC..at + FRAME_MAC + 2].copy_from_slice(&(mac as u16).to_ne_bytes());
            put32(&mut block, at + FRAME_VLAN_TCI, u32::from(f.tci));
            block[at + FRAME_VLAN_TPID..at + FRAME_VLAN_TPID + 2]
                .copy_from_slice(&f.tpid.to_ne_bytes());
            block[at + FRAME_PKTTYPE] = f.pkttype;
            block[at + mac..at + mac + f.bytes.len()].copy_from_slice(&f.bytes);
            at += total;
        }
        block
    }

    fn walk(block: &[u8], room: usize) -> (Vec<Vec<u8>>, Vec<Verdict>, u32) {
        let mut cursor = BlockCursor::start(block);
        let (mut out, mut verdicts, mut skipped) = (Vec::new(), Vec::new(), 0);
        let mut steps = 0;
        while let Some(step) = cursor.next(block) {
            steps += 1;
            assert!(steps <= block.len(), "the walk must end");
            match step {
                Ok(frame) => {
                    let mut buf = Vec::new();
                    let v = frame_to_packet(&frame, room, &mut buf);
                    if v == Verdict::Deliver {
                        out.push(buf);
                    }
                    verdicts.push(v);
                }
                Err(c) => skipped += c.skipped,
            }
        }
        (out, verdicts, skipped)
    }

    fn eth(ethertype: u16, len: usize, seed: u8) -> Vec<u8> {
        let mut f: Vec<u8> = (0..12).map(|i| seed.wrapping_add(i)).collect();
        f.extend_from_slice(&ethertype.to_be_bytes());
        f.resize(len, seed);
        f
    }

    #[test]
    fn layout_matches_the_kernel_headers() {
        assert_eq!(size_of::<libc::tpacket3_hdr>(), FRAME_HEADER_LEN);
        assert_eq!(
            std::mem::offset_of!(libc::tpacket3_hdr, tp_next_offset),
            FRAME_NEXT_OFFSET
        );
        assert_eq!(
            std::mem::offset_of!(libc::tpacket3_hdr, tp_snaplen),
            FRAME_SNAPLEN
        );
        assert_eq!(std::mem::offset_of!(libc::tpacket3_hdr, tp_len), FRAME_LEN);
        assert_eq!(
            std::mem::offset_of!(libc::tpacket3_hdr, tp_status),
            FRAME_STATUS
        );
        assert_eq!(std::mem::offset_of!(libc::tpacket3_hdr, tp_mac), FRAME_MAC);
        assert_eq!(
            std::mem::offset_of!(libc::tpacket3_hdr, hv1)
                + std::mem::offset_of!(libc::tpacket_hdr_variant1, tp_vlan_tci),
            FRAME_VLAN_TCI
        );
        assert_eq!(
            std::mem::offset_of!(libc::tpacket3_hdr, hv1)
                + std::mem::offset_of!(libc::tpacket_hdr_variant1, tp_vlan_tpid),
            FRAME_VLAN_TPID
        );
        assert_eq!(libc::TPACKET3_HDRLEN, FRAME_MIN_LEN);
        assert_eq!(
            FRAME_PKTTYPE - FRAME_HEADER_LEN,
            std::mem::offset_of!(libc::sockaddr_ll, sll_pkttype)
        );
        assert_eq!(size_of::<libc::tpacket_block_desc>(), BLOCK_HEADER_LEN);
        let hdr = std::mem::offset_of!(libc::tpacket_block_desc, hdr);
        assert_eq!(
            hdr + std::mem::offset_of!(libc::tpacket_hdr_v1, block_status),
            BLOCK_STATUS
        );
        assert_eq!(
            hdr + std::mem::offset_of!(libc::tpacket_hdr_v1, num_pkts),
            BLOCK_NUM_PKTS
        );
        assert_eq!(
            hdr + std::mem::offset_of!(libc::tpacket_hdr_v1, offset_to_first_pkt),
            BLOCK_FIRST_PKT
        );
    }

    #[test]
    fn geometry_holds_the_biggest_frame() {
        for room in [60, 1518, 1522, 9018, 65535 + 18] {
            let g = Geometry::for_room(room);
            assert!(g.max_room() >= room, "{room}: {g:?}");
            assert!(g.block_size.is_power_of_two() && g.block_size.is_multiple_of(4096));
            assert!(g.block_count >= MIN_BLOCKS);
            // The kernel's own rule: header, then one frame at the worst
            // MAC offset, strictly inside the block.
            assert!(BLOCK_HEADER_LEN + (82 + room).next_multiple_of(8) < g.block_size);
        }
        assert_eq!(Geometry::for_room(1518).block_size, MIN_BLOCK_SIZE);
        assert_eq!(Geometry::for_room(9018).block_size, MIN_BLOCK_SIZE);
    }

    #[test]
    fn frames_come_out_whole_and_in_order() {
        let frames: Vec<_> = (0..5u8)
            .map(|i| spec(eth(0x0800, 60 + usize::from(i) * 33, i)))
            .collect();
        let block = block_of(&frames, 8192);
        let (out, verdicts, skipped) = walk(&block, 1518);
        assert_eq!(skipped, 0);
        assert_eq!(verdicts, vec![Verdict::Deliver; 5]);
        let want: Vec<_> = frames.iter().map(|f| f.bytes.clone()).collect();
        assert_eq!(out, want);
    }

    #[test]
    fn stripped_tags_come_back_as_with_auxdata() {
        let untagged = eth(0x0800, 64, 1);
        let mut tagged = spec(untagged.clone());
        tagged.status = TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID;
        tagged.tci = 0x3005;
        tagged.tpid = 0x88a8;
        // VLAN 0 still counts when the kernel says the tag is valid.
        let mut zero = spec(untagged.clone());
        zero.status = TP_STATUS_VLAN_VALID;
        let block = block_of(&[tagged.clone(), zero, spec(untagged.clone())], 8192);
        let (out, _, _) = walk(&block, 1518);
        let mut want = untagged.clone();
        reinsert_vlan(
            &mut want,
            &RingFrame {
                data: &untagged,
                wire_len: untagged.len(),
                status: tagged.status,
                vlan_tci: tagged.tci,
                vlan_tpid: tagged.tpid,
                pkttype: 0,
            }
            .aux(),
        );
        assert_eq!(out[0], want);
        assert_eq!(out[0][12..16], [0x88, 0xa8, 0x20, 0x05]);
        assert_eq!(out[1][12..16], [0x81, 0x00, 0, 0]);
        assert_eq!(out[2], untagged);
    }

    #[test]
    fn outgoing_big_clipped_and_runt_frames_are_not_delivered() {
        let mut outgoing = spec(eth(0x0800, 64, 1));
        outgoing.pkttype = PACKET_OUTGOING;
        let mut clipped = spec(eth(0x0800, 100, 2));
        clipped.wire_len = Some(3000);
        let big = spec(eth(0x0800, 1600, 3));
        let runt = spec(vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
        let fine = spec(eth(0x0800, 1518, 4));
        let block = block_of(&[outgoing, clipped, big, runt, fine.clone()], 8192);
        let (out, verdicts, _) = walk(&block, 1518);
        assert_eq!(
            verdicts,
            [
                Verdict::Outgoing,
                Verdict::TooBig,
                Verdict::TooBig,
                Verdict::Runt,
                Verdict::Deliver
            ]
        );
        assert_eq!(out, vec![fine.bytes]);
    }

    #[test]
    fn lying_offsets_end_the_walk() {
        let frames: Vec<_> = (0..3u8).map(|i| spec(eth(0x0800, 64, i))).collect();
        let good = block_of(&frames, 4096);

        // First frame outside the block.
        let mut b = good.clone();
        b[BLOCK_FIRST_PKT..BLOCK_FIRST_PKT + 4].copy_from_slice(&5000u32.to_ne_bytes());
        assert_eq!(walk(&b, 1518), (vec![], vec![], 3));

        // First frame inside the block header.
        let mut b = good.clone();
        b[BLOCK_FIRST_PKT..BLOCK_FIRST_PKT + 4].copy_from_slice(&8u32.to_ne_bytes());
        assert_eq!(walk(&b, 1518).2, 3);

        // A next offset that loops back: the first frame, then the rest skipped.
        let mut b = good.clone();
        b[BLOCK_HEADER_LEN..BLOCK_HEADER_LEN + 4].copy_from_slice(&0u32.to_ne_bytes());
        let (out, _, skipped) = walk(&b, 1518);
        assert_eq!((out.len(), skipped), (1, 2));

        // A snaplen running past the end of the block.
        let mut b = good.clone();
        let at = BLOCK_HEADER_LEN + FRAME_SNAPLEN;
        b[at..at + 4].copy_from_slice(&u32::MAX.to_ne_bytes());
        assert_eq!(walk(&b, 1518).2, 3);

        // More frames claimed than there are.
        let mut b = good;
        b[BLOCK_NUM_PKTS..BLOCK_NUM_PKTS + 4].copy_from_slice(&1000u32.to_ne_bytes());
        let (out, _, skipped) = walk(&b, 1518);
        assert_eq!((out.len(), skipped), (3, 997));
    }

    #[test]
    fn a_walk_resumes_where_it_stopped() {
        let frames: Vec<_> = (0..7u8).map(|i| spec(eth(0x0800, 70, i))).collect();
        let block = block_of(&frames, 8192);
        let mut cursor = BlockCursor::start(&block);
        let mut got = Vec::new();
        while !cursor.is_done() {
            // Two at a time, as recv with max = 2 would.
            for _ in 0..2 {
                if let Some(Ok(f)) = cursor.next(&block) {
                    got.push(f.data.to_vec());
                }
            }
        }
        assert_eq!(
            got,
            frames.iter().map(|f| f.bytes.clone()).collect::<Vec<_>>()
        );
    }

    fn any_spec() -> impl Strategy<Value = Spec> {
        (
            proptest::collection::vec(any::<u8>(), 0..300),
            proptest::option::of(0usize..400),
            any::<u32>(),
            any::<u16>(),
            any::<u16>(),
            0u8..8,
        )
            .prop_map(|(bytes, wire_len, status, tci, tpid, pkttype)| Spec {
                bytes,
                wire_len,
                status,
                tci,
                tpid,
                pkttype,
            })
    }

    proptest! {
        /// Whatever a block says, walking it never panics, never loops and
        /// every frame handed out lies inside the block.
        #[test]
        fn walking_garbage_is_safe(
            mut block in proptest::collection::vec(any::<u8>(), 0..1024),
            first in prop_oneof![Just(48u32), any::<u32>()],
            count in prop_oneof![0u32..20, any::<u32>()],
        ) {
            if block.len() >= 20 {
                block[BLOCK_NUM_PKTS..BLOCK_NUM_PKTS + 4].copy_from_slice(&count.to_ne_bytes());
                block[BLOCK_FIRST_PKT..BLOCK_FIRST_PKT + 4].copy_from_slice(&first.to_ne_bytes());
            }
            let range = block.as_ptr_range();
            let mut cursor = BlockCursor::start(&block);
            let mut steps = 0usize;
            while let Some(step) = cursor.next(&block) {
                steps += 1;
                prop_assert!(steps <= block.len() / FRAME_MIN_LEN + 2);
                if let Ok(frame) = step {
                    let r = frame.data.as_ptr_range();
                    prop_assert!(range.start <= r.start && r.end <= range.end);
                    let mut buf = Vec::new();
                    if frame_to_packet(&frame, 1518, &mut buf) == Verdict::Deliver {
                        prop_assert!(buf.len() >= ETH_HEADER_LEN && buf.len() <= 1518 + 4);
                    }
                }
            }
        }

        /// Well-formed blocks: every frame comes out, delivered exactly when
        /// the rules say, tag restored as `reinsert_vlan` would.
        #[test]
        fn well_formed_blocks_round_trip(frames in proptest::collection::vec(any_spec(), 0..12)) {
            let size = 16384;
            let block = block_of(&frames, size);
            let (out, verdicts, skipped) = walk(&block, 300);
            prop_assert_eq!(skipped, 0);
            prop_assert_eq!(verdicts.len(), frames.len());
            let mut delivered = out.into_iter();
            for (f, v) in frames.iter().zip(verdicts) {
                let wire = f.wire_len.unwrap_or(f.bytes.len());
                let want = if f.pkttype == PACKET_OUTGOING {
                    Verdict::Outgoing
                } else if wire > f.bytes.len() || wire > 300 {
                    Verdict::TooBig
                } else if wire < ETH_HEADER_LEN {
                    Verdict::Runt
                } else {
                    Verdict::Deliver
                };
                prop_assert_eq!(v, want);
                if v == Verdict::Deliver {
                    let mut expect = f.bytes[..wire].to_vec();
                    let aux = AuxData {
                        status: f.status,
                        vlan_tci: f.tci,
                        vlan_tpid: f.tpid,
                        ..AuxData::default()
                    };
                    reinsert_vlan(&mut expect, &aux);
                    prop_assert_eq!(delivered.next(), Some(expect));
                }
            }
            prop_assert_eq!(delivered.next(), None);
        }
    }
}
