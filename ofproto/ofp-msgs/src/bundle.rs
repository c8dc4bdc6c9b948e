//! Bundles (OpenFlow 1.4+, and the ONF extension for OpenFlow 1.3).

use ovs_ofp_core::{OfpErr, Reader, Writer};

use crate::Message;
use crate::util::short;

/// `OFPBCT_*`: bundle control message types.
pub mod bundle_ctrl_type {
    pub const OPEN_REQUEST: u16 = 0;
    pub const OPEN_REPLY: u16 = 1;
    pub const CLOSE_REQUEST: u16 = 2;
    pub const CLOSE_REPLY: u16 = 3;
    pub const COMMIT_REQUEST: u16 = 4;
    pub const COMMIT_REPLY: u16 = 5;
    pub const DISCARD_REQUEST: u16 = 6;
    pub const DISCARD_REPLY: u16 = 7;
}

/// `OFPBF_*`: bundle flags.
pub mod bundle_flags {
    pub const ATOMIC: u16 = 1 << 0;
    pub const ORDERED: u16 = 1 << 1;
}

/// `OFPT_BUNDLE_CONTROL`. Properties, if any, carry nothing OVS uses and are
/// dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BundleCtrl {
    pub bundle_id: u32,
    /// [`bundle_ctrl_type`].
    pub ctrl_type: u16,
    /// [`bundle_flags`].
    pub flags: u16,
}

impl BundleCtrl {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<BundleCtrl, OfpErr> {
        let c = BundleCtrl {
            bundle_id: r.u32().map_err(short)?,
            ctrl_type: r.u16().map_err(short)?,
            flags: r.u16().map_err(short)?,
        };
        let _ = r.skip(r.remaining());
        Ok(c)
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u32(self.bundle_id);
        w.u16(self.ctrl_type);
        w.u16(self.flags);
    }
}

/// `OFPT_BUNDLE_ADD_MESSAGE`: a message to add to a bundle. The inner
/// message has the same version and xid as the outer one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleAdd {
    pub bundle_id: u32,
    pub flags: u16,
    /// A flow mod, group mod, port mod or packet out (what OVS bundles).
    pub message: Box<Message>,
}

impl BundleAdd {
    /// True for the messages OVS accepts inside a bundle
    /// (`ofputil_is_bundlable`).
    pub fn is_bundlable(m: &Message) -> bool {
        matches!(
            m,
            Message::FlowMod(_)
                | Message::GroupMod(_)
                | Message::PortMod(_)
                | Message::PacketOut(_)
        )
    }

    pub(crate) fn encode_head(&self, w: &mut Writer) {
        w.u32(self.bundle_id);
        w.u16(0);
        w.u16(self.flags);
    }
}
