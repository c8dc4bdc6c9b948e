//! Queues: queue statistics, and queue configuration
//! (`OFPT_QUEUE_GET_CONFIG_*` before OpenFlow 1.4, `OFPMP_QUEUE_DESC`
//! after, which OVS treats as the same message).

use ovs_ofp_core::{OfpErr, OfpPort, Reader, Version, Writer};

use crate::prop;
use crate::util::{OFPQ_ALL, port_from_of11, short};

/// A queue statistics request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueStatsRequest {
    /// `OFPP_ANY` for all ports (OpenFlow 1.0's `OFPP_ALL` decodes to it).
    pub port_no: OfpPort,
    /// `OFPQ_ALL` for all queues.
    pub queue_id: u32,
}

impl QueueStatsRequest {
    pub(crate) fn decode(
        version: Version,
        r: &mut Reader<'_>,
    ) -> Result<QueueStatsRequest, OfpErr> {
        if version == Version::Of10 {
            let mut port_no = OfpPort(r.u16().map_err(short)?);
            r.skip(2).map_err(short)?;
            let queue_id = r.u32().map_err(short)?;
            if port_no == OfpPort::ALL {
                port_no = OfpPort::NONE;
            }
            Ok(QueueStatsRequest { port_no, queue_id })
        } else {
            let port = r.u32().map_err(short)?;
            let queue_id = r.u32().map_err(short)?;
            Ok(QueueStatsRequest {
                port_no: port_from_of11(port)?,
                queue_id,
            })
        }
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        if version == Version::Of10 {
            w.u16(if self.port_no == OfpPort::NONE {
                OfpPort::ALL.0
            } else {
                self.port_no.0
            });
            w.zeros(2);
        } else {
            w.u32(self.port_no.to_of11());
        }
        w.u32(self.queue_id);
    }
}

/// One queue's statistics (OVS's `ofputil_queue_stats`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueStats {
    pub port_no: OfpPort,
    pub queue_id: u32,
    pub tx_bytes: u64,
    pub tx_packets: u64,
    pub tx_errors: u64,
    /// `u32::MAX` if unknown (before OpenFlow 1.3).
    pub duration_sec: u32,
    pub duration_nsec: u32,
}

impl QueueStats {
    pub(crate) fn decode(version: Version, r: &mut Reader<'_>) -> Result<QueueStats, OfpErr> {
        let bad = OfpErr::OfpbrcBadLen;
        let mut e = match version {
            Version::Of10 | Version::Of11 | Version::Of12 => r.sub(32).map_err(short)?,
            Version::Of13 => r.sub(40).map_err(short)?,
            Version::Of14 | Version::Of15 => {
                let total = r.remaining();
                if total < 48 {
                    return Err(bad);
                }
                let len = usize::from(r.u16().map_err(short)?);
                if len < 48 || len - 48 > total - 48 {
                    return Err(bad);
                }
                r.skip(6).map_err(short)?;
                let e = r.sub(40).map_err(short)?;
                // No properties are defined yet; skip any.
                r.skip(len - 48).map_err(short)?;
                e
            }
        };
        let port_no = if version == Version::Of10 {
            let p = OfpPort(e.u16().map_err(short)?);
            e.skip(2).map_err(short)?;
            p
        } else {
            port_from_of11(e.u32().map_err(short)?)?
        };
        let queue_id = e.u32().map_err(short)?;
        let tx_bytes = e.u64().map_err(short)?;
        let tx_packets = e.u64().map_err(short)?;
        let tx_errors = e.u64().map_err(short)?;
        let (duration_sec, duration_nsec) = if version >= Version::Of13 {
            (e.u32().map_err(short)?, e.u32().map_err(short)?)
        } else {
            (u32::MAX, u32::MAX)
        };
        Ok(QueueStats {
            port_no,
            queue_id,
            tx_bytes,
            tx_packets,
            tx_errors,
            duration_sec,
            duration_nsec,
        })
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        if version >= Version::Of14 {
            w.u16(48);
            w.zeros(6);
        }
        if version == Version::Of10 {
            w.u16(self.port_no.0);
            w.zeros(2);
        } else {
            w.u32(self.port_no.to_of11());
        }
        w.u32(self.queue_id);
        w.u64(self.tx_bytes);
        w.u64(self.tx_packets);
        w.u64(self.tx_errors);
        if version >= Version::Of13 {
            if self.duration_sec != u32::MAX {
                w.u32(self.duration_sec);
                w.u32(self.duration_nsec);
            } else {
                w.u32(u32::MAX);
                w.u32(u32::MAX);
            }
        }
    }
}

