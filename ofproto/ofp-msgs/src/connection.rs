//! Controller connection settings: roles, role status, and the
//! asynchronous message configuration.

use ovs_ofp_core::{OfpErr, Reader, Version, Writer};

use crate::error::EncodeError;
use crate::prop;
use crate::util::short;

/// A controller role (OpenFlow 1.2's `ofp12_controller_role`, which OVS
/// uses for every version).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    NoChange = 0,
    Equal = 1,
    Primary = 2,
    Secondary = 3,
}

impl Role {
    fn from_of12(v: u32) -> Result<Role, OfpErr> {
        match v {
            0 => Ok(Role::NoChange),
            1 => Ok(Role::Equal),
            2 => Ok(Role::Primary),
            3 => Ok(Role::Secondary),
            _ => Err(OfpErr::OfprrfcBadRole),
        }
    }

    /// Nicira numbering: other, master, slave = OpenFlow 1.2's value - 1.
    fn from_nx(v: u32) -> Result<Role, OfpErr> {
        match v {
            0 => Ok(Role::Equal),
            1 => Ok(Role::Primary),
            2 => Ok(Role::Secondary),
            _ => Err(OfpErr::OfprrfcBadRole),
        }
    }
}

/// `OFPT_ROLE_REQUEST` / `OFPT_ROLE_REPLY` (OpenFlow 1.2+) or their Nicira
/// forms (`NXT_ROLE_REQUEST` / `NXT_ROLE_REPLY`, any version).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleMsg {
    pub role: Role,
    /// Present unless the role is `NoChange` (requests) or the reply said
    /// `u64::MAX`; the Nicira form has none.
    pub generation_id: Option<u64>,
    /// The Nicira form.
    pub nx: bool,
}

impl RoleMsg {
    pub(crate) fn decode(nx: bool, request: bool, r: &mut Reader<'_>) -> Result<RoleMsg, OfpErr> {
        if nx {
            let role = Role::from_nx(r.u32().map_err(short)?)?;
            Ok(RoleMsg {
                role,
                generation_id: None,
                nx,
            })
        } else {
            let role = Role::from_of12(r.u32().map_err(short)?)?;
            r.skip(4).map_err(short)?;
            let generation_id = r.u64().map_err(short)?;
            let have = if request {
                role != Role::NoChange
            } else {
                generation_id != u64::MAX
            };
            Ok(RoleMsg {
                role,
                generation_id: have.then_some(generation_id),
                nx,
            })
        }
    }

    pub(crate) fn encode(&self, version: Version, w: &mut Writer) -> Result<(), EncodeError> {
        if self.nx {
            if self.role == Role::NoChange {
                return Err(EncodeError::Invalid(
                    "Nicira role messages have no nochange",
                ));
            }
            w.u32(self.role as u32 - 1);
        } else {
            if version < Version::Of12 {
                return Err(EncodeError::NotInVersion {
                    what: "OFPT_ROLE_REQUEST",
                    version,
                });
            }
            w.u32(self.role as u32);
            w.zeros(4);
            w.u64(self.generation_id.unwrap_or(u64::MAX));
        }
        Ok(())
    }
}

/// `OFPCRR_*`: why a role changed.
pub mod role_reason {
    pub const PRIMARY_REQUEST: u8 = 0;
    pub const CONFIG: u8 = 1;
    pub const EXPERIMENTER: u8 = 2;
}

/// `OFPT_ROLE_STATUS` (OpenFlow 1.4+, ONF extension in 1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleStatus {
    pub role: Role,
    /// [`role_reason`].
    pub reason: u8,
    pub generation_id: u64,
}

