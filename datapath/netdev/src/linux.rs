//! Link control shared by every backend over a Linux device (AF_PACKET
//! and tap): flags, address and MTU through an ioctl socket.

use std::io;
use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::sys;

pub(crate) fn is_up(control: BorrowedFd<'_>, name: &str) -> bool {
    sys::get_flags(control, name).is_ok_and(|f| f & libc::IFF_UP as u32 != 0)
}

pub(crate) fn set_up(control: BorrowedFd<'_>, name: &str, up: bool) -> io::Result<()> {
    let flags = sys::get_flags(control, name)?;
    let flags = if up {
        flags | libc::IFF_UP as u32
    } else {
        flags & !(libc::IFF_UP as u32)
    };
    sys::set_flags(control, name, flags)
}

/// OVS's `netdev_get_carrier`: down devices have none, otherwise the
/// kernel's `IFF_RUNNING`.
pub(crate) fn carrier(control: BorrowedFd<'_>, name: &str) -> bool {
    let wanted = (libc::IFF_UP | libc::IFF_RUNNING) as u32;
    sys::get_flags(control, name).is_ok_and(|f| f & wanted == wanted)
}

/// Sets the MTU and remembers it in `cached`.
pub(crate) fn set_mtu(
    control: BorrowedFd<'_>,
    name: &str,
    mtu: u32,
    cached: &AtomicU32,
) -> io::Result<()> {
    sys::set_mtu(control, name, mtu)?;
    cached.store(mtu, Ordering::Relaxed);
    Ok(())
}
