//! Meters (OpenFlow 1.3+): meter_mod, meter statistics, configuration and
//! features.

use ovs_ofp_core::{OfpErr, Reader, Writer};

use crate::util::short;

/// Meter mod commands (`OFPMC13_*`).
pub mod meter_command {
    pub const ADD: u16 = 0;
    pub const MODIFY: u16 = 1;
    pub const DELETE: u16 = 2;
}

/// Meter flags (`OFPMF13_*`).
pub mod meter_flags {
    pub const KBPS: u16 = 1 << 0;
    pub const PKTPS: u16 = 1 << 1;
    pub const BURST: u16 = 1 << 2;
    pub const STATS: u16 = 1 << 3;
}

/// Band types (`OFPMBT13_*`).
pub mod band_type {
    pub const DROP: u16 = 1;
    pub const DSCP_REMARK: u16 = 2;
}

/// One meter band (OVS's `ofputil_meter_band`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeterBand {
    /// [`band_type`].
    pub band_type: u16,
    pub rate: u32,
    pub burst_size: u32,
    /// DSCP remark bands only.
    pub prec_level: u8,
}

/// Reads `len` bytes of bands (OVS's `ofputil_pull_bands`).
fn decode_bands(r: &mut Reader<'_>, len: usize) -> Result<Vec<MeterBand>, OfpErr> {
    let mut b = r.sub(len).map_err(short)?;
    let mut bands = Vec::new();
    while b.remaining() >= 16 {
        let band_type = b.u16().map_err(short)?;
        let band_len = b.u16().map_err(short)?;
        if band_len != 16 {
            return Err(OfpErr::OfpbrcBadLen);
        }
        if band_type != band_type::DROP && band_type != band_type::DSCP_REMARK {
            return Err(OfpErr::OfpmmfcBadBand);
        }
        let rate = b.u32().map_err(short)?;
        let burst_size = b.u32().map_err(short)?;
        let prec = b.u8().map_err(short)?;
        b.skip(3).map_err(short)?;
        bands.push(MeterBand {
            band_type,
            rate,
            burst_size,
            prec_level: if band_type == band_type::DSCP_REMARK {
                prec
            } else {
                0
            },
        });
    }
    if !b.is_empty() {
        return Err(OfpErr::OfpbrcBadLen);
    }
    Ok(bands)
}

fn encode_bands(bands: &[MeterBand], w: &mut Writer) {
    for b in bands {
        w.u16(b.band_type);
        w.u16(16);
        w.u32(b.rate);
        w.u32(b.burst_size);
        w.u8(b.prec_level);
        w.zeros(3);
    }
}

/// `OFPT_METER_MOD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeterMod {
    /// [`meter_command`].
    pub command: u16,
    pub meter_id: u32,
    /// [`meter_flags`]; 0 for deletes.
    pub flags: u16,
    /// Empty for deletes.
    pub bands: Vec<MeterBand>,
}

impl MeterMod {
    /// OVS's `ofputil_decode_meter_mod`.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<MeterMod, OfpErr> {
        let command = r.u16().map_err(short)?;
        let flags = r.u16().map_err(short)?;
        let meter_id = r.u32().map_err(short)?;
        if command > meter_command::DELETE {
            return Err(OfpErr::OfpmmfcBadCommand);
        }
        if command == meter_command::DELETE {
            // Whatever follows a delete is ignored.
            let _ = r.skip(r.remaining());
            return Ok(MeterMod {
                command,
                meter_id,
                flags: 0,
                bands: Vec::new(),
            });
        }
        if flags & meter_flags::KBPS != 0 && flags & meter_flags::PKTPS != 0 {
            return Err(OfpErr::OfpmmfcBadFlags);
        }
        let len = r.remaining();
        let bands = decode_bands(r, len)?;
        Ok(MeterMod {
            command,
            meter_id,
            flags,
            bands,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u16(self.command);
        w.u16(if self.command == meter_command::DELETE {
            0
        } else {
            self.flags
        });
        w.u32(self.meter_id);
        encode_bands(&self.bands, w);
    }
}

/// One meter's configuration (OVS's `ofputil_meter_config`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeterConfig {
    pub meter_id: u32,
    pub flags: u16,
    pub bands: Vec<MeterBand>,
}

