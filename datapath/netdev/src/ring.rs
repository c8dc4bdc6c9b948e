//! Receiving through a `TPACKET_V2` ring: the kernel writes each frame into
//! a slot of memory we share with it and hands the slot over at once, so a
//! busy port costs no system call per batch and an idle one adds no delay.
//!
//! A slot is ours once its status has `TP_STATUS_USER`; its header says how
//! long the frame is and where in the slot it starts. We copy the frame out
//! into one of the caller's buffers (the `Netdev::recv` contract), put back
//! the VLAN tag the kernel stripped (from the slot header, as the
//! `recvmmsg` path does from `PACKET_AUXDATA`), and only then give the slot
//! back by setting its status to `TP_STATUS_KERNEL`. Slots are taken and
//! returned in ring order, as the kernel fills them.
//!
//! A frame too big for its slot is stored clipped with `TP_STATUS_COPY`,
//! and (`PACKET_COPY_THRESH`) queued whole on the socket as well: the
//! caller reads it from there, in its place among the ring's frames.
//!
//! Reading a slot ([`parse_slot`], [`frame_to_packet`]) is pure and trusts
//! nothing in it: a header whose lengths or offsets point outside the slot
//! (or into its own header) makes the slot count as a dropped frame.

#![forbid(unsafe_code)]

use std::io;
use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::auxdata::{AuxData, reinsert_vlan};
use crate::sys::{self, RingMap};
use crate::{ETH_HEADER_LEN, VLAN_HEADER_LEN, take_buffer};

/// `struct tpacket2_hdr`: offsets of the fields we read.
const SLOT_STATUS: usize = 0;
const SLOT_LEN: usize = 4;
const SLOT_SNAPLEN: usize = 8;
const SLOT_MAC: usize = 12;
const SLOT_VLAN_TCI: usize = 24;
const SLOT_VLAN_TPID: usize = 26;
/// `sizeof(struct tpacket2_hdr)`, which `TPACKET_ALIGN` leaves as is; the
/// kernel's `struct sockaddr_ll` follows it.
const SLOT_HEADER_LEN: usize = 32;
/// `sll_pkttype` inside that `struct sockaddr_ll`.
const SLOT_PKTTYPE: usize = SLOT_HEADER_LEN + 10;
/// `TPACKET2_HDRLEN`: slot header plus `struct sockaddr_ll`. A frame never
/// starts before this.
pub const SLOT_MIN_LEN: usize = SLOT_HEADER_LEN + 20;
/// Where the kernel puts a frame in its slot: after `SLOT_MIN_LEN` bytes
/// and the MAC header (at least 16 bytes counted), rounded up to 16 so that
/// the network header is aligned, minus the MAC header. For a 14-byte
/// Ethernet header that is 66; for no MAC header at all, this, the most.
pub const MAX_MAC_OFFSET: usize = (SLOT_MIN_LEN + 16).next_multiple_of(16);

/// `TP_STATUS_KERNEL`, `TP_STATUS_USER`, `TP_STATUS_COPY`.
const TP_STATUS_KERNEL: u32 = 0;
const TP_STATUS_USER: u32 = 1;
/// The slot holds the frame clipped; the whole frame waits on the socket's
/// queue.
pub const TP_STATUS_COPY: u32 = 1 << 1;
/// `PACKET_OUTGOING`: a frame this host sent.
pub const PACKET_OUTGOING: u8 = 4;

/// Slots are at least this big: frames of the usual MTU of 1500 fit with
/// room to spare (up to an MTU of 1950).
const MIN_SLOT_SIZE: usize = 2048;
/// Blocks (the unit the kernel allocates the ring in, slots never cross
/// one) are at least this big: a whole number of pages on every page size
/// Linux uses.
const MIN_BLOCK_SIZE: usize = 64 * 1024;
/// Bytes of ring memory to aim for: 2048 slots of 2048 bytes, about 8 ms
/// of small frames at 250,000 frames per second, to ride out the moments
/// the datapath thread is not running (forwarding 64-byte frames on a busy
/// 2-core machine, 512 slots lost 20% of the rate, 1024 slots 10%); fewer
/// slots when they are big.
const RING_BYTES: usize = 4 * 1024 * 1024;
/// And at least this many blocks, so that a ring of big slots still holds a
/// few frames.
const MIN_BLOCKS: usize = 8;

