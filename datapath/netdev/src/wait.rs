//! Idle waits for threads that poll devices: sleep until one of the
//! devices' receive descriptors is readable, a [`Waker`] is woken, or a
//! timeout passes (OVS's `poll_block` for the datapath's threads).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Wakes a thread sleeping in [`wait_readable`] from another thread (an
/// eventfd).
#[derive(Debug)]
pub struct Waker {
    fd: OwnedFd,
}

impl Waker {
    pub fn new() -> io::Result<Waker> {
        // SAFETY: eventfd takes no pointers; a negative result is an error.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just returned by eventfd and is owned by no one else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Waker { fd })
    }

    /// Makes the waker's descriptor readable until [`Waker::reset`].
    pub fn wake(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64 to a descriptor we own; a
        // full counter (EAGAIN) already means "awake".
        unsafe {
            libc::write(
                self.fd.as_raw_fd(),
                (&one as *const u64).cast(),
                std::mem::size_of::<u64>(),
            );
        }
    }

    /// Consumes pending wakes.
    pub fn reset(&self) {
        let mut v: u64 = 0;
        // SAFETY: reads at most 8 bytes into a live u64 from a descriptor we
        // own; nonblocking, so it returns EAGAIN when nothing is pending.
        unsafe {
            libc::read(
                self.fd.as_raw_fd(),
                (&mut v as *mut u64).cast(),
                std::mem::size_of::<u64>(),
            );
        }
    }

    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// Sleeps until one of `fds` is readable or `timeout_ms` passes (negative:
/// no timeout). Interrupted sleeps return early without error.
pub fn wait_readable(fds: &[RawFd], timeout_ms: i32) -> io::Result<()> {
    let mut pfds: Vec<libc::pollfd> = fds
        .iter()
        .map(|&fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    // SAFETY: `pfds` is a live, correctly sized array of pollfd for the
    // duration of the call.
    let r = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, timeout_ms) };
    if r < 0 {
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_woken_waker_ends_the_wait_and_reset_rearms_it() {
        let w = Waker::new().unwrap();
        w.wake();
        let t = std::time::Instant::now();
        wait_readable(&[w.fd()], 5000).unwrap();
        assert!(t.elapsed().as_secs() < 5);
        w.reset();
        let t = std::time::Instant::now();
        wait_readable(&[w.fd()], 20).unwrap();
        assert!(t.elapsed().as_millis() >= 15);
    }
}
