#!/usr/bin/env python3
"""Generates the golden translation cases in this directory from real OVS.

For each case in cases.py it starts Debian's ovsdb-server and
ovs-vswitchd (--enable-dummy) in a temporary sandbox, builds the bridges
and ports, installs the flows and groups with ovs-ofctl, and records
`ofproto/trace` for each flow. The same ovs-ofctl commands are sent to a
fake switch on a Unix socket that records the OpenFlow 1.5 flow_mod and
group_mod bytes, so the Rust test loads exactly what ovs-ofctl encoded.

Usage: gen.py [case-name...]   (writes <case>.txt next to this script)
"""

import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases  # noqa: E402

OFP_VERSION = 0x06  # OpenFlow 1.5


class FakeSwitch:
    """Accepts ovs-ofctl connections and records flow_mods and group_mods."""

    def __init__(self, path):
        self.path = path
        self.msgs = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(8)
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        buf = b""
        try:
            while True:
                while len(buf) < 8:
                    d = conn.recv(65536)
                    if not d:
                        return
                    buf += d
                ver, typ, length, xid = struct.unpack("!BBHI", buf[:8])
                while len(buf) < length:
                    d = conn.recv(65536)
                    if not d:
                        return
                    buf += d
                msg, buf = buf[:length], buf[length:]
                if typ == 0:  # hello
                    conn.sendall(struct.pack("!BBHI", OFP_VERSION, 0, 8, xid))
                elif typ == 2:  # echo request
                    conn.sendall(struct.pack("!BBHI", ver, 3, length, xid) + msg[8:])
                elif typ in (14, 15):  # flow_mod, group_mod
                    self.msgs.append(("flow" if typ == 14 else "group", msg.hex()))
                elif typ == 20:  # barrier request
                    conn.sendall(struct.pack("!BBHI", ver, 21, 8, xid))
                elif typ == 18:  # multipart request: an empty reply
                    mp_type = struct.unpack("!H", msg[8:10])[0]
                    body = struct.pack("!HH4x", mp_type, 0)
                    if mp_type == 12:  # table features: 254 plain tables
                        for t in range(254):
                            body += struct.pack("!HB5x32sQQII", 64, t, b"",
                                                0, 0, 0, 1000000)
                    conn.sendall(struct.pack("!BBHI", ver, 19, 8 + len(body), xid) + body)
                elif typ == 5:  # features request
                    body = struct.pack("!QIBBHII", 1, 0, 254, 0, 0, 0, 0)
                    conn.sendall(struct.pack("!BBHI", ver, 6, 8 + len(body), xid) + body)
        finally:
            conn.close()

    def close(self):
        self.stop = True
        self.sock.close()


class Sandbox:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="xlate-gold-")
        env = dict(os.environ)
        for k in ("OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR", "OVS_PKGDATADIR",
                  "OVS_SYSCONFDIR", "OVS_BINDIR"):
            env[k] = self.dir
        self.env = env
        d = self.dir
        self.run(["ovsdb-tool", "create", f"{d}/conf.db",
                  "/usr/share/openvswitch/vswitch.ovsschema"])
        self.run(["ovsdb-server", "--detach", "--no-chdir",
                  f"--pidfile={d}/ovsdb-server.pid",
                  f"--log-file={d}/ovsdb-server.log",
                  f"--remote=punix:{d}/db.sock", f"{d}/conf.db"])
        self.vsctl("--no-wait", "init")
        self.run(["ovs-vswitchd", "--enable-dummy", "--disable-system",
                  "--detach", "--no-chdir",
                  f"--pidfile={d}/ovs-vswitchd.pid",
                  f"--log-file={d}/ovs-vswitchd.log", "-vconsole:off",
                  f"unix:{d}/db.sock"])

    def run(self, argv, check=True):
        p = subprocess.run(argv, env=self.env, capture_output=True, text=True)
        if check and p.returncode != 0:
            raise RuntimeError(f"{argv}: {p.stderr}")
        return p.stdout

    def vsctl(self, *args):
        return self.run(["ovs-vsctl", f"--db=unix:{self.dir}/db.sock"] + list(args))

    def appctl(self, *args):
        with open(f"{self.dir}/ovs-vswitchd.pid") as f:
            pid = f.read().strip()
        return self.run(["ovs-appctl",
                         f"--target={self.dir}/ovs-vswitchd.{pid}.ctl"] + list(args))

    def close(self):
        for name in ("ovs-vswitchd", "ovsdb-server"):
            try:
                with open(f"{self.dir}/{name}.pid") as f:
                    os.kill(int(f.read().strip()), 15)
            except (OSError, ValueError):
                pass
        time.sleep(0.3)
        shutil.rmtree(self.dir, ignore_errors=True)


