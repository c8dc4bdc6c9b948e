//! The Linux system calls the backends make, each wrapped in a small safe
//! function. Every `unsafe` block of the crate lives here: callers deal in
//! `OwnedFd`, byte slices and `Vec<u8>` only.
//!
//! Structures the kernel fills (`ifreq`, control messages, netlink replies)
//! are handed back as bytes and decoded by safe code elsewhere, so that the
//! decoders can be tested without a kernel.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use libc::c_int;

/// `ETH_P_ALL`: every protocol, for binding a packet socket.
pub(crate) const ETH_P_ALL: u16 = 0x0003;
/// `SOL_PACKET` socket option level.
pub(crate) const SOL_PACKET: c_int = 263;
/// `PACKET_AUXDATA`: deliver a `tpacket_auxdata` control message per frame.
pub(crate) const PACKET_AUXDATA: c_int = 8;
/// `PACKET_IGNORE_OUTGOING` (Linux 4.20): do not see frames the host sends.
pub(crate) const PACKET_IGNORE_OUTGOING: c_int = 23;
/// Interface names are at most 15 bytes plus the terminating NUL.
pub(crate) const IFNAMSIZ: usize = 16;
/// At most this many frames go to one `recvmmsg`/`sendmmsg`, as OVS's
/// `NETDEV_MAX_BURST`.
pub(crate) const MAX_BATCH: usize = 32;
/// Room for one `tpacket_auxdata` control message (`CMSG_SPACE(20)` is 40 on
/// 64-bit Linux) with slack.
pub(crate) const CONTROL_LEN: usize = 64;

const ARPHRD_ETHER: u16 = 1;
const IFF_TAP: i16 = 0x0002;
const IFF_NO_PI: i16 = 0x1000;

fn cvt(ret: c_int) -> io::Result<c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

fn cvt_size(ret: isize) -> io::Result<usize> {
    usize::try_from(ret).map_err(|_| io::Error::last_os_error())
}

fn owned(fd: c_int) -> io::Result<OwnedFd> {
    let fd = cvt(fd)?;
    // SAFETY: `fd` was just returned by a successful socket/open/eventfd
    // call, so it is a valid descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// An `AF_PACKET`/`SOCK_RAW` socket, nonblocking. Its protocol is 0, so it
/// receives nothing until [`bind_packet`] names a device and `ETH_P_ALL`:
/// that way no frame of another device slips in before the bind.
pub(crate) fn packet_socket() -> io::Result<OwnedFd> {
    // SAFETY: socket(2) with constant arguments; no memory is passed.
    owned(unsafe {
        libc::socket(
            libc::AF_PACKET,
            libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    })
}

/// A UDP socket used only as a handle for interface ioctls (OVS's
/// `af_inet_ioctl`); it lives in the network namespace of the caller.
pub(crate) fn control_socket() -> io::Result<OwnedFd> {
    // SAFETY: socket(2) with constant arguments; no memory is passed.
    owned(unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) })
}

/// A `NETLINK_ROUTE` socket for one request/reply exchange.
pub(crate) fn netlink_route_socket() -> io::Result<OwnedFd> {
    // SAFETY: socket(2) with constant arguments; no memory is passed.
    owned(unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            libc::NETLINK_ROUTE,
        )
    })
}

/// An eventfd, nonblocking, counter at 0.
pub(crate) fn eventfd() -> io::Result<OwnedFd> {
    // SAFETY: eventfd(2) with constant arguments; no memory is passed.
    owned(unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) })
}

/// Makes an eventfd readable.
pub(crate) fn eventfd_signal(fd: BorrowedFd<'_>) {
    let one = 1u64.to_ne_bytes();
    // An error here can only be EAGAIN when the counter is about to
    // overflow, in which case the descriptor is readable already.
    let _ = write_bytes(fd, &one);
}

/// Makes an eventfd unreadable again.
pub(crate) fn eventfd_clear(fd: BorrowedFd<'_>) {
    let mut value = [0u8; 8];
    // EAGAIN means the counter was 0 already, which is the goal.
    let _ = read_bytes(fd, &mut value);
}

pub(crate) fn set_int_option(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    value: c_int,
) -> io::Result<()> {
    // SAFETY: the option value points to a live c_int whose size is passed.
    cvt(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&raw const value).cast(),
            size_of::<c_int>() as libc::socklen_t,
        )
    })
    .map(drop)
}

