#!/usr/bin/python3
"""Round trip through Debian's python3-openvswitch IDL.

Usage: idl_roundtrip.py REMOTE

Fetches the schema from the server with a raw get_schema request, builds an
Idl that replicates every table, waits until it is synced, then commits two
transactions through ovs.db.idl.Transaction and checks that each change comes
back into the replica.  Prints one "ok: ..." line per step and exits non-zero
with a "FAIL: ..." line on the first failure, so the Rust test can show where
it stopped.
"""

import sys
import time
import uuid

import ovs.db.idl
import ovs.jsonrpc
import ovs.poller
import ovs.stream

DEADLINE_S = 30.0


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def fetch_schema(remote):
    error, stream = ovs.stream.Stream.open_block(
        ovs.stream.Stream.open(remote))
    if error:
        fail("cannot connect to %s: %s" % (remote, error))
    rpc = ovs.jsonrpc.Connection(stream)
    request = ovs.jsonrpc.Message.create_request("get_schema",
                                                 ["Open_vSwitch"])
    error, reply = rpc.transact_block(request)
    rpc.close()
    if error:
        fail("get_schema: %s" % error)
    if reply.error is not None:
        fail("get_schema returned error %s" % reply.error)
    return reply.result


def run_until(idl, predicate, what):
    deadline = time.monotonic() + DEADLINE_S
    while True:
        idl.run()
        if predicate():
            return
        if time.monotonic() > deadline:
            fail("timed out waiting for " + what)
        poller = ovs.poller.Poller()
        idl.wait(poller)
        poller.timer_wait(100)
        poller.block()


def commit(idl, build, what):
    deadline = time.monotonic() + DEADLINE_S
    while True:
        idl.run()
        txn = ovs.db.idl.Transaction(idl)
        build(txn)
        status = txn.commit_block()
        if status == ovs.db.idl.Transaction.SUCCESS:
            print("ok: committed " + what, flush=True)
            return txn
        if status != ovs.db.idl.Transaction.TRY_AGAIN:
            fail("commit of %s returned %s (%s)"
                 % (what, status, txn.get_error()))
        if time.monotonic() > deadline:
            fail("commit of %s kept asking to try again" % what)


def main():
    if len(sys.argv) != 2:
        fail("usage: idl_roundtrip.py REMOTE")
    remote = sys.argv[1]

    schema_json = fetch_schema(remote)
    if schema_json.get("name") != "Open_vSwitch":
        fail("schema name is %r" % schema_json.get("name"))
    print("ok: get_schema version %s" % schema_json.get("version"),
          flush=True)

    helper = ovs.db.idl.SchemaHelper(schema_json=schema_json)
    helper.register_all()
    idl = ovs.db.idl.Idl(remote, helper)
    try:
        run_until(idl, lambda: idl.has_ever_connected()
                  and len(idl.tables["Open_vSwitch"].rows) == 1,
                  "initial sync with one Open_vSwitch row")
        ovs_row = next(iter(idl.tables["Open_vSwitch"].rows.values()))
        print("ok: synced, %d bridges" % len(idl.tables["Bridge"].rows),
              flush=True)

        marker = str(uuid.uuid4())
        new_rows = {}

        def set_key(txn):
            row = next(iter(idl.tables["Open_vSwitch"].rows.values()))
            ids = dict(row.external_ids)
            ids["idl-test"] = marker
            row.external_ids = ids

        commit(idl, set_key, "external_ids:idl-test")
        run_until(idl, lambda: dict(ovs_row.external_ids).get("idl-test")
                  == marker, "external_ids change in the replica")
        print("ok: external_ids change seen", flush=True)

        def add_bridge(txn):
            ovs_row = next(iter(idl.tables["Open_vSwitch"].rows.values()))
            iface = txn.insert(idl.tables["Interface"])
            iface.name = "idlbr"
            iface.type = "internal"
            port = txn.insert(idl.tables["Port"])
            port.name = "idlbr"
            port.interfaces = [iface]
            br = txn.insert(idl.tables["Bridge"])
            br.name = "idlbr"
            br.ports = [port]
            br.external_ids = {"made-by": "python-idl"}
            ovs_row.bridges = list(ovs_row.bridges) + [br]
            new_rows["txn"] = txn
            new_rows["temp"] = [iface.uuid, port.uuid, br.uuid]

        commit(idl, add_bridge, "insert of Bridge idlbr")
        txn = new_rows["txn"]
        inserted = [txn.get_insert_uuid(u) for u in new_rows["temp"]]
        if None in inserted or len(set(inserted)) != 3:
            fail("expected 3 inserted uuids from the reply, got %r"
                 % inserted)
        print("ok: server assigned uuids to the 3 inserted rows", flush=True)

        def bridge_seen():
            for br in idl.tables["Bridge"].rows.values():
                if br.name == "idlbr":
                    if br.uuid not in inserted:
                        fail("bridge idlbr has uuid %s, not one of the "
                             "inserted %r" % (br.uuid, inserted))
                    ports = list(br.ports)
                    return (dict(br.external_ids).get("made-by")
                            == "python-idl" and len(ports) == 1
                            and ports[0].name == "idlbr"
                            and ports[0].interfaces[0].type == "internal")
            return False

        run_until(idl, bridge_seen, "Bridge idlbr in the replica")
        print("ok: bridge idlbr seen with its port and interface",
              flush=True)

        def del_bridge(txn):
            ovs_row = next(iter(idl.tables["Open_vSwitch"].rows.values()))
            ovs_row.bridges = [b for b in ovs_row.bridges
                               if b.name != "idlbr"]

        commit(idl, del_bridge, "removal of Bridge idlbr")
        run_until(idl, lambda: not any(
            b.name == "idlbr" for b in idl.tables["Bridge"].rows.values())
            and not any(p.name == "idlbr"
                        for p in idl.tables["Port"].rows.values()),
            "garbage collection of idlbr's rows")
        print("ok: bridge idlbr and its port garbage-collected", flush=True)
    finally:
        idl.close()
    print("PASS", flush=True)


if __name__ == "__main__":
    main()