def gen_case(case):
    sb = Sandbox()
    fake = FakeSwitch(os.path.join(sb.dir, "fake.sock"))
    out = [f"# {case['name']}: {case.get('doc', '')}"]
    try:
        # One bridge per transaction, then one port per transaction, so
        # the order OVS configures bundles in (its flood order) is the
        # order of the case.
        for br in case["bridges"]:
            sb.vsctl("add-br", br, "--", "set", "bridge", br,
                     "datapath_type=dummy", "fail-mode=secure",
                     "other-config:disable-in-band=true")
        for (br, name, ofport, extra) in case["ports"]:
            args = ["add-port", br, name, "--", "set", "interface", name]
            if extra.get("peer"):
                args += ["type=patch", f"options:peer={extra['peer']}"]
            else:
                args += ["type=dummy"]
            args += [f"ofport_request={ofport}"]
            for col in extra.get("port_cols", []):
                args += ["--", "set", "port", name, col]
            sb.vsctl(*args)
        for cmd in case.get("vsctl", []):
            sb.vsctl(*cmd)
        # Administratively down ports: OVS sets OFPPC_PORT_DOWN and, with
        # the carrier gone, stops enabling the port (may_enable false).
        for (br, name) in case.get("port_down", []):
            sb.run(["ovs-ofctl", "mod-port", br, name, "down"])
        time.sleep(0.2)
        # Datapath port numbers.
        odp = {}
        for line in sb.appctl("dpctl/show").splitlines():
            line = line.strip()
            if line.startswith("port "):
                num, rest = line[5:].split(":", 1)
                odp[rest.strip().split(" ")[0]] = int(num)
        for br in case["bridges"]:
            out.append(f"bridge {br}")
            out.append(f"port {br} {br} 65534 {odp.get(br, -1)} - -")
        for (br, name, ofport, extra) in case["ports"]:
            peer = extra.get("peer")
            if peer:
                peer_br = next(b for (b, n, _, _) in case["ports"] if n == peer)
                peer_port = next(p for (_, n, p, _) in case["ports"] if n == peer)
                out.append(f"port {br} {name} {ofport} - {peer_br} {peer_port}")
            else:
                out.append(f"port {br} {name} {ofport} {odp[name]} - -")
            for col in extra.get("port_cols", []):
                out.append(f"portcol {br} {name} {col}")
        for (br, name) in case.get("port_down", []):
            out.append(f"portdown {br} {name}")
        for (br, kind, text) in case.get("flows", []):
            if kind == "flow":
                argv = ["ovs-ofctl", "-O", "OpenFlow15", "add-flow"]
            else:
                argv = ["ovs-ofctl", "-O", "OpenFlow15", "add-group"]
            sb.run(argv + [br, text])
            n = len(fake.msgs)
            sb.run(argv + [f"unix:{fake.path}", text])
            for _ in range(100):
                if len(fake.msgs) > n:
                    break
                time.sleep(0.01)
            k, hexmsg = fake.msgs[-1]
            out.append(f"{k} {br} {hexmsg}")
            out.append(f"#   {text}")
        for (port, pkt) in case.get("receive", []):
            sb.appctl("netdev-dummy/receive", port, pkt)
        if case.get("receive"):
            time.sleep(0.5)
            for br in case["bridges"]:
                for line in sb.appctl("fdb/show", br).splitlines()[1:]:
                    w = line.split()
                    out.append(f"fdb {br} {w[0]} {w[1]} {w[2]}")
            # The received packets' own datapath flows would answer the
            # traces' packets otherwise; traces do not use them anyway.
            sb.appctl("dpctl/del-flows")
        for flow in case["traces"]:
            text = sb.appctl("ofproto/trace", flow)
            out.append(f"trace {flow}")
            out.extend(text.rstrip("\n").split("\n"))
            out.append("end")
    finally:
        fake.close()
        sb.close()
    path = os.path.join(HERE, f"{case['name']}.txt")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {path}")


def main():
    names = set(sys.argv[1:])
    for case in cases.CASES:
        if not names or case["name"] in names:
            gen_case(case)


if __name__ == "__main__":
    main()