impl RoleStatus {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<RoleStatus, OfpErr> {
        let role = Role::from_of12(r.u32().map_err(short)?)?;
        let reason = r.u8().map_err(short)?;
        r.skip(3).map_err(short)?;
        let generation_id = r.u64().map_err(short)?;
        // Properties, if any, carry nothing OVS uses.
        Ok(RoleStatus {
            role,
            reason,
            generation_id,
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u32(self.role as u32);
        w.u8(self.reason);
        w.zeros(3);
        w.u64(self.generation_id);
    }
}

/// Asynchronous message types, indexing [`AsyncConfig`] (OVS's `OAM_*`).
pub mod oam {
    pub const PACKET_IN: usize = 0;
    pub const PORT_STATUS: usize = 1;
    pub const FLOW_REMOVED: usize = 2;
    pub const ROLE_STATUS: usize = 3;
    pub const TABLE_STATUS: usize = 4;
    pub const REQUESTFORWARD: usize = 5;
    pub const N_TYPES: usize = 6;
}

/// `OFPR_EXPLICIT_MISS`, OVS's internal packet-in reason.
pub const OFPR_EXPLICIT_MISS: u32 = 6;
/// `OFPR_IMPLICIT_MISS`, OVS's internal packet-in reason.
pub const OFPR_IMPLICIT_MISS: u32 = 7;

/// The reasons each asynchronous message type may carry: (OpenFlow
/// 1.0-1.3, OpenFlow 1.4+).
const ALLOWED: [(u32, u32); oam::N_TYPES] = [
    (0x7, 0x3f),
    (0x7, 0x7),
    (0x3f, 0x3f),
    (0x7, 0x7),
    (0x18, 0x18),
    (0x3, 0x3),
];

fn allowed(oam_type: usize, version: Version) -> u32 {
    let (a10, a14) = ALLOWED[oam_type];
    if version >= Version::Of14 { a14 } else { a10 }
}

/// The asynchronous message configuration: for each `OAM_*` type, the
/// bitmap of reasons sent to primary/equal and to secondary controllers.
/// `None` means "unchanged" (property forms may set only some).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AsyncConfig {
    pub primary: [Option<u32>; oam::N_TYPES],
    pub secondary: [Option<u32>; oam::N_TYPES],
}

impl AsyncConfig {
    /// This configuration applied on top of `basis`.
    pub fn apply(&self, basis: &AsyncConfig) -> AsyncConfig {
        let mut out = *basis;
        for i in 0..oam::N_TYPES {
            if self.primary[i].is_some() {
                out.primary[i] = self.primary[i];
            }
            if self.secondary[i].is_some() {
                out.secondary[i] = self.secondary[i];
            }
        }
        out
    }

    /// OVS's default for a new connection of `version`
    /// (`ofputil_async_cfg_default`).
    pub fn default_for(version: Version) -> AsyncConfig {
        let mut pin = 0x3f & !(1 << 2);
        pin |= 1 << OFPR_EXPLICIT_MISS;
        if version <= Version::Of12 {
            pin |= 1 << OFPR_IMPLICIT_MISS;
        }
        let flow_removed = match version {
            Version::Of14 | Version::Of15 => 0x3f,
            Version::Of13 => 0xf,
            _ => 0x7,
        };
        let mut c = AsyncConfig {
            primary: [Some(0); oam::N_TYPES],
            secondary: [Some(0); oam::N_TYPES],
        };
        c.primary[oam::PACKET_IN] = Some(pin);
        c.primary[oam::PORT_STATUS] = Some(0x7);
        c.secondary[oam::PORT_STATUS] = Some(0x7);
        c.primary[oam::FLOW_REMOVED] = Some(flow_removed);
        c
    }

    /// Checks and normalises one mask (OVS's `decode_async_mask`).
    fn decode_mask(
        oam_type: usize,
        mask: u32,
        version: Version,
        loose: bool,
    ) -> Result<u32, OfpErr> {
        let ok = allowed(oam_type, version);
        if mask & !ok != 0 && !loose {
            return Err(OfpErr::OfpacfcInvalid);
        }
        let mut mask = mask & ok;
        if oam_type == oam::PACKET_IN && mask & 1 != 0 {
            mask |= 1 << OFPR_EXPLICIT_MISS;
            if version < Version::Of13 {
                mask |= 1 << OFPR_IMPLICIT_MISS;
            }
        }
        Ok(mask)
    }

    /// The fixed three-type form (OpenFlow 1.3, `NXT_SET_ASYNC_CONFIG`).
    pub(crate) fn decode_legacy(
        version: Version,
        r: &mut Reader<'_>,
    ) -> Result<AsyncConfig, OfpErr> {
        let mut c = AsyncConfig {
            primary: [Some(0); oam::N_TYPES],
            secondary: [Some(0); oam::N_TYPES],
        };
        for t in [oam::PACKET_IN, oam::PORT_STATUS, oam::FLOW_REMOVED] {
            let p = r.u32().map_err(short)?;
            let s = r.u32().map_err(short)?;
            c.primary[t] = Some(AsyncConfig::decode_mask(t, p, version, true)?);
            c.secondary[t] = Some(AsyncConfig::decode_mask(t, s, version, true)?);
        }
        Ok(c)
    }