/// Attaches a classic BPF program (`SO_ATTACH_FILTER`).
pub(crate) fn attach_filter(fd: BorrowedFd<'_>, program: &[libc::sock_filter]) -> io::Result<()> {
    let len =
        u16::try_from(program.len()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    let fprog = libc::sock_fprog {
        len,
        filter: program.as_ptr().cast_mut(),
    };
    // SAFETY: `fprog` points to `program`, which outlives the call; the
    // kernel copies the instructions and never writes through the pointer.
    cvt(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_ATTACH_FILTER,
            (&raw const fprog).cast(),
            size_of::<libc::sock_fprog>() as libc::socklen_t,
        )
    })
    .map(drop)
}

/// Binds a packet socket to one device, all protocols.
pub(crate) fn bind_packet(fd: BorrowedFd<'_>, ifindex: u32) -> io::Result<()> {
    let ifindex =
        c_int::try_from(ifindex).map_err(|_| io::Error::from_raw_os_error(libc::ENODEV))?;
    // SAFETY: sockaddr_ll is plain data for which all-zero bytes are valid.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_protocol = ETH_P_ALL.to_be();
    sll.sll_ifindex = ifindex;
    // SAFETY: the address points to a live sockaddr_ll whose size is passed.
    cvt(unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&raw const sll).cast(),
            size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    })
    .map(drop)
}

/// `struct ifreq`: a NUL-terminated name and a 24-byte union, kept as bytes
/// so that reading the union needs no `unsafe`.
#[repr(C, align(8))]
pub(crate) struct IfReq {
    name: [u8; IFNAMSIZ],
    data: [u8; 24],
}

impl IfReq {
    /// Fails with ENODEV for a name the kernel could never have (empty, too
    /// long, or with a NUL or '/' in it), as the lookup would.
    pub(crate) fn new(name: &str) -> io::Result<IfReq> {
        let bytes = name.as_bytes();
        if !valid_ifname(name) {
            return Err(io::Error::from_raw_os_error(libc::ENODEV));
        }
        let mut req = IfReq {
            name: [0; IFNAMSIZ],
            data: [0; 24],
        };
        req.name[..bytes.len()].copy_from_slice(bytes);
        Ok(req)
    }

    fn i16_value(&self) -> i16 {
        i16::from_ne_bytes([self.data[0], self.data[1]])
    }

    fn i32_value(&self) -> i32 {
        i32::from_ne_bytes([self.data[0], self.data[1], self.data[2], self.data[3]])
    }
}

/// Whether the kernel could accept `name` as an interface name.
pub(crate) fn valid_ifname(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() < IFNAMSIZ
        && !bytes
            .iter()
            .any(|&b| b == 0 || b == b'/' || b.is_ascii_whitespace())
        && name != "."
        && name != ".."
}

fn ifreq_ioctl(fd: BorrowedFd<'_>, request: libc::Ioctl, req: &mut IfReq) -> io::Result<()> {
    // SAFETY: every SIOC[GS]IF* request used here reads and writes at most
    // one `struct ifreq`, and `req` is a live, writable, correctly sized and
    // aligned one.
    cvt(unsafe { libc::ioctl(fd.as_raw_fd(), request, std::ptr::from_mut(req)) }).map(drop)
}

/// The device's `IFF_*` flags.
pub(crate) fn get_flags(fd: BorrowedFd<'_>, name: &str) -> io::Result<u32> {
    let mut req = IfReq::new(name)?;
    ifreq_ioctl(fd, libc::SIOCGIFFLAGS, &mut req)?;
    Ok(u32::from(req.i16_value() as u16))
}

pub(crate) fn set_flags(fd: BorrowedFd<'_>, name: &str, flags: u32) -> io::Result<()> {
    let mut req = IfReq::new(name)?;
    // The kernel's ifr_flags is a short; the high flags are not settable
    // this way, exactly as with ifconfig.
    req.data[..2].copy_from_slice(&(flags as u16).to_ne_bytes());
    ifreq_ioctl(fd, libc::SIOCSIFFLAGS, &mut req)
}

pub(crate) fn get_ifindex(fd: BorrowedFd<'_>, name: &str) -> io::Result<u32> {
    let mut req = IfReq::new(name)?;
    ifreq_ioctl(fd, libc::SIOCGIFINDEX, &mut req)?;
    u32::try_from(req.i32_value()).map_err(|_| io::Error::from_raw_os_error(libc::ENODEV))
}