/// The shape of a receive ring: `block_count` blocks of `block_size`
/// bytes, each holding as many slots of `slot_size` bytes as fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub slot_size: usize,
    pub block_size: usize,
    pub block_count: usize,
}

impl Geometry {
    /// A ring whose slots each hold a frame of `room` bytes whole.
    pub fn for_room(room: usize) -> Geometry {
        let slot_size = room
            .saturating_add(MAX_MAC_OFFSET)
            .next_multiple_of(16)
            .max(MIN_SLOT_SIZE);
        // The kernel allocates each block as a power-of-two run of pages,
        // so any other size would only waste the rest of the run.
        let block_size = slot_size
            .checked_next_power_of_two()
            .unwrap_or(slot_size)
            .max(MIN_BLOCK_SIZE);
        Geometry {
            slot_size,
            block_size,
            block_count: (RING_BYTES / block_size).max(MIN_BLOCKS),
        }
    }

    /// The biggest frame a slot holds without clipping it.
    pub fn max_room(&self) -> usize {
        self.slot_size.saturating_sub(MAX_MAC_OFFSET)
    }

    pub fn slots_per_block(&self) -> usize {
        self.block_size.checked_div(self.slot_size).unwrap_or(0)
    }

    pub fn slot_count(&self) -> usize {
        self.slots_per_block().saturating_mul(self.block_count)
    }

    /// Where slot `index` starts in the mapping.
    pub fn slot_offset(&self, index: usize) -> usize {
        let per_block = self.slots_per_block().max(1);
        (index / per_block) * self.block_size + (index % per_block) * self.slot_size
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

/// One frame as its slot header describes it.
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

/// What a slot the kernel handed over holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot<'a> {
    Frame(RingFrame<'a>),
    /// A frame too big for the slot, which waits whole on the socket's
    /// queue (`TP_STATUS_COPY`); the slot's bytes do not matter.
    Copied,
    /// A header whose lengths or offsets lie.
    Corrupt,
}

/// Reads the slot `slot` (a whole slot, header included).
pub fn parse_slot(slot: &[u8]) -> Slot<'_> {
    match u32_at(slot, SLOT_STATUS) {
        Some(status) if status & TP_STATUS_COPY != 0 => Slot::Copied,
        Some(status) => parse_frame(slot, status).map_or(Slot::Corrupt, Slot::Frame),
        None => Slot::Corrupt,
    }
}

fn parse_frame(slot: &[u8], status: u32) -> Option<RingFrame<'_>> {
    let header = slot.get(..SLOT_MIN_LEN)?;
    let wire_len = u32_at(header, SLOT_LEN)? as usize;
    let snaplen = u32_at(header, SLOT_SNAPLEN)? as usize;
    let mac = usize::from(u16_at(header, SLOT_MAC)?);
    if mac < SLOT_MIN_LEN {
        return None;
    }
    Some(RingFrame {
        data: slot.get(mac..mac.checked_add(snaplen)?)?,
        wire_len,
        status,
        vlan_tci: u16_at(header, SLOT_VLAN_TCI)?,
        vlan_tpid: u16_at(header, SLOT_VLAN_TPID)?,
        pkttype: *header.get(SLOT_PKTTYPE)?,
    })
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

/// What one pass over the ring took.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Taken {
    /// Frames appended to `out`.
    pub(crate) delivered: usize,
    /// Slots with `TP_STATUS_COPY` passed at the end of the pass: that
    /// many frames wait on the socket's queue and come next, before
    /// anything still in the ring.
    pub(crate) copied: usize,
    /// The pass ended at a slot the kernel has not filled (rather than for
    /// the budget or the copies).
    pub(crate) idle: bool,
}