impl MeterConfig {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<MeterConfig, OfpErr> {
        if r.remaining() < 8 {
            return Err(OfpErr::OfpbrcBadLen);
        }
        let length = usize::from(r.u16().map_err(short)?);
        let flags = r.u16().map_err(short)?;
        let meter_id = r.u32().map_err(short)?;
        let len = length.checked_sub(8).ok_or(OfpErr::OfpbrcBadLen)?;
        let bands = decode_bands(r, len)?;
        Ok(MeterConfig {
            meter_id,
            flags,
            bands,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u16((8 + 16 * self.bands.len()) as u16);
        w.u16(self.flags);
        w.u32(self.meter_id);
        encode_bands(&self.bands, w);
    }
}

/// One meter's statistics (OVS's `ofputil_meter_stats`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeterStats {
    pub meter_id: u32,
    pub flow_count: u32,
    pub packet_in_count: u64,
    pub byte_in_count: u64,
    pub duration_sec: u32,
    pub duration_nsec: u32,
    /// Per band: (packets, bytes).
    pub bands: Vec<(u64, u64)>,
}

impl MeterStats {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<MeterStats, OfpErr> {
        let bad = OfpErr::OfpbrcBadLen;
        if r.remaining() < 40 {
            return Err(bad);
        }
        let meter_id = r.u32().map_err(short)?;
        let len = usize::from(r.u16().map_err(short)?);
        r.skip(6).map_err(short)?;
        let flow_count = r.u32().map_err(short)?;
        let packet_in_count = r.u64().map_err(short)?;
        let byte_in_count = r.u64().map_err(short)?;
        let duration_sec = r.u32().map_err(short)?;
        let duration_nsec = r.u32().map_err(short)?;
        let band_len = len.checked_sub(40).ok_or(bad)?;
        let mut b = r.sub(band_len).map_err(short)?;
        if band_len % 16 != 0 {
            return Err(bad);
        }
        let mut bands = Vec::new();
        while !b.is_empty() {
            bands.push((b.u64().map_err(short)?, b.u64().map_err(short)?));
        }
        Ok(MeterStats {
            meter_id,
            flow_count,
            packet_in_count,
            byte_in_count,
            duration_sec,
            duration_nsec,
            bands,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u32(self.meter_id);
        w.u16((40 + 16 * self.bands.len()) as u16);
        w.zeros(6);
        w.u32(self.flow_count);
        w.u64(self.packet_in_count);
        w.u64(self.byte_in_count);
        w.u32(self.duration_sec);
        w.u32(self.duration_nsec);
        for (p, b) in &self.bands {
            w.u64(*p);
            w.u64(*b);
        }
    }
}

/// Meter features (`ofp13_meter_features`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MeterFeatures {
    pub max_meters: u32,
    /// Bitmap of `1 << OFPMBT13_*`.
    pub band_types: u32,
    /// Bitmap of [`meter_flags`].
    pub capabilities: u32,
    pub max_bands: u8,
    pub max_color: u8,
}

impl MeterFeatures {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<MeterFeatures, OfpErr> {
        let f = MeterFeatures {
            max_meters: r.u32().map_err(short)?,
            band_types: r.u32().map_err(short)?,
            capabilities: r.u32().map_err(short)?,
            max_bands: r.u8().map_err(short)?,
            max_color: r.u8().map_err(short)?,
        };
        r.skip(2).map_err(short)?;
        Ok(f)
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u32(self.max_meters);
        w.u32(self.band_types);
        w.u32(self.capabilities);
        w.u8(self.max_bands);
        w.u8(self.max_color);
        w.zeros(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meter_mod_checks() {
        let body = [0, 9, 0, 1, 0, 0, 0, 1];
        assert_eq!(
            MeterMod::decode(&mut Reader::new(&body)),
            Err(OfpErr::OfpmmfcBadCommand)
        );
        let body = [0, 0, 0, 3, 0, 0, 0, 1];
        assert_eq!(
            MeterMod::decode(&mut Reader::new(&body)),
            Err(OfpErr::OfpmmfcBadFlags)
        );
        let body = [
            0, 0, 0, 1, 0, 0, 0, 1, 0, 9, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(
            MeterMod::decode(&mut Reader::new(&body)),
            Err(OfpErr::OfpmmfcBadBand)
        );
    }
}