pub(crate) fn get_mtu(fd: BorrowedFd<'_>, name: &str) -> io::Result<u32> {
    let mut req = IfReq::new(name)?;
    ifreq_ioctl(fd, libc::SIOCGIFMTU, &mut req)?;
    u32::try_from(req.i32_value()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

pub(crate) fn set_mtu(fd: BorrowedFd<'_>, name: &str, mtu: u32) -> io::Result<()> {
    let mtu = i32::try_from(mtu).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    let mut req = IfReq::new(name)?;
    req.data[..4].copy_from_slice(&mtu.to_ne_bytes());
    ifreq_ioctl(fd, libc::SIOCSIFMTU, &mut req)
}

/// The hardware address; for an Ethernet device, its MAC. The union holds
/// a `struct sockaddr`: a 2-byte family, then the address bytes.
pub(crate) fn get_hwaddr(fd: BorrowedFd<'_>, name: &str) -> io::Result<[u8; 6]> {
    let mut req = IfReq::new(name)?;
    ifreq_ioctl(fd, libc::SIOCGIFHWADDR, &mut req)?;
    let mut mac = [0u8; 6];
    mac.copy_from_slice(&req.data[2..8]);
    Ok(mac)
}

pub(crate) fn set_hwaddr(fd: BorrowedFd<'_>, name: &str, mac: [u8; 6]) -> io::Result<()> {
    let mut req = IfReq::new(name)?;
    req.data[..2].copy_from_slice(&ARPHRD_ETHER.to_ne_bytes());
    req.data[2..8].copy_from_slice(&mac);
    ifreq_ioctl(fd, libc::SIOCSIFHWADDR, &mut req)
}

/// Opens `/dev/net/tun` and attaches it to the tap device `name`, creating
/// the device if it does not exist (OVS's `netdev_linux_construct_tap`).
pub(crate) fn open_tap(name: &str) -> io::Result<OwnedFd> {
    let mut req = IfReq::new(name).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: the path is a NUL-terminated literal; open(2) reads it only.
    let fd = owned(unsafe {
        libc::open(
            c"/dev/net/tun".as_ptr(),
            libc::O_RDWR | libc::O_NONBLOCK | libc::O_CLOEXEC,
        )
    })?;
    req.data[..2].copy_from_slice(&(IFF_TAP | IFF_NO_PI).to_ne_bytes());
    ifreq_ioctl(fd.as_fd(), libc::TUNSETIFF, &mut req)?;
    Ok(fd)
}

/// `TUNSETPERSIST`: whether the tap device outlives its last descriptor.
pub(crate) fn set_tap_persist(fd: BorrowedFd<'_>, persist: bool) -> io::Result<()> {
    let value = libc::c_ulong::from(persist);
    // SAFETY: TUNSETPERSIST takes its argument by value; no memory is
    // passed to the kernel.
    cvt(unsafe { libc::ioctl(fd.as_raw_fd(), libc::TUNSETPERSIST, value) }).map(drop)
}

pub(crate) fn read_bytes(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `buf` is live and writable for `buf.len()` bytes.
        let ret = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        match cvt_size(ret) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

pub(crate) fn write_bytes(fd: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `buf` is live and readable for `buf.len()` bytes.
        let ret = unsafe { libc::write(fd.as_raw_fd(), buf.as_ptr().cast(), buf.len()) };
        match cvt_size(ret) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Reads one frame into the spare capacity of `buf` (cleared first), at
/// most `room` bytes, so the buffer is never zero-filled in advance.
/// Returns what read(2) returned, which for a tap device is the frame's
/// whole length even when it did not fit (then `buf` holds `room` bytes).
pub(crate) fn read_frame(fd: BorrowedFd<'_>, buf: &mut Vec<u8>, room: usize) -> io::Result<usize> {
    buf.clear();
    buf.reserve(room);
    let room = room.min(buf.capacity());
    let n = loop {
        // SAFETY: `buf` has capacity for at least `room` bytes starting at
        // its data pointer (its length is 0), and read(2) writes at most
        // `room` bytes there.
        let ret = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), room) };
        match cvt_size(ret) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => break other?,
        }
    };
    let stored = n.min(room);
    // SAFETY: the kernel initialized the first `stored` bytes (stored <=
    // room <= capacity).
    unsafe { buf.set_len(stored) };
    Ok(n)
}