/// Slots as the walk sees them: the mapped ring, or plain memory in tests.
pub(crate) trait Slots {
    fn count(&self) -> usize;
    /// Slot `index`'s bytes, if its status word satisfies `ready`.
    fn ready(&self, index: usize, ready: impl FnOnce(u32) -> bool) -> Option<&[u8]>;
    /// Hands slot `index` back to the kernel.
    fn release(&mut self, index: usize);
}

/// Takes up to `max` slots from `head` on, in order, appending the frames
/// of at most `room` bytes they hold to `out` with buffers from `pool`;
/// each slot is released once its frame was copied or refused. Stops at
/// the first slot that is not ready, and after a run of `TP_STATUS_COPY`
/// slots, whose frames the caller must read from the socket before going
/// on.
pub(crate) fn take_slots(
    slots: &mut impl Slots,
    head: &mut usize,
    room: usize,
    pool: &mut Vec<Vec<u8>>,
    out: &mut Vec<Vec<u8>>,
    max: usize,
    stats: &mut RecvStats<'_>,
) -> Taken {
    let mut taken = Taken::default();
    let count = slots.count();
    taken.idle = count == 0;
    for _ in 0..max {
        if count == 0 {
            break;
        }
        let copied = taken.copied;
        let ready = |s: u32| s & TP_STATUS_USER != 0 && (copied == 0 || s & TP_STATUS_COPY != 0);
        let Some(slot) = slots.ready(*head, ready) else {
            // After copies, whether the next slot is ready is for the
            // next pass to find out.
            taken.idle = copied == 0;
            break;
        };
        match parse_slot(slot) {
            Slot::Copied => taken.copied += 1,
            Slot::Corrupt => {
                stats.dropped.fetch_add(1, Ordering::Relaxed);
            }
            Slot::Frame(frame) => {
                let mut buf = take_buffer(pool, room + VLAN_HEADER_LEN);
                match frame_to_packet(&frame, room, &mut buf) {
                    Verdict::Deliver => {
                        out.push(buf);
                        taken.delivered += 1;
                    }
                    verdict => {
                        if verdict == Verdict::TooBig {
                            stats.truncated = true;
                        }
                        if verdict != Verdict::Outgoing {
                            stats.dropped.fetch_add(1, Ordering::Relaxed);
                        }
                        pool.push(buf);
                    }
                }
            }
        }
        slots.release(*head);
        *head = (*head + 1) % count;
    }
    taken
}

/// The slots of a mapped ring.
struct MappedSlots {
    map: RingMap,
    geometry: Geometry,
}

impl Slots for MappedSlots {
    fn count(&self) -> usize {
        self.geometry.slot_count()
    }

    fn ready(&self, index: usize, ready: impl FnOnce(u32) -> bool) -> Option<&[u8]> {
        let at = self.geometry.slot_offset(index);
        self.map.owned(
            at + SLOT_STATUS,
            at..at.checked_add(self.geometry.slot_size)?,
            ready,
        )
    }

    fn release(&mut self, index: usize) {
        let at = self.geometry.slot_offset(index);
        self.map.set_status(at + SLOT_STATUS, TP_STATUS_KERNEL);
    }
}

/// A mapped `TPACKET_V2` receive ring on a bound (or about to be bound)
/// packet socket.
pub(crate) struct RxRing {
    slots: MappedSlots,
    /// The slot the kernel fills after all the ones we have taken: both
    /// sides go round in the same order.
    head: usize,
}

impl RxRing {
    /// Sets up a ring able to hold frames of `room` bytes on `fd`, which
    /// must be in `TPACKET_V2` mode and have no ring; bigger frames will
    /// also be queued whole on the socket. On error the socket is left
    /// without a ring, as it was.
    pub(crate) fn open(fd: BorrowedFd<'_>, room: usize) -> io::Result<RxRing> {
        let geometry = Geometry::for_room(room);
        let einval = || io::Error::from_raw_os_error(libc::EINVAL);
        let size = |n: usize| u32::try_from(n).map_err(|_| einval());
        let (block_size, block_count, slot_size, slot_count) = (
            size(geometry.block_size)?,
            size(geometry.block_count)?,
            size(geometry.slot_size)?,
            size(geometry.slot_count())?,
        );
        sys::set_int_option(fd, sys::SOL_PACKET, sys::PACKET_COPY_THRESH, 1)?;
        sys::set_rx_ring_v2(fd, block_size, block_count, slot_size, slot_count)?;
        match RingMap::map(fd, geometry.ring_len()) {
            Ok(map) => Ok(RxRing {
                slots: MappedSlots { map, geometry },
                head: 0,
            }),
            Err(e) => {
                let _ = sys::set_rx_ring_v2(fd, 0, 0, 0, 0);
                Err(e)
            }
        }
    }

