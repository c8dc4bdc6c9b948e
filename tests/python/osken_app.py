"""An os-ken OpenFlow 1.3 controller app for tests/tests/oskens.rs.

Listens on 127.0.0.1:PORT (first argument), waits for one switch, and
then: records its features reply, asks for its description and port
descriptions, installs two flows with apply-actions instructions, sends a
barrier, reads all flows back with a flow stats request, and prints one
JSON object with everything it saw (no durations: they are live values),
then exits. Errors the switch sends are recorded too. Gives up after
TIMEOUT seconds and prints what it has, with "timeout": true.
"""

import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")

from os_ken import cfg  # noqa: E402
from os_ken.base import app_manager  # noqa: E402
from os_ken.controller import ofp_event  # noqa: E402
from os_ken.controller.handler import (  # noqa: E402
    CONFIG_DISPATCHER,
    MAIN_DISPATCHER,
    set_ev_cls,
)
from os_ken.lib import hub  # noqa: E402
from os_ken.ofproto import ofproto_v1_3  # noqa: E402

TIMEOUT = 45

REPORT = {
    "features": None,
    "desc": None,
    "ports": None,
    "flow_mods_sent": 0,
    "barrier_reply": False,
    "flows": None,
    "errors": [],
    "timeout": False,
}


def finish():
    """Prints the report and leaves the process (os-ken's hub has no clean
    stop for a single app)."""
    sys.stdout.write(json.dumps(REPORT, sort_keys=True) + "\n")
    sys.stdout.write("DONE\n")
    sys.stdout.flush()
    os._exit(0)


def match_fields(match):
    """A match as a sorted list of [field, value] (value and mask as
    strings, so MACs, IPs and integers compare the same way)."""
    fields = []
    for key, value in match.items():
        if isinstance(value, tuple):
            fields.append([key, "%s/%s" % value])
        else:
            fields.append([key, str(value)])
    return sorted(fields)


def describe_instructions(instructions):
    out = []
    for inst in instructions:
        entry = {"type": inst.type}
        actions = getattr(inst, "actions", None)
        if actions is not None:
            entry["actions"] = []
            for action in actions:
                a = {"type": action.type}
                for attr in ("port", "max_len"):
                    if hasattr(action, attr):
                        a[attr] = getattr(action, attr)
                if hasattr(action, "key"):
                    a["field"] = action.key
                    a["value"] = str(action.value)
                entry["actions"].append(a)
        out.append(entry)
    return out


class TestApp(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hub.spawn(self._watchdog)

    def _watchdog(self):
        hub.sleep(TIMEOUT)
        REPORT["timeout"] = True
        finish()

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def features(self, ev):
        msg = ev.msg
        REPORT["features"] = {
            "version": msg.version,
            "datapath_id": msg.datapath_id,
            "n_buffers": msg.n_buffers,
            "n_tables": msg.n_tables,
            "auxiliary_id": msg.auxiliary_id,
            "capabilities": msg.capabilities,
        }
        dp = msg.datapath
        parser = dp.ofproto_parser
        dp.send_msg(parser.OFPDescStatsRequest(dp, 0))
        dp.send_msg(parser.OFPPortDescStatsRequest(dp, 0))

    @set_ev_cls(ofp_event.EventOFPDescStatsReply, MAIN_DISPATCHER)
    def desc(self, ev):
        body = ev.msg.body
        REPORT["desc"] = {
            "mfr_desc": body.mfr_desc.decode(),
            "hw_desc": body.hw_desc.decode(),
            "sw_desc": body.sw_desc.decode(),
            "serial_num": body.serial_num.decode(),
            "dp_desc": body.dp_desc.decode(),
        }

    @set_ev_cls(ofp_event.EventOFPPortDescStatsReply, MAIN_DISPATCHER)
    def ports(self, ev):
        REPORT["ports"] = sorted(
            (
                {
                    "port_no": p.port_no,
                    "name": p.name.decode(),
                    "hw_addr": p.hw_addr,
                    "config": p.config,
                    "state": p.state,
                    "curr": p.curr,
                    "advertised": p.advertised,
                    "supported": p.supported,
                    "peer": p.peer,
                    "curr_speed": p.curr_speed,
                    "max_speed": p.max_speed,
                }
                for p in ev.msg.body
            ),
            key=lambda p: p["port_no"],
        )
        self.install_flows(ev.msg.datapath)

    def install_flows(self, dp):
        ofp = dp.ofproto
        parser = dp.ofproto_parser
        flows = [
            (
                100,
                0x1001,
                parser.OFPMatch(in_port=1, eth_type=0x0800, ipv4_dst="10.0.0.1"),
                [parser.OFPActionOutput(2)],
            ),
            (
                200,
                0x1002,
                parser.OFPMatch(eth_type=0x0806, arp_op=1),
                [
                    parser.OFPActionSetField(eth_dst="00:00:00:00:00:02"),
                    parser.OFPActionOutput(ofp.OFPP_CONTROLLER, 128),
                ],
            ),
        ]
        for priority, cookie, match, actions in flows:
            inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions)]
            dp.send_msg(
                parser.OFPFlowMod(
                    datapath=dp,
                    cookie=cookie,
                    priority=priority,
                    match=match,
                    instructions=inst,
                )
            )
            REPORT["flow_mods_sent"] += 1
        dp.send_msg(parser.OFPBarrierRequest(dp))

    @set_ev_cls(ofp_event.EventOFPBarrierReply, MAIN_DISPATCHER)
    def barrier(self, ev):
        REPORT["barrier_reply"] = True
        dp = ev.msg.datapath
        ofp = dp.ofproto
        parser = dp.ofproto_parser
        dp.send_msg(
            parser.OFPFlowStatsRequest(
                dp, 0, ofp.OFPTT_ALL, ofp.OFPP_ANY, ofp.OFPG_ANY, 0, 0,
                parser.OFPMatch()
            )
        )

    @set_ev_cls(ofp_event.EventOFPFlowStatsReply, MAIN_DISPATCHER)
    def flows(self, ev):
        REPORT["flows"] = sorted(
            (
                {
                    "table_id": f.table_id,
                    "priority": f.priority,
                    "cookie": f.cookie,
                    "idle_timeout": f.idle_timeout,
                    "hard_timeout": f.hard_timeout,
                    "flags": f.flags,
                    "packet_count": f.packet_count,
                    "byte_count": f.byte_count,
                    "match": match_fields(f.match),
                    "instructions": describe_instructions(f.instructions),
                }
                for f in ev.msg.body
            ),
            key=lambda f: (f["table_id"], -f["priority"]),
        )
        finish()

    @set_ev_cls(ofp_event.EventOFPErrorMsg,
                [CONFIG_DISPATCHER, MAIN_DISPATCHER])
    def error(self, ev):
        msg = ev.msg
        REPORT["errors"].append({"type": msg.type, "code": msg.code})


def main():
    port = int(sys.argv[1])
    cfg.CONF(
        args=["--ofp-tcp-listen-port", str(port), "--ofp-listen-host", "127.0.0.1"],
        project="os_ken",
    )
    app_manager.AppManager.run_apps([__name__])


if __name__ == "__main__":
    main()