/// A queue configuration request (`OFPT_QUEUE_GET_CONFIG_REQUEST`, or
/// `OFPMP_QUEUE_DESC` in OpenFlow 1.4+).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueConfigRequest {
    pub port: OfpPort,
    /// `OFPQ_ALL` before OpenFlow 1.4.
    pub queue: u32,
}

impl QueueConfigRequest {
    /// OVS's `ofputil_decode_queue_get_config_request`.
    pub(crate) fn decode(
        version: Version,
        r: &mut Reader<'_>,
    ) -> Result<QueueConfigRequest, OfpErr> {
        let (port, queue) = match version {
            Version::Of10 => (OfpPort(r.u16().map_err(short)?), OFPQ_ALL),
            Version::Of11 | Version::Of12 | Version::Of13 => {
                let p = port_from_of11(r.u32().map_err(short)?)?;
                if p == OfpPort::NONE {
                    return Ok(QueueConfigRequest {
                        port: p,
                        queue: OFPQ_ALL,
                    });
                }
                (p, OFPQ_ALL)
            }
            Version::Of14 | Version::Of15 => {
                let p = r.u32().map_err(short)?;
                let q = r.u32().map_err(short)?;
                return Ok(QueueConfigRequest {
                    port: port_from_of11(p)?,
                    queue: q,
                });
            }
        };
        let _ = r.skip(r.remaining());
        if port.0 < OfpPort::MAX.0 {
            Ok(QueueConfigRequest { port, queue })
        } else {
            Err(OfpErr::OfpqofcBadPort)
        }
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) {
        match version {
            Version::Of10 => {
                w.u16(self.port.0);
                w.zeros(2);
            }
            Version::Of11 | Version::Of12 | Version::Of13 => {
                w.u32(self.port.to_of11());
                w.zeros(4);
            }
            Version::Of14 | Version::Of15 => {
                w.u32(self.port.to_of11());
                w.u32(self.queue);
            }
        }
    }
}

/// One queue's configuration (OVS's `ofputil_queue_config`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueConfig {
    pub port: OfpPort,
    pub queue: u32,
    /// In tenths of a percent; `u16::MAX` if not configured.
    pub min_rate: u16,
    pub max_rate: u16,
}

const OFPQT_MIN_RATE: u16 = 1;
const OFPQT_MAX_RATE: u16 = 2;

impl QueueConfig {
    /// Decodes one queue of an OpenFlow 1.0-1.3 reply; `port` comes from the
    /// reply's header in OpenFlow 1.0 and 1.1.
    pub(crate) fn decode_of10(
        version: Version,
        port: OfpPort,
        r: &mut Reader<'_>,
    ) -> Result<QueueConfig, OfpErr> {
        let bad = OfpErr::OfpbrcBadLen;
        let opq_len = if version < Version::Of12 { 8 } else { 16 };
        if r.remaining() < opq_len {
            return Err(bad);
        }
        let queue = r.u32().map_err(short)?;
        // OpenFlow 1.2+ repeats the port in each queue; OVS writes the
        // queue's own port there (and reads the header's), so keep it.
        let port = if version >= Version::Of12 {
            port_from_of11(r.u32().map_err(short)?)?
        } else {
            port
        };
        let len = usize::from(r.u16().map_err(short)?);
        r.skip(if version >= Version::Of12 { 6 } else { 2 })
            .map_err(short)?;
        if len < opq_len || len > r.remaining() + opq_len || len % 8 != 0 {
            return Err(bad);
        }
        let mut q = QueueConfig {
            port,
            queue,
            min_rate: u16::MAX,
            max_rate: u16::MAX,
        };
        let mut props = r.sub(len - opq_len).map_err(short)?;
        while !props.is_empty() {
            let head = props.peek(4).map_err(|_| bad)?;
            let property = u16::from_be_bytes([head[0], head[1]]);
            let prop_len = usize::from(u16::from_be_bytes([head[2], head[3]]));
            if prop_len < 8 || prop_len > props.remaining() || prop_len % 8 != 0 {
                return Err(bad);
            }
            let mut p = props.sub(prop_len).map_err(short)?;
            if property == OFPQT_MIN_RATE || property == OFPQT_MAX_RATE {
                if prop_len != 16 {
                    return Err(bad);
                }
                p.skip(8).map_err(short)?;
                let rate = p.u16().map_err(short)?;
                if property == OFPQT_MIN_RATE {
                    q.min_rate = rate;
                } else {
                    q.max_rate = rate;
                }
            }
        }
        Ok(q)
    }