    /// Unmaps and removes the ring; the socket then queues frames as a
    /// plain packet socket does, for `recvmmsg`. Frames still in the ring
    /// are lost.
    pub(crate) fn close(self, fd: BorrowedFd<'_>) -> io::Result<()> {
        drop(self.slots);
        sys::set_rx_ring_v2(fd, 0, 0, 0, 0)
    }

    pub(crate) fn geometry(&self) -> Geometry {
        self.slots.geometry
    }

    /// Takes up to `max` frames, as [`take_slots`].
    pub(crate) fn recv(
        &mut self,
        room: usize,
        pool: &mut Vec<Vec<u8>>,
        out: &mut Vec<Vec<u8>>,
        max: usize,
        stats: &mut RecvStats<'_>,
    ) -> Taken {
        take_slots(&mut self.slots, &mut self.head, room, pool, out, max, stats)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::auxdata::{TP_STATUS_VLAN_TPID_VALID, TP_STATUS_VLAN_VALID};

    /// One frame to lay out in a synthetic slot.
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

    /// Where the kernel puts a frame with a 14-byte MAC header.
    const MAC: usize = 66;

    fn put32(b: &mut [u8], at: usize, v: u32) {
        b[at..at + 4].copy_from_slice(&v.to_ne_bytes());
    }

    /// A slot of `size` bytes, laid out as the kernel does, handed over.
    fn slot_of(f: &Spec, size: usize) -> Vec<u8> {
        let mut slot = vec![0u8; size];
        let snap = f.bytes.len().min(size - MAC);
        put32(&mut slot, SLOT_STATUS, TP_STATUS_USER | f.status);
        put32(
            &mut slot,
            SLOT_LEN,
            f.wire_len.unwrap_or(f.bytes.len()) as u32,
        );
        put32(&mut slot, SLOT_SNAPLEN, snap as u32);
        slot[SLOT_MAC..SLOT_MAC + 2].copy_from_slice(&(MAC as u16).to_ne_bytes());
        slot[SLOT_VLAN_TCI..SLOT_VLAN_TCI + 2].copy_from_slice(&f.tci.to_ne_bytes());
        slot[SLOT_VLAN_TPID..SLOT_VLAN_TPID + 2].copy_from_slice(&f.tpid.to_ne_bytes());
        slot[SLOT_PKTTYPE] = f.pkttype;
        slot[MAC..MAC + snap].copy_from_slice(&f.bytes[..snap]);
        slot
    }

    fn read(slot: &[u8], room: usize) -> Result<(Verdict, Vec<u8>), Slot<'_>> {
        match parse_slot(slot) {
            Slot::Frame(frame) => {
                let mut buf = Vec::new();
                let v = frame_to_packet(&frame, room, &mut buf);
                Ok((v, buf))
            }
            other => Err(other),
        }
    }

    fn eth(ethertype: u16, len: usize, seed: u8) -> Vec<u8> {
        let mut f: Vec<u8> = (0..12).map(|i| seed.wrapping_add(i)).collect();
        f.extend_from_slice(&ethertype.to_be_bytes());
        f.resize(len, seed);
        f
    }

    /// A ring in plain memory, with a log of what the walk did to it.
    struct FakeRing {
        slots: Vec<Vec<u8>>,
        released: Vec<usize>,
    }

    impl FakeRing {
        fn new(count: usize, size: usize) -> FakeRing {
            FakeRing {
                slots: vec![vec![0u8; size]; count],
                released: Vec::new(),
            }
        }