/// What `recvmmsg` reported for one frame.
#[derive(Clone, Copy)]
pub(crate) struct RecvSlot {
    /// The frame's real length, which exceeds the buffer when truncated.
    pub(crate) len: usize,
    pub(crate) truncated: bool,
    pub(crate) control: ControlBuf,
    pub(crate) control_len: usize,
}

#[derive(Clone, Copy)]
#[repr(C, align(8))]
pub(crate) struct ControlBuf(pub(crate) [u8; CONTROL_LEN]);

impl RecvSlot {
    pub(crate) const EMPTY: RecvSlot = RecvSlot {
        len: 0,
        truncated: false,
        control: ControlBuf([0; CONTROL_LEN]),
        control_len: 0,
    };

    pub(crate) fn control(&self) -> &[u8] {
        &self.control.0[..self.control_len.min(CONTROL_LEN)]
    }
}

/// One `recvmmsg` over up to [`MAX_BATCH`] buffers: each is cleared and
/// filled with at most `room` bytes of its frame (its length is set to what
/// was stored); `slots[i]` describes frame `i`. Returns how many frames
/// arrived; `WouldBlock` when none wait.
pub(crate) fn recv_frames(
    fd: BorrowedFd<'_>,
    bufs: &mut [Vec<u8>],
    room: usize,
    slots: &mut [RecvSlot],
) -> io::Result<usize> {
    let n = bufs.len().min(slots.len()).min(MAX_BATCH);
    if n == 0 {
        return Ok(0);
    }
    // SAFETY: iovec and mmsghdr are plain data (integers and raw pointers)
    // for which all-zero bytes are valid.
    let mut iovs: [libc::iovec; MAX_BATCH] = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    let mut hdrs: [libc::mmsghdr; MAX_BATCH] = unsafe { std::mem::zeroed() };
    for i in 0..n {
        let buf = &mut bufs[i];
        buf.clear();
        buf.reserve(room);
        iovs[i].iov_base = buf.as_mut_ptr().cast();
        iovs[i].iov_len = room.min(buf.capacity());
        slots[i] = RecvSlot::EMPTY;
    }
    for i in 0..n {
        let hdr = &mut hdrs[i].msg_hdr;
        hdr.msg_iov = &raw mut iovs[i];
        hdr.msg_iovlen = 1;
        hdr.msg_control = slots[i].control.0.as_mut_ptr().cast();
        hdr.msg_controllen = CONTROL_LEN as _;
    }
    let count = loop {
        // SAFETY: `hdrs[..n]` point to `iovs[..n]`, which point into the
        // spare capacity of `bufs[..n]` (at least `iov_len` bytes each), and
        // to the control buffers of `slots[..n]` (CONTROL_LEN bytes each);
        // all stay alive and unaliased for the duration of the call.
        let ret = unsafe {
            libc::recvmmsg(
                fd.as_raw_fd(),
                hdrs.as_mut_ptr(),
                n as libc::c_uint,
                libc::MSG_TRUNC,
                std::ptr::null_mut(),
            )
        };
        match cvt(ret) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => break other? as usize,
        }
    };
    let count = count.min(n);
    for i in 0..count {
        let len = hdrs[i].msg_len as usize;
        let stored = len.min(iovs[i].iov_len);
        // SAFETY: the kernel wrote `stored` bytes (never more than the
        // iovec's length, which is within the capacity) into `bufs[i]`.
        unsafe { bufs[i].set_len(stored) };
        slots[i].len = len;
        slots[i].truncated = hdrs[i].msg_hdr.msg_flags & libc::MSG_TRUNC != 0;
        slots[i].control_len = hdrs[i].msg_hdr.msg_controllen as usize;
    }
    Ok(count)
}

