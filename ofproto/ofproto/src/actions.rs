//! Questions the switch asks about a flow's actions.

use ovs_ofp_actions::Action;
use ovs_ofp_core::OfpPort;

/// Calls `f` on every action, descending into nested lists (OVS's
/// `OFPACT_FOR_EACH_FLATTENED`).
fn for_each_flattened<'a>(actions: &'a [Action], f: &mut impl FnMut(&'a Action) -> bool) -> bool {
    for a in actions {
        if f(a) {
            return true;
        }
        let nested: &[Action] = match a {
            Action::Clone(inner) | Action::WriteActions(inner) => inner,
            Action::Ct(ct) => &ct.actions,
            _ => &[],
        };
        if for_each_flattened(nested, f) {
            return true;
        }
    }
    false
}

/// Does any action send to `port` (OVS's `ofpacts_output_to_port`)?
pub fn outputs_to_port(actions: &[Action], port: OfpPort) -> bool {
    for_each_flattened(actions, &mut |a| match a {
        Action::Output { port: p, .. } | Action::Enqueue { port: p, .. } => *p == port,
        Action::Controller(_) => port == OfpPort::CONTROLLER,
        _ => false,
    })
}

/// Does any action send to group `group` (OVS's `ofpacts_output_to_group`)?
pub fn outputs_to_group(actions: &[Action], group: u32) -> bool {
    for_each_flattened(
        actions,
        &mut |a| matches!(a, Action::Group { group_id } if *group_id == group),
    )
}

/// The groups the actions use.
pub fn groups(actions: &[Action]) -> Vec<u32> {
    let mut out = Vec::new();
    for_each_flattened(actions, &mut |a| {
        if let Action::Group { group_id } = a {
            out.push(*group_id);
        }
        false
    });
    out
}

/// The meters the actions use.
pub fn meters(actions: &[Action]) -> Vec<u32> {
    let mut out = Vec::new();
    for_each_flattened(actions, &mut |a| {
        if let Action::Meter { meter_id } = a {
            out.push(*meter_id);
        }
        false
    });
    out
}