        /// The kernel's side: fills slots from `at` on, as it would.
        fn fill(&mut self, at: usize, frames: &[Spec]) {
            let size = self.slots[0].len();
            for (i, f) in frames.iter().enumerate() {
                let n = (at + i) % self.slots.len();
                self.slots[n] = slot_of(f, size);
            }
        }

        fn copied(&mut self, at: usize) {
            let n = at % self.slots.len();
            let status = u32_at(&self.slots[n], SLOT_STATUS).unwrap() | TP_STATUS_COPY;
            put32(&mut self.slots[n], SLOT_STATUS, status);
        }
    }

    impl Slots for FakeRing {
        fn count(&self) -> usize {
            self.slots.len()
        }

        fn ready(&self, index: usize, ready: impl FnOnce(u32) -> bool) -> Option<&[u8]> {
            let slot = self.slots.get(index)?;
            ready(u32_at(slot, SLOT_STATUS)?).then_some(slot.as_slice())
        }

        fn release(&mut self, index: usize) {
            put32(&mut self.slots[index], SLOT_STATUS, TP_STATUS_KERNEL);
            self.released.push(index);
        }
    }

    struct Walker {
        head: usize,
        dropped: AtomicU64,
        truncated: bool,
    }

    impl Walker {
        fn new() -> Walker {
            Walker {
                head: 0,
                dropped: AtomicU64::new(0),
                truncated: false,
            }
        }

        fn take(&mut self, ring: &mut FakeRing, room: usize, max: usize) -> (Taken, Vec<Vec<u8>>) {
            let mut stats = RecvStats {
                dropped: &self.dropped,
                truncated: false,
            };
            let (mut pool, mut out) = (Vec::new(), Vec::new());
            let taken = take_slots(
                ring,
                &mut self.head,
                room,
                &mut pool,
                &mut out,
                max,
                &mut stats,
            );
            self.truncated |= stats.truncated;
            assert_eq!(taken.delivered, out.len());
            (taken, out)
        }
    }

    #[test]
    fn layout_matches_the_kernel_headers() {
        use std::mem::offset_of;
        assert_eq!(size_of::<libc::tpacket2_hdr>(), SLOT_HEADER_LEN);
        assert_eq!(offset_of!(libc::tpacket2_hdr, tp_status), SLOT_STATUS);
        assert_eq!(offset_of!(libc::tpacket2_hdr, tp_len), SLOT_LEN);
        assert_eq!(offset_of!(libc::tpacket2_hdr, tp_snaplen), SLOT_SNAPLEN);
        assert_eq!(offset_of!(libc::tpacket2_hdr, tp_mac), SLOT_MAC);
        assert_eq!(offset_of!(libc::tpacket2_hdr, tp_vlan_tci), SLOT_VLAN_TCI);
        assert_eq!(offset_of!(libc::tpacket2_hdr, tp_vlan_tpid), SLOT_VLAN_TPID);
        assert_eq!(libc::TPACKET2_HDRLEN, SLOT_MIN_LEN);
        assert_eq!(
            SLOT_PKTTYPE - SLOT_HEADER_LEN,
            offset_of!(libc::sockaddr_ll, sll_pkttype)
        );
        assert_eq!(libc::TP_STATUS_COPY, TP_STATUS_COPY);
        // The kernel's placement for a 14-byte MAC header.
        assert_eq!((SLOT_MIN_LEN + 16).next_multiple_of(16) - 14, MAC);
        for maclen in 0..200 {
            let mac = (SLOT_MIN_LEN + maclen.max(16)).next_multiple_of(16) - maclen;
            assert!((SLOT_MIN_LEN..=MAX_MAC_OFFSET).contains(&mac), "{maclen}");
        }
    }