/// One `sendmmsg` of up to [`MAX_BATCH`] frames on a bound packet socket.
/// Returns how many the kernel took; an error only when it took none.
pub(crate) fn send_frames(fd: BorrowedFd<'_>, frames: &[Vec<u8>]) -> io::Result<usize> {
    let n = frames.len().min(MAX_BATCH);
    if n == 0 {
        return Ok(0);
    }
    // SAFETY: iovec and mmsghdr are plain data for which zeroes are valid.
    let mut iovs: [libc::iovec; MAX_BATCH] = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    let mut hdrs: [libc::mmsghdr; MAX_BATCH] = unsafe { std::mem::zeroed() };
    for i in 0..n {
        iovs[i].iov_base = frames[i].as_ptr().cast_mut().cast();
        iovs[i].iov_len = frames[i].len();
    }
    for i in 0..n {
        hdrs[i].msg_hdr.msg_iov = &raw mut iovs[i];
        hdrs[i].msg_hdr.msg_iovlen = 1;
    }
    loop {
        // SAFETY: `hdrs[..n]` point to `iovs[..n]`, which point to the
        // frames; the kernel only reads the frames, which outlive the call.
        let ret = unsafe {
            libc::sendmmsg(
                fd.as_raw_fd(),
                hdrs.as_mut_ptr(),
                n as libc::c_uint,
                libc::MSG_DONTWAIT,
            )
        };
        match cvt(ret) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other.map(|sent| (sent as usize).min(n)),
        }
    }
}

/// `PACKET_RX_RING`: a receive ring shared with the kernel.
pub(crate) const PACKET_RX_RING: c_int = 5;
/// `PACKET_VERSION`: the layout of the rings' headers.
pub(crate) const PACKET_VERSION: c_int = 10;
/// `TPACKET_V2`: rings of fixed-size slots, one status word each.
pub(crate) const TPACKET_V2: c_int = 1;
/// `PACKET_COPY_THRESH`: a frame too big for its ring slot is also queued
/// whole on the socket (the slot then has `TP_STATUS_COPY`).
pub(crate) const PACKET_COPY_THRESH: c_int = 7;

/// Asks for a `TPACKET_V2` receive ring of `block_count` blocks of
/// `block_size` bytes (a multiple of the page size), holding `slot_count`
/// slots of `slot_size` bytes (a multiple of 16), as many in each block as
/// fit. The socket must be in `TPACKET_V2` mode. All zeroes remove the
/// ring (it must not be mapped then).
pub(crate) fn set_rx_ring_v2(
    fd: BorrowedFd<'_>,
    block_size: u32,
    block_count: u32,
    slot_size: u32,
    slot_count: u32,
) -> io::Result<()> {
    let req = libc::tpacket_req {
        tp_block_size: block_size,
        tp_block_nr: block_count,
        tp_frame_size: slot_size,
        tp_frame_nr: slot_count,
    };
    // SAFETY: the option value points to a live tpacket_req whose size is
    // passed; the kernel only reads it.
    cvt(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            SOL_PACKET,
            PACKET_RX_RING,
            (&raw const req).cast(),
            size_of::<libc::tpacket_req>() as libc::socklen_t,
        )
    })
    .map(drop)
}