    pub(crate) fn encode_of10(&self, version: Version, w: &mut Writer) {
        let start = w.len();
        let len_at;
        w.u32(self.queue);
        if version < Version::Of12 {
            len_at = w.len();
            w.u16(0);
            w.zeros(2);
        } else {
            w.u32(self.port.to_of11());
            len_at = w.len();
            w.u16(0);
            w.zeros(6);
        }
        for (property, rate) in [
            (OFPQT_MIN_RATE, self.min_rate),
            (OFPQT_MAX_RATE, self.max_rate),
        ] {
            if rate != u16::MAX {
                w.u16(property);
                w.u16(16);
                w.zeros(4);
                w.u16(rate);
                w.zeros(6);
            }
        }
        let len = w.len() - start;
        w.patch_u16(len_at, len as u16);
    }

    /// Decodes one `ofp14_queue_desc`.
    pub(crate) fn decode_of14(r: &mut Reader<'_>) -> Result<QueueConfig, OfpErr> {
        let bad = OfpErr::OfpbrcBadLen;
        if r.remaining() < 16 {
            return Err(bad);
        }
        let port = port_from_of11(r.u32().map_err(short)?)?;
        let queue = r.u32().map_err(short)?;
        let len = usize::from(r.u16().map_err(short)?);
        r.skip(6).map_err(short)?;
        if len < 16 || len > r.remaining() + 16 || len % 8 != 0 {
            return Err(bad);
        }
        let mut q = QueueConfig {
            port,
            queue,
            min_rate: u16::MAX,
            max_rate: u16::MAX,
        };
        let mut props = r.sub(len - 16).map_err(short)?;
        while !props.is_empty() {
            let p = prop::pull(&mut props)?;
            match p.prop_type {
                1 => q.min_rate = p.u16()?,
                2 => q.max_rate = p.u16()?,
                _ => {}
            }
        }
        Ok(q)
    }

    pub(crate) fn encode_of14(&self, w: &mut Writer) {
        let start = w.len();
        w.u32(self.port.to_of11());
        w.u32(self.queue);
        w.u16(0);
        w.zeros(6);
        if self.min_rate != u16::MAX {
            prop::put_u16(w, 1, self.min_rate);
        }
        if self.max_rate != u16::MAX {
            prop::put_u16(w, 2, self.max_rate);
        }
        let len = w.len() - start;
        w.patch_u16(start + 8, len as u16);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn of10_all_ports_is_any() {
        let body = [0xff, 0xfc, 0, 0, 0xff, 0xff, 0xff, 0xff];
        let q = QueueStatsRequest::decode(Version::Of10, &mut Reader::new(&body)).unwrap();
        assert_eq!(q.port_no, OfpPort::NONE);
        let mut w = Writer::new();
        q.encode(Version::Of10, &mut w);
        assert_eq!(w.as_slice(), &body);
    }

    #[test]
    fn config_request_port_checks() {
        assert_eq!(
            QueueConfigRequest::decode(Version::Of10, &mut Reader::new(&[0xff, 0xfe, 0, 0])),
            Err(OfpErr::OfpqofcBadPort)
        );
        let any = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];
        assert!(QueueConfigRequest::decode(Version::Of13, &mut Reader::new(&any)).is_ok());
    }
}