    #[test]
    fn geometry_holds_the_biggest_frame() {
        for room in [0, 60, 1518, 1522, 1968, 1969, 9018, 16000, 65535 + 18] {
            let g = Geometry::for_room(room);
            assert!(g.max_room() >= room, "{room}: {g:?}");
            // The kernel's rules for a ring request.
            assert!(g.slot_size.is_multiple_of(16) && g.slot_size >= SLOT_MIN_LEN);
            assert!(g.block_size.is_power_of_two() && g.block_size.is_multiple_of(65536));
            assert!(g.slots_per_block() >= 1 && g.block_count >= MIN_BLOCKS);
            // Slots lie inside the ring, in order, none across a block.
            let mut end = 0;
            for i in 0..g.slot_count() {
                let at = g.slot_offset(i);
                assert!(at >= end && at + g.slot_size <= g.ring_len());
                assert_eq!(at / g.block_size, (at + g.slot_size - 1) / g.block_size);
                end = at + g.slot_size;
            }
        }
        let usual = Geometry::for_room(1518);
        assert_eq!((usual.slot_size, usual.slot_count()), (2048, 2048));
        assert_eq!(Geometry::for_room(1968).slot_size, 2048);
        assert_eq!(Geometry::for_room(1969).slot_size, 2064);
        assert_eq!(Geometry::for_room(9018).slot_size, 9104);
        assert_eq!(Geometry::for_room(9018).slots_per_block(), 7);
    }

    #[test]
    fn frames_come_out_whole() {
        for len in [14, 60, 64, 1514, 1518, 2048 - MAC] {
            let bytes = eth(0x0800, len, len as u8);
            let slot = slot_of(&spec(bytes.clone()), 2048);
            assert_eq!(read(&slot, 2048), Ok((Verdict::Deliver, bytes)));
        }
    }

    #[test]
    fn stripped_tags_come_back_as_with_auxdata() {
        let untagged = eth(0x0800, 64, 1);
        let mut tagged = spec(untagged.clone());
        tagged.status = TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID;
        tagged.tci = 0x3005;
        tagged.tpid = 0x88a8;
        let (_, got) = read(&slot_of(&tagged, 2048), 1518).unwrap();
        let mut want = untagged.clone();
        reinsert_vlan(
            &mut want,
            &AuxData {
                status: tagged.status,
                vlan_tci: tagged.tci,
                vlan_tpid: tagged.tpid,
                ..AuxData::default()
            },
        );
        assert_eq!(got, want);
        assert_eq!(got[12..16], [0x88, 0xa8, 0x20, 0x05]);

        // VLAN 0 still counts when the kernel says the tag is valid.
        let mut zero = spec(untagged.clone());
        zero.status = TP_STATUS_VLAN_VALID;
        let (_, got) = read(&slot_of(&zero, 2048), 1518).unwrap();
        assert_eq!(got[12..16], [0x81, 0x00, 0, 0]);

        let (_, got) = read(&slot_of(&spec(untagged.clone()), 2048), 1518).unwrap();
        assert_eq!(got, untagged);
    }

