#!/usr/bin/env python3
"""Drive an OVSDB server with PyPI's ovsdbapp (what OpenStack Neutron uses).

Usage: ovsdbapp_bridge.py REMOTE

Runs ovsdbapp's Open_vSwitch API over REMOTE: add_br, list_br, br_exists,
db_get/db_set on the new bridge, add_port/list_ports, del_br.  Prints one
"ok: ..." line per step; on the first mismatch prints "FAIL: ..." and exits
non-zero.

There is no ovs-vswitchd in these tests, yet ovsdbapp's Open_vSwitch backend
(like ovs-vsctl without --no-wait) bumps next_cfg and waits for cur_cfg to
catch up, then checks that every new interface got an ofport.  A small
thread plays that part of vswitchd through its own python-ovs IDL
connection: it gives interfaces without an ofport the next free number and
copies next_cfg into cur_cfg, in one transaction.  So the wait-for-vswitchd
path, including the "mutate"+"select" that the IDL's increment() sends, is
exercised too.
"""

import sys
import threading

import ovs.db.idl
import ovs.poller

from ovsdbapp.backend.ovs_idl import connection
from ovsdbapp.backend.ovs_idl import idlutils
from ovsdbapp.schema.open_vswitch import impl_idl

TIMEOUT_S = 30


def check(cond, msg):
    if not cond:
        print("FAIL: " + msg, flush=True)
        sys.exit(1)
    print("ok: " + msg, flush=True)


class FakeVswitchd(threading.Thread):
    def __init__(self, remote):
        super().__init__(daemon=True)
        helper = idlutils.get_schema_helper(remote, "Open_vSwitch")
        helper.register_columns("Open_vSwitch", ["next_cfg", "cur_cfg"])
        helper.register_columns("Interface", ["name", "ofport"])
        self.idl = ovs.db.idl.Idl(remote, helper)
        self.stopping = False
        self.bumps = 0

    def reconcile(self):
        for row in list(self.idl.tables["Open_vSwitch"].rows.values()):
            if row.cur_cfg == row.next_cfg:
                continue
            txn = ovs.db.idl.Transaction(self.idl)
            ifaces = list(self.idl.tables["Interface"].rows.values())
            used = {i.ofport[0] for i in ifaces if i.ofport}
            next_ofport = 1
            for iface in ifaces:
                if not iface.ofport:
                    while next_ofport in used:
                        next_ofport += 1
                    iface.ofport = [next_ofport]
                    used.add(next_ofport)
            row.cur_cfg = row.next_cfg
            if txn.commit_block() == ovs.db.idl.Transaction.SUCCESS:
                self.bumps += 1

    def run(self):
        while not self.stopping:
            self.idl.run()
            self.reconcile()
            poller = ovs.poller.Poller()
            self.idl.wait(poller)
            poller.timer_wait(50)
            poller.block()
        self.idl.close()


def main():
    if len(sys.argv) != 2:
        print("FAIL: usage: ovsdbapp_bridge.py REMOTE", flush=True)
        sys.exit(2)
    remote = sys.argv[1]

    idl = connection.OvsdbIdl.from_server(remote, "Open_vSwitch")
    conn = connection.Connection(idl=idl, timeout=TIMEOUT_S)
    api = impl_idl.OvsdbIdl(conn)
    vswitchd = FakeVswitchd(remote)
    vswitchd.start()
    try:
        before = set(api.list_br().execute(check_error=True))
        check("appbr" not in before, "list_br before add: %s" % sorted(before))

        api.add_br("appbr", datapath_type="netdev").execute(check_error=True)
        check(api.br_exists("appbr").execute(check_error=True),
              "br_exists(appbr) after add_br")
        after = set(api.list_br().execute(check_error=True))
        check(after == before | {"appbr"}, "list_br after add: %s"
              % sorted(after))

        dp_type = api.db_get("Bridge", "appbr",
                             "datapath_type").execute(check_error=True)
        check(dp_type == "netdev", "db_get datapath_type = %r" % dp_type)

        api.db_set("Bridge", "appbr",
                   ("external_ids", {"owner": "ovsdbapp"})).execute(
                       check_error=True)
        ids = api.db_get("Bridge", "appbr",
                         "external_ids").execute(check_error=True)
        check(ids == {"owner": "ovsdbapp"}, "db_get external_ids = %r" % ids)

        with api.transaction(check_error=True) as txn:
            txn.add(api.add_port("appbr", "app-p1"))
            txn.add(api.db_set("Interface", "app-p1", ("type", "internal")))
        ports = api.list_ports("appbr").execute(check_error=True)
        check(ports == ["app-p1"], "list_ports(appbr) = %r" % ports)
        itype = api.db_get("Interface", "app-p1",
                           "type").execute(check_error=True)
        check(itype == "internal", "interface type = %r" % itype)
        ofport = api.db_get("Interface", "app-p1",
                            "ofport").execute(check_error=True)
        check(isinstance(ofport, int) and ofport >= 1,
              "ofport of app-p1 = %r" % ofport)

        api.del_br("appbr").execute(check_error=True)
        check(not api.br_exists("appbr").execute(check_error=True),
              "br_exists(appbr) false after del_br")
        final = set(api.list_br().execute(check_error=True))
        check(final == before, "list_br after del: %s" % sorted(final))
        left = api.db_find("Port", ("name", "=", "app-p1")).execute(
            check_error=True)
        check(left == [], "port app-p1 garbage-collected")
        check(vswitchd.bumps >= 4,
              "fake vswitchd acknowledged %d next_cfg bumps" % vswitchd.bumps)
    finally:
        vswitchd.stopping = True
        vswitchd.join(timeout=5)
        conn.stop(timeout=5)
    print("PASS", flush=True)


if __name__ == "__main__":
    main()