/// A packet ring mapped into this process: memory the kernel and we take
/// turns writing, each region handed back and forth through a status word.
///
/// Safe code never sees a region the kernel may be writing: [`RingMap::owned`]
/// returns bytes only after the region's status word says the kernel gave
/// it up, and giving it back ([`RingMap::set_status`]) needs `&mut self`,
/// so no such borrow outlives the hand-over. Every offset is checked
/// against the mapping.
pub(crate) struct RingMap {
    base: std::ptr::NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain memory owned by this value; the raw pointer
// is only dereferenced through the methods below, which borrow `self`.
unsafe impl Send for RingMap {}

impl RingMap {
    /// Maps the ring(s) of the packet socket `fd`: `len` bytes, shared.
    pub(crate) fn map(fd: BorrowedFd<'_>, len: usize) -> io::Result<RingMap> {
        // SAFETY: a fresh shared mapping of the socket's ring; no existing
        // memory is touched, and the result is checked before use.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                fd.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let base = std::ptr::NonNull::new(ptr.cast::<u8>())
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ENOMEM))?;
        Ok(RingMap { base, len })
    }

    fn word(&self, offset: usize) -> Option<&std::sync::atomic::AtomicU32> {
        let end = offset.checked_add(4)?;
        if end > self.len || !offset.is_multiple_of(4) {
            return None;
        }
        // SAFETY: `offset..offset + 4` lies inside the mapping (checked
        // above), which is page-aligned, so the address is 4-aligned; the
        // kernel and we only ever access status words atomically (the
        // kernel's stores are plain aligned 32-bit writes).
        Some(unsafe {
            std::sync::atomic::AtomicU32::from_ptr(self.base.as_ptr().add(offset).cast())
        })
    }

    /// The status word at `offset` (acquire: what the kernel wrote before
    /// it is visible after). None if `offset` is outside or misaligned.
    pub(crate) fn status(&self, offset: usize) -> Option<u32> {
        self.word(offset)
            .map(|w| w.load(std::sync::atomic::Ordering::Acquire))
    }

    /// Hands a region back (release: our writes are visible to the kernel
    /// before the status is). False if `offset` is outside or misaligned.
    pub(crate) fn set_status(&mut self, offset: usize, value: u32) -> bool {
        match self.word(offset) {
            Some(w) => {
                w.store(value, std::sync::atomic::Ordering::Release);
                true
            }
            None => false,
        }
    }

    /// The bytes of `range`, if the status word at `status_at` satisfies
    /// `owned`, i.e. says the kernel has handed the region over and leaves
    /// it alone until [`RingMap::set_status`] gives it back.
    pub(crate) fn owned(
        &self,
        status_at: usize,
        range: std::ops::Range<usize>,
        owned: impl FnOnce(u32) -> bool,
    ) -> Option<&[u8]> {
        if range.start > range.end || range.end > self.len || !owned(self.status(status_at)?) {
            return None;
        }
        // SAFETY: the range lies inside the mapping (checked above), and
        // the kernel does not write it while the status says we own it; a
        // change of status needs `&mut self`, which this borrow prevents.
        Some(unsafe {
            std::slice::from_raw_parts(self.base.as_ptr().add(range.start), range.end - range.start)
        })
    }
}

impl Drop for RingMap {
    fn drop(&mut self) {
        // SAFETY: `base` and `len` describe a mapping made by `map` that
        // nothing borrows any more (`&mut self`).
        unsafe { libc::munmap(self.base.as_ptr().cast(), self.len) };
    }
}

/// Sends one complete datagram (a netlink request).
pub(crate) fn send_datagram(fd: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `buf` is live and readable for `buf.len()` bytes.
        let ret = unsafe { libc::send(fd.as_raw_fd(), buf.as_ptr().cast(), buf.len(), 0) };
        match cvt_size(ret) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Receives one datagram (a netlink reply) into `buf`.
pub(crate) fn recv_datagram(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `buf` is live and writable for `buf.len()` bytes.
        let ret = unsafe { libc::recv(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
        match cvt_size(ret) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other.map(|n| n.min(buf.len())),
        }
    }
}

/// Sets `SO_RCVTIMEO` so that a lost netlink reply cannot hang a caller.
pub(crate) fn set_recv_timeout(fd: BorrowedFd<'_>, millis: u32) -> io::Result<()> {
    let tv = libc::timeval {
        tv_sec: libc::time_t::from(millis / 1000),
        tv_usec: libc::suseconds_t::from((millis % 1000) * 1000),
    };
    // SAFETY: the option value points to a live timeval whose size is passed.
    cvt(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            (&raw const tv).cast(),
            size_of::<libc::timeval>() as libc::socklen_t,
        )
    })
    .map(drop)
}

/// The C library's text for an errno value, as OVS's `ovs_strerror` prints
/// it ("No such device"), without Rust's " (os error N)" suffix.
pub(crate) fn strerror(errno: i32) -> String {
    let text = io::Error::from_raw_os_error(errno).to_string();
    let suffix = format!(" (os error {errno})");
    match text.strip_suffix(&suffix) {
        Some(plain) => plain.to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strerror_reads_as_glibc() {
        assert_eq!(strerror(libc::ENODEV), "No such device");
        assert_eq!(
            strerror(libc::EAFNOSUPPORT),
            "Address family not supported by protocol"
        );
    }

    #[test]
    fn interface_names_follow_the_kernel() {
        assert!(valid_ifname("eth0"));
        assert!(valid_ifname("a23456789012345"));
        assert!(!valid_ifname("a234567890123456"));
        assert!(!valid_ifname(""));
        assert!(!valid_ifname("a/b"));
        assert!(!valid_ifname("a b"));
        assert!(!valid_ifname(".."));
    }

    #[test]
    fn ifreq_has_the_kernel_layout() {
        assert_eq!(size_of::<IfReq>(), size_of::<libc::ifreq>());
    }
}