    #[test]
    fn outgoing_big_clipped_and_runt_frames_are_not_delivered() {
        let mut outgoing = spec(eth(0x0800, 64, 1));
        outgoing.pkttype = PACKET_OUTGOING;
        let mut clipped = spec(eth(0x0800, 100, 2));
        clipped.wire_len = Some(3000);
        let big = spec(eth(0x0800, 1600, 3));
        let runt = spec(vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
        for (s, want) in [
            (outgoing, Verdict::Outgoing),
            (clipped, Verdict::TooBig),
            (big, Verdict::TooBig),
            (runt, Verdict::Runt),
        ] {
            assert_eq!(read(&slot_of(&s, 2048), 1518).map(|r| r.0), Ok(want));
        }
    }

    #[test]
    fn copied_slots_are_not_read() {
        let mut s = spec(eth(0x0800, 64, 1));
        s.status = TP_STATUS_COPY;
        let mut slot = slot_of(&s, 2048);
        assert_eq!(parse_slot(&slot), Slot::Copied);
        // Whatever the rest of the header says.
        slot[4..SLOT_MIN_LEN].fill(0xff);
        assert_eq!(parse_slot(&slot), Slot::Copied);
    }

    #[test]
    fn lying_headers_are_refused() {
        let good = slot_of(&spec(eth(0x0800, 64, 1)), 2048);
        let lie = |at: usize, value: &[u8]| {
            let mut b = good.clone();
            b[at..at + value.len()].copy_from_slice(value);
            parse_slot(&b) == Slot::Corrupt
        };
        // A frame starting past the end, or inside the header.
        assert!(lie(SLOT_MAC, &2048u16.to_ne_bytes()));
        assert!(lie(SLOT_MAC, &u16::MAX.to_ne_bytes()));
        assert!(lie(SLOT_MAC, &0u16.to_ne_bytes()));
        assert!(lie(SLOT_MAC, &((SLOT_MIN_LEN - 1) as u16).to_ne_bytes()));
        // A snaplen running past the end.
        assert!(lie(SLOT_SNAPLEN, &((2048 - MAC + 1) as u32).to_ne_bytes()));
        assert!(lie(SLOT_SNAPLEN, &u32::MAX.to_ne_bytes()));
        // A slot too short for its header.
        assert_eq!(parse_slot(&good[..SLOT_MIN_LEN - 1]), Slot::Corrupt);
        assert_eq!(parse_slot(&[]), Slot::Corrupt);
        // The largest honest snaplen is fine.
        assert!(!lie(SLOT_SNAPLEN, &((2048 - MAC) as u32).to_ne_bytes()));
    }

    #[test]
    fn the_walk_goes_round_in_order_and_releases_what_it_took() {
        let mut ring = FakeRing::new(8, 2048);
        let mut w = Walker::new();
        let frames: Vec<_> = (0..20u8)
            .map(|i| spec(eth(0x0800, 60 + usize::from(i), i)))
            .collect();
        let mut got = Vec::new();
        let mut filled = 0;
        // The kernel fills what is free, we take a few at a time.
        for max in [3, 1, 32, 2, 5, 32, 32, 32] {
            let room = 8 - (filled - got.len());
            let n = room.min(frames.len() - filled);
            ring.fill(filled, &frames[filled..filled + n]);
            filled += n;
            let (taken, out) = w.take(&mut ring, 1518, max);
            assert_eq!(taken.copied, 0);
            assert!(out.len() <= max);
            got.extend(out);
        }
        let want: Vec<_> = frames.iter().map(|f| f.bytes.clone()).collect();
        assert_eq!(got, want);
        let order: Vec<_> = (0..20).map(|i| i % 8).collect();
        assert_eq!(ring.released, order);
        assert_eq!(w.head, 20 % 8);
        assert!(ring.slots.iter().all(|s| s[..4] == [0; 4]));
    }

    #[test]
    fn the_walk_stops_after_a_run_of_copies() {
        let mut ring = FakeRing::new(8, 2048);
        let mut w = Walker::new();
        let frames: Vec<_> = (0..7u8).map(|i| spec(eth(0x0800, 64, i))).collect();
        ring.fill(0, &frames);
        for i in [1, 2, 4, 6] {
            ring.copied(i);
        }
        // Frame 0, then the copies of 1 and 2, to read from the queue
        // before frame 3.
        let (taken, out) = w.take(&mut ring, 1518, 32);
        assert_eq!((taken.delivered, taken.copied, taken.idle), (1, 2, false));
        assert_eq!(out, vec![frames[0].bytes.clone()]);
        assert_eq!(ring.released, [0, 1, 2]);
        let (taken, out) = w.take(&mut ring, 1518, 32);
        assert_eq!((taken.delivered, taken.copied), (1, 1));
        assert_eq!(out, vec![frames[3].bytes.clone()]);
        // A budget of one: the copy of 6 counts.
        let (taken, _) = w.take(&mut ring, 1518, 1);
        assert_eq!((taken.delivered, taken.copied, taken.idle), (1, 0, false));
        let (taken, _) = w.take(&mut ring, 1518, 1);
        assert_eq!((taken.delivered, taken.copied), (0, 1));
        let (taken, _) = w.take(&mut ring, 1518, 32);
        assert_eq!((taken.delivered, taken.copied, taken.idle), (0, 0, true));
        assert_eq!(ring.released, [0, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn refused_frames_are_released_and_counted() {
        let mut ring = FakeRing::new(4, 2048);
        let mut w = Walker::new();
        let mut outgoing = spec(eth(0x0800, 64, 1));
        outgoing.pkttype = PACKET_OUTGOING;
        let big = spec(eth(0x0800, 1600, 2));
        let fine = spec(eth(0x0800, 64, 3));
        ring.fill(0, &[outgoing, big, fine.clone(), fine.clone()]);
        // A lying header in the last slot.
        ring.slots[3][SLOT_MAC..SLOT_MAC + 2].copy_from_slice(&u16::MAX.to_ne_bytes());
        let (taken, out) = w.take(&mut ring, 1518, 32);
        assert_eq!(out, vec![fine.bytes]);
        assert_eq!(taken.delivered, 1);
        assert_eq!(ring.released, [0, 1, 2, 3]);
        // The outgoing frame is not a drop; the big and lying ones are.
        assert_eq!(w.dropped.load(Ordering::Relaxed), 2);
        assert!(w.truncated);
    }

    fn any_spec() -> impl Strategy<Value = Spec> {
        (
            proptest::collection::vec(any::<u8>(), 0..300),
            proptest::option::of(0usize..400),
            any::<u32>().prop_map(|s| s & !(TP_STATUS_COPY | TP_STATUS_USER)),
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
        /// Whatever a slot says, reading it never panics and a frame handed
        /// out lies inside the slot, after its header.
        #[test]
        fn reading_garbage_is_safe(
            mut slot in proptest::collection::vec(any::<u8>(), 0..1024),
            mac in prop_oneof![Just(66u16), any::<u16>()],
            snaplen in prop_oneof![0u32..1024, any::<u32>()],
        ) {
            if slot.len() >= SLOT_MIN_LEN {
                slot[SLOT_MAC..SLOT_MAC + 2].copy_from_slice(&mac.to_ne_bytes());
                put32(&mut slot, SLOT_SNAPLEN, snaplen);
            }
            let range = slot.as_ptr_range();
            if let Slot::Frame(frame) = parse_slot(&slot) {
                let r = frame.data.as_ptr_range();
                prop_assert!(range.start as usize + SLOT_MIN_LEN <= r.start as usize);
                prop_assert!(r.end <= range.end);
                let mut buf = Vec::new();
                if frame_to_packet(&frame, 1518, &mut buf) == Verdict::Deliver {
                    prop_assert!(buf.len() >= ETH_HEADER_LEN && buf.len() <= 1518 + 4);
                }
            }
        }

        /// Garbage in a whole ring: the walk takes each ready slot once, in
        /// order, releases every one it took and hands out at most `max`.
        #[test]
        fn walking_garbage_is_safe(
            slots in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 1..10),
            max in 0usize..16,
        ) {
            let mut ring = FakeRing { slots, released: Vec::new() };
            let mut w = Walker::new();
            let (taken, out) = w.take(&mut ring, 1518, max);
            prop_assert!(out.len() <= max && taken.delivered + taken.copied <= max);
            let n = ring.released.len();
            prop_assert!(n <= max && n <= ring.slots.len());
            prop_assert_eq!(&ring.released, &(0..n).collect::<Vec<_>>());
            prop_assert_eq!(w.head, n % ring.slots.len());
        }

        /// Well-formed slots: every frame comes out, delivered exactly when
        /// the rules say, tag restored as `reinsert_vlan` would.
        #[test]
        fn well_formed_slots_round_trip(frames in proptest::collection::vec(any_spec(), 0..12)) {
            let mut ring = FakeRing::new(16, 512);
            ring.fill(0, &frames);
            let mut w = Walker::new();
            let (taken, out) = w.take(&mut ring, 300, 32);
            prop_assert_eq!(taken.copied, 0);
            prop_assert_eq!(ring.released.len(), frames.len());
            let mut delivered = out.into_iter();
            let mut dropped = 0;
            for f in &frames {
                let wire = f.wire_len.unwrap_or(f.bytes.len());
                let outgoing = f.pkttype == PACKET_OUTGOING;
                if outgoing || wire > f.bytes.len() || !(ETH_HEADER_LEN..=300).contains(&wire) {
                    dropped += u64::from(!outgoing);
                    continue;
                }
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
            prop_assert_eq!(delivered.next(), None);
            prop_assert_eq!(w.dropped.load(Ordering::Relaxed), dropped);
        }
    }
}