    pub(crate) fn encode_legacy(&self, version: Version, w: &mut Writer) {
        for t in [oam::PACKET_IN, oam::PORT_STATUS, oam::FLOW_REMOVED] {
            w.u32(self.primary[t].unwrap_or(0) & allowed(t, version));
            w.u32(self.secondary[t].unwrap_or(0) & allowed(t, version));
        }
    }

    /// The property form (OpenFlow 1.4+, `NXT_SET_ASYNC_CONFIG2`).
    pub(crate) fn decode_props(
        version: Version,
        loose: bool,
        r: &mut Reader<'_>,
    ) -> Result<AsyncConfig, OfpErr> {
        let mut c = AsyncConfig::default();
        while !r.is_empty() {
            let p = prop::pull_with(r, 8, 0xfffe)?;
            let t = p.prop_type;
            let result = if t < 12 {
                let oam_type = (t / 2) as usize;
                let is_primary = t % 2 == 1;
                p.u32().and_then(|mask| {
                    let m = AsyncConfig::decode_mask(oam_type, mask, version, loose)?;
                    if is_primary {
                        c.primary[oam_type] = Some(m);
                    } else {
                        c.secondary[oam_type] = Some(m);
                    }
                    Ok(())
                })
            } else {
                prop::unknown(loose, t)
            };
            match result {
                Err(OfpErr::OfpbpcBadType) => return Err(OfpErr::OfpacfcUnsupported),
                Err(e) => return Err(e),
                Ok(()) => {}
            }
        }
        Ok(c)
    }

    pub(crate) fn encode_props(&self, version: Version, w: &mut Writer) {
        for t in 0..oam::N_TYPES {
            for (is_primary, v) in [(false, self.secondary[t]), (true, self.primary[t])] {
                if let Some(mask) = v {
                    let prop_type = (t * 2) as u64 + u64::from(is_primary);
                    prop::put_u32(w, prop_type, mask & allowed(t, version));
                }
            }
        }
    }
}

/// Which message carries a set-async request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetAsyncForm {
    /// `OFPT_SET_ASYNC`: the fixed form in OpenFlow 1.3, properties in 1.4+.
    Standard,
    /// `NXT_SET_ASYNC_CONFIG`: the fixed form, any version.
    Nx,
    /// `NXT_SET_ASYNC_CONFIG2`: properties, OpenFlow 1.0 to 1.3.
    Nx2,
}

/// `OFPT_SET_ASYNC` and its Nicira forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetAsync {
    pub form: SetAsyncForm,
    pub config: AsyncConfig,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_in_no_match_implies_misses() {
        let body = [
            0u8, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0, 0,
        ];
        let c = AsyncConfig::decode_legacy(Version::Of10, &mut Reader::new(&body)).unwrap();
        assert_eq!(c.primary[oam::PACKET_IN], Some(1 | 1 << 6 | 1 << 7));
        let c = AsyncConfig::decode_legacy(Version::Of13, &mut Reader::new(&body)).unwrap();
        assert_eq!(c.primary[oam::PACKET_IN], Some(1 | 1 << 6));
        let mut w = Writer::new();
        c.encode_legacy(Version::Of13, &mut w);
        assert_eq!(w.as_slice(), &body);
    }

    #[test]
    fn props_strict_and_loose() {
        let mut w = Writer::new();
        prop::put_u32(&mut w, 1, 0x3f);
        let b = w.into_vec();
        assert_eq!(
            AsyncConfig::decode_props(Version::Of13, false, &mut Reader::new(&b)),
            Err(OfpErr::OfpacfcInvalid)
        );
        let c = AsyncConfig::decode_props(Version::Of14, false, &mut Reader::new(&b)).unwrap();
        assert_eq!(c.primary[oam::PACKET_IN], Some(0x3f | 1 << 6));
        let mut w = Writer::new();
        prop::put_u32(&mut w, 40, 0);
        let b = w.into_vec();
        assert_eq!(
            AsyncConfig::decode_props(Version::Of14, false, &mut Reader::new(&b)),
            Err(OfpErr::OfpacfcUnsupported)
        );
    }
}
