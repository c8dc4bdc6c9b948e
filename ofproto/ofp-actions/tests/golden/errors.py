#!/usr/bin/env python3
"""Hand-made action and instruction lists, each judged by real ovs-ofctl
3.1: `parse-actions VERSION` decodes an action list (as in packet_out);
`parse-instructions VERSION` decodes an instruction list (as in flow_mod)
and checks it against a catch-all match with OFPP_MAX ports and 255 tables.
Prints VERSION|KIND|TABLE|HEX|VERDICT where VERDICT is an error name or OK."""
import subprocess, struct, sys

NX = 0x2320
ONF = 0x4f4e4600

def pad8(b):
    return b + b"\0" * ((8 - len(b) % 8) % 8)

def std(t, body, fixed_len=None):
    b = struct.pack(">HH", t, 0) + body
    b = pad8(b) if fixed_len is None else b
    return b[:2] + struct.pack(">H", len(b) if fixed_len is None else fixed_len) + b[4:]

def nx(sub, body, vendor=NX, length=None):
    b = pad8(struct.pack(">HHIH", 0xffff, 0, vendor, sub) + body)
    return b[:2] + struct.pack(">H", len(b) if length is None else length) + b[4:]

def u16(x): return struct.pack(">H", x)
def u32(x): return struct.pack(">I", x)
def u64(x): return struct.pack(">Q", x)

def oxm(cls, field, payload, mask=False, vendor=None):
    n = len(payload) + (4 if vendor is not None else 0)
    h = struct.pack(">I", (cls << 16) | (field << 9) | (int(mask) << 8) | n)
    if vendor is not None:
        h += u32(vendor)
    return h + payload

REG0 = 0x00010004
REG1 = 0x00010204
ETH_TYPE = 0x00000a02
def nxm_hdr(h): return u32(h)

def output10(port, max_len=0): return std(0, u16(port) + u16(max_len))
def output11(port, max_len=0): return std(0, u32(port) + u16(max_len) + b"\0" * 6)
def set_field(o): return std(25, o)
def reg_load(ofs, nbits, hdr, value):
    return nx(7, u16((ofs << 6) | (nbits - 1)) + u32(hdr) + u64(value))
def reg_move(nbits, sofs, dofs, src, dst, extra=b""):
    return nx(6, u16(nbits) + u16(sofs) + u16(dofs) + src + dst + extra)
def inst(t, body): 
    b = pad8(u16(t) + u16(0) + body)
    return b[:2] + u16(len(b)) + b[4:]
def apply_(acts): return inst(4, b"\0" * 4 + acts)
def write_(acts): return inst(3, b"\0" * 4 + acts)
def goto(t): return inst(1, bytes([t]) + b"\0" * 3)
def meter_i(m): return inst(6, u32(m))
def ct(flags, zone_src=0, zone=0, table=0xff, alg=0, nested=b""):
    return nx(35, u16(flags) + u32(zone_src) + u16(zone) + bytes([table]) + b"\0" * 3 + u16(alg) + nested)
def nat(flags, present=0, opts=b""):
    return nx(36, b"\0\0" + u16(flags) + u16(present) + opts)
def learn(flags=0, table=1, pad=0, specs=b"", idle=0, hard=0, prio=0x8000, cookie=0):
    return nx(16, u16(idle) + u16(hard) + u16(prio) + u64(cookie) + u16(flags) + bytes([table, pad]) + u16(0) + u16(0) + specs)
def learn2(flags=0, table=1, limit=0, rofs=0, pad2=0, rest=b""):
    return nx(45, u16(0) + u16(0) + u16(0x8000) + u64(0) + u16(flags) + bytes([table, 0]) + u16(0) + u16(0) + u32(limit) + u16(rofs) + u16(pad2) + rest)
def resubmit_table(port, table, pad=b"\0\0\0"):
    return nx(14, u16(port) + bytes([table]) + pad)

V10, V11, V12, V13, V14, V15 = ("OpenFlow10", "OpenFlow11", "OpenFlow12",
                                "OpenFlow13", "OpenFlow14", "OpenFlow15")
CASES = [
    # Framing.
    (V10, "a", "", b"\0\0"),
    (V10, "a", "", std(0, u16(1) + u16(0) + b"\0" * 8)),
    (V10, "a", "", b"\0\0\0\0\0\1\0\0"),
    (V10, "a", "", b"\0\0\0\x10\0\1\0\0"),
    (V10, "a", "", std(0x30, b"")),
    (V10, "a", "", nx(1, u16(1), vendor=0x12345678)),
    (V10, "a", "", nx(99, b"")),
    (V10, "a", "", b"\xff\xff\0\x08\0\0\x23\x20"),
    (V13, "a", "", std(24, b"") + std(0x30, b"")),
    # Output.
    (V10, "a", "", output10(0xff00)),
    (V10, "a", "", output10(0xffff)),
    (V10, "a", "", output10(0xfff7)),
    (V10, "a", "", output10(0xfffd, 0xffff)),
    (V13, "a", "", output11(0x10000)),
    (V13, "a", "", output11(0xfffffff8)),
    (V10, "a", "", std(11, u16(0xfffd) + b"\0" * 6 + u32(1))),
    (V10, "a", "", std(11, u16(0xfffe) + b"\0" * 6 + u32(1))),
    (V10, "a", "", nx(39, u16(1) + u32(10))),
    (V10, "a", "", nx(15, u16(15) + u32(REG0) + u16(0) + b"\0\0\0\0\0\1")),
    (V10, "a", "", nx(32, u16(15) + u16(0) + u32(REG0) + b"\0\0\0\0\0\1")),
    (V10, "a", "", nx(15, u16((10 << 6) | 31) + u32(REG0) + u16(0) + b"\0" * 6)),
    # Controller.
    (V10, "a", "", nx(37, b"\0\0\0\0\0\1")),
    (V10, "a", "", nx(37, b"\0" * 6 + u16(9) + u16(8) + b"\0" * 4)),
    (V10, "a", "", nx(37, b"\0" * 6 + u16(5) + u16(10) + b"\0" * 6)),
    (V10, "a", "", nx(37, b"\0" * 6 + u16(0) + u16(2) + b"\0" * 4)),
    (V10, "a", "", nx(37, b"\0" * 6 + u16(0xffff) + u16(16) + u32(0x2320) + u32(1) + b"\0" * 4)),
    (V10, "a", "", nx(37, b"\0" * 6 + u16(0xffff) + u16(16) + u32(0) + u32(1) + b"\0" * 4)),
    (V10, "a", "", nx(37, b"\0" * 6 + u16(3) + u16(4) + b"\0" * 4 + u16(2) + u16(5) + b"\x07" + b"\0" * 3)),
    # VLAN, L2-L4 arguments.
    (V10, "a", "", std(1, u16(0x1000))),
    (V10, "a", "", std(2, b"\x08")),
    (V13, "a", "", std(17, u16(0x0800))),
    (V13, "a", "", std(19, u16(0x0800))),
    (V10, "a", "", std(8, b"\x03")),
    (V11, "a", "", std(8, b"\x04")),
    (V10, "a", "", std(1, u16(5)) + std(3, b"")),
    (V13, "a", "", std(13, u32(0xffffffff)) + std(14, b"\xff")),
    (V10, "a", "", nx(21, u16(3) + b"\0" * 4 + u16(1))),
    (V10, "a", "", nx(21, u16(1) + b"\0\0\0\1" + u16(1))),
    # set_field.
    (V13, "a", "", set_field(oxm(0x8000, 100, b"\0\0"))),
    (V13, "a", "", set_field(oxm(0x8000, 4, b"\0\1\2\3"))),
    (V13, "a", "", set_field(oxm(0x8000, 4, b"\0" * 12, mask=True))),
    (V13, "a", "", set_field(oxm(0x8000, 0, b"\0\0\0\1"))),
    (V13, "a", "", set_field(oxm(0x8000, 5, b"\x08\x00"))),
    (V13, "a", "", std(25, oxm(0x8000, 3, b"\0\1\2\3\4\5") + b"\0" * 4 + b"\1")),
    (V13, "a", "", std(25, struct.pack(">I", (0x8000 << 16) | (3 << 9) | 6) + b"\0\1", fixed_len=16)),
    (V13, "a", "", set_field(oxm(0x8000, 6, u16(10)))),
    (V13, "a", "", set_field(oxm(0x8000, 6, u16(0x100a)))),
    (V13, "a", "", set_field(oxm(0x8000, 8, b"\x40"))),
    (V13, "a", "", set_field(oxm(0x8000, 7, b"\x0c"))),
    (V15, "a", "", set_field(oxm(0x0001, 0, u32(0x1234) + u32(0xff00), mask=True))),
    (V15, "a", "", set_field(oxm(0x0001, 0, u32(0x1200) + u32(0xff00), mask=True))),
    (V13, "a", "", set_field(oxm(0x0001, 107, u32(1), vendor=None))),
    (V13, "a", "", set_field(oxm(0xffff, 1, b"\1", vendor=0x005ad650))),
    (V13, "a", "", set_field(oxm(0x0001, 40, b"\1\2"))),
    (V13, "a", "", set_field(oxm(0x0001, 38, b"\0\0\0\1"))),
    (V13, "a", "", set_field(oxm(0x0001, 0, b"\0\0\0\1"))),
    # reg_load / reg_load2.
    (V10, "a", "", reg_load(0, 4, REG0, 0x10)),
    (V10, "a", "", reg_load(0, 4, 0x12345604, 1)),
    (V10, "a", "", reg_load(30, 4, REG0, 1)),
    (V10, "a", "", reg_load(0, 16, ETH_TYPE, 1)),
    (V10, "a", "", reg_load(0, 16, 0x00010108, 1)),
    (V15, "a", "", reg_load(0, 16, REG0, 1)),
    (V10, "a", "", nx(33, oxm(0x0001, 0, u32(5)) + b"\0\1")),
    (V10, "a", "", nx(33, oxm(0x0001, 0, u32(5) + u32(0xff), mask=True))),
    (V10, "a", "", nx(33, oxm(0x0000, 5, u16(0x800)))),
    # move.
    (V10, "a", "", reg_move(16, 0, 0, nxm_hdr(REG0), nxm_hdr(REG1), b"\0\0\0\0\0\0\0\1")),
    (V10, "a", "", reg_move(16, 0, 0, nxm_hdr(0x12345604), nxm_hdr(REG1))),
    (V10, "a", "", reg_move(16, 0, 0, nxm_hdr(0x00010108), nxm_hdr(REG1))),
    (V10, "a", "", reg_move(0, 0, 0, nxm_hdr(REG0), nxm_hdr(REG1))),
    (V10, "a", "", reg_move(16, 0, 0, nxm_hdr(REG0), nxm_hdr(ETH_TYPE))),
    (V10, "a", "", reg_move(16, 20, 0, nxm_hdr(REG0), nxm_hdr(REG1))),
    (V15, "a", "", reg_move(16, 0, 0, nxm_hdr(REG0), nxm_hdr(REG1))),
    (V15, "a", "", std(28, u16(16) + u16(0) + u16(0) + b"\0\0" + nxm_hdr(REG0) + nxm_hdr(REG1))),
    (V13, "a", "", nx(3200, b"\0\0" + u16(16) + u16(0) + u16(0) + b"\0\0" + nxm_hdr(REG0) + nxm_hdr(REG1), vendor=ONF)),
    (V12, "a", "", nx(3200, b"\0\0" + u16(16) + u16(0) + u16(0) + b"\0\0" + nxm_hdr(REG0) + nxm_hdr(REG1), vendor=ONF)),
    # stack.
    (V10, "a", "", nx(27, u16(0) + nxm_hdr(REG0) + u16(32) + b"\0" * 6)),
    (V10, "a", "", nx(27, u16(0) + nxm_hdr(REG0) + u16(32) + b"\0" * 5 + b"\1")),
    (V10, "a", "", nx(28, u16(0) + nxm_hdr(ETH_TYPE) + u16(16) + b"\0" * 6)),
    (V10, "a", "", nx(27, u16(8) + nxm_hdr(REG0) + u16(32) + b"\0" * 6)),
    # resubmit.
    (V10, "a", "", resubmit_table(0xfff8, 3, b"\0\0\1")),
    (V10, "a", "", nx(44, u16(0xfff8) + b"\x03\0\0\0")),
    # bundle.
    (V10, "a", "", nx(12, u16(5) + u16(0) + u16(0) + u32(2) + u16(2) + u16(0) + u32(0) + b"\0" * 4 + u16(1) + u16(2))),
    (V10, "a", "", nx(12, u16(1) + u16(0) + u16(0) + u32(2) + u16(8) + u16(0) + u32(0) + b"\0" * 4 + u16(1) + u16(2))),
    (V10, "a", "", nx(12, u16(1) + u16(0) + u16(0) + u32(2) + u16(2) + u16(0) + u32(0) + b"\0" * 4 + u16(0xfffd) + u16(2))),
    (V10, "a", "", nx(12, u16(1) + u16(0) + u16(0) + u32(2) + u16(2) + u16(0) + u32(0) + b"\0" * 4 + u16(0xffff) + u16(2))),
    (V10, "a", "", nx(13, u16(1) + u16(0) + u16(0) + u32(2) + u16(2) + u16(7) + u32(REG0) + b"\0" * 4 + u16(1) + u16(2))),
    (V10, "a", "", nx(13, u16(1) + u16(9) + u16(0) + u32(2) + u16(2) + u16(31) + u32(REG0) + b"\0" * 4 + u16(1) + u16(2))),
    (V10, "a", "", nx(12, u16(1) + u16(0) + u16(0) + u32(2) + u16(2) + u16(0) + u32(0) + b"\0\0\0\1" + u16(1) + u16(2))),
    # learn.
    (V10, "a", "", learn(pad=1)),
    (V10, "a", "", learn(table=255)),
    (V10, "a", "", learn(flags=4)),
    (V10, "a", "", learn(specs=u16(0x1810) + b"\0" * 12)),
    (V10, "a", "", learn(specs=u16(0x2010) + u16(99) + u32(2))),
    (V10, "a", "", learn(specs=u16(0x2010) + u16(99) + u32(2) + u16(0) + u16(0) + u16(1))),
    (V10, "a", "", learn(specs=u16(0x3010) + u16(1))),
    (V10, "a", "", learn(specs=u16(0x0030) + u32(0x00000406) + u16(0) + u32(0x00000206) + u16(0))),
    (V10, "a", "", learn(specs=u16(0x0030) + u32(0x12345606) + u16(0) + u32(0x00000206) + u16(0))),
    (V10, "a", "", learn(specs=u16(0x0030) + u32(0x00000406) + u16(40) + u32(0x00000206) + u16(0))),
    (V10, "a", "", learn2(pad2=1)),
    (V10, "a", "", learn2(rofs=3)),
    (V10, "a", "", learn2(flags=4, rofs=3, rest=nxm_hdr(ETH_TYPE))),
    (V10, "a", "", learn2(flags=4, rofs=3, rest=nxm_hdr(REG0))),
    (V10, "a", "", learn2(flags=8)),
    # conjunction.
    (V10, "a", "", nx(34, b"\0\1" + u32(5))),
    (V10, "a", "", nx(34, b"\2\2" + u32(5))),
    (V10, "a", "", nx(34, b"\0\2" + u32(5)) + output10(1)),
    (V10, "a", "", nx(8, b"\1\2\3\4\5\6") + nx(34, b"\0\2" + u32(5))),
    (V10, "a", "", output10(1) + nx(34, b"\0\2" + u32(5))),
    # multipath.
    (V10, "a", "", nx(10, u16(0) + u16(0) + u16(0) + u16(5) + u16(1) + u32(0) + u16(0) + u16(15) + u32(REG0))),
    (V10, "a", "", nx(10, u16(7) + u16(0) + u16(0) + u16(0) + u16(1) + u32(0) + u16(0) + u16(15) + u32(REG0))),
    (V10, "a", "", nx(10, u16(0) + u16(0) + u16(0) + u16(0) + u16(4) + u32(0) + u16(0) + u16(1) + u32(REG0))),
    (V10, "a", "", nx(10, u16(0) + u16(0) + u16(0) + u16(0) + u16(3) + u32(0) + u16(0) + u16(1) + u32(REG0))),
    # sample.
    (V10, "a", "", nx(29, u16(0) + u32(1) + u32(2) + u32(3))),
    (V10, "a", "", nx(41, u16(1) + u32(1) + u32(2) + u32(3) + u16(2) + b"\3" + b"\0" * 5)),
    (V10, "a", "", nx(41, u16(1) + u32(1) + u32(2) + u32(3) + u16(2) + b"\1" + b"\0\0\0\0\1")),
    (V10, "a", "", nx(38, u16(1) + u32(1) + u32(2) + u32(3) + u16(2) + b"\1" + b"\0\0\0\0\1")),
    # ct / nat.
    (V10, "a", "", ct(2)),
    (V10, "a", "", ct(1, zone_src=REG0, zone=(0 << 6) | 7)),
    (V10, "a", "", ct(1, zone_src=REG0, zone=(0 << 6) | 15)),
    (V10, "a", "", ct(1, nested=output10(1))),
    (V10, "a", "", ct(1, nested=reg_load(0, 8, REG0, 1))),
    (V10, "a", "", ct(0, nested=nat(0))),
    (V10, "a", "", ct(0, nested=nat(1, 1, u32(0x0a000001)))),
    (V10, "a", "", ct(1, nested=nat(3))),
    (V10, "a", "", ct(1, nested=nat(1, 1, u32(0)))),
    (V10, "a", "", ct(1, nested=nat(1, 16, u16(5)))),
    (V10, "a", "", ct(1, nested=nat(1, 3, u32(0x0a000002) + u32(0x0a000001)))),
    (V10, "a", "", ct(1, nested=nat(1, 2, u32(0x0a000001)))),
    (V10, "a", "", ct(1, nested=nat(1, 1 | 16 | 32, u32(0x0a000001) + u16(10) + u16(5)))),
    (V10, "a", "", ct(1, nested=nat(0x18, 1, u32(0x0a000001)))),
    (V10, "a", "", ct(1, nested=nat(0x40))),
    (V10, "a", "", ct(1, nested=nat(2, 4 | 8, b"\x20\x01" + b"\0" * 13 + b"\2" + b"\x20\x01" + b"\0" * 13 + b"\1"))),
    (V10, "a", "", ct(1, nested=nat(2, 5, u32(1) + b"\0" * 16))),
    (V10, "a", "", ct(1, nested=nat(2, 1 | 16, u32(0x0a000001)))),
    (V10, "a", "", nat(0)),
    (V10, "a", "", set_field(oxm(0x0001, 107, u32(1))) if False else nx(33, oxm(0x0001, 107, u32(1)))),
    (V10, "a", "", ct(1, nested=nx(33, oxm(0x0001, 107, u32(1))))),
    (V10, "a", "", ct(1, nested=nx(33, oxm(0x0001, 107, u32(1))) + nat(0))),
    (V15, "a", "", nx(42, b"\0" * 6 + std(29, u32(1)))),
    (V15, "a", "", std(29, u32(1)) + output11(1)),
    (V15, "a", "", output11(1) + std(29, u32(1))),
    (V10, "a", "", nx(42, b"\0" * 6 + nat(0))),
    (V10, "a", "", nx(42, b"\0" * 6 + nx(42, b"\0" * 6 + output10(1)))),
    (V10, "a", "", nx(42, b"\0" * 6 + nx(22, b"\0" * 6 + u64(1) + u64(1)))),
    # encap / decap / misc.
    (V13, "a", "", nx(46, u16(0) + u32(0x12345678))),
    (V13, "a", "", nx(46, u16(0) + u32(0x0001894f) + u16(9) + b"\1\5\1\0\0\0")),
    (V13, "a", "", nx(46, u16(0) + u32(0x0001894f) + u16(4) + b"\1\x10\1\0\0\0")),
    (V13, "a", "", nx(46, u16(0) + u32(0x0001894f) + u16(4) + b"\2\x08\1\0\0\0")),
    (V13, "a", "", nx(46, u16(0) + u32(0x0001894f) + u16(4) + b"\x03\x05\1\0\0\0")),
    (V13, "a", "", nx(47, b"\0\0" + u32(0x00000000) + b"\0" * 8)),
    (V10, "a", "", nx(46, u16(0) + u32(0))),
    (V10, "a", "", nx(22, b"\0" * 5 + b"\1" + u64(1) + u64(1))),
    (V10, "a", "", nx(255, b"")),
    (V13, "a", "", nx(49, u16(1500) + u16(0) + nxm_hdr(REG0) + b"\0" * 5 + b"\1")),
    (V13, "a", "", nx(49, u16(1500) + u16(40) + nxm_hdr(REG0) + b"\0" * 6)),
    (V13, "a", "", nx(50, nxm_hdr(REG0) + b"\0" * 10)),
    (V13, "a", "", nx(50, nxm_hdr(0x12345604) + b"\0" * 10)),
    # Instructions.
    (V13, "i", "", inst(7, b"\0" * 4)),
    (V13, "i", "", inst(0xffff, u32(0x2320))),
    (V13, "i", "", inst(1, b"\0" * 12)),
    (V13, "i", "", apply_(output11(1)) + apply_(output11(2))),
    (V13, "i", "", b"\0\4\0\x0c\0\0\0\0\0\0\0\0" + b"\0" * 4),
    (V13, "i", "", b"\0\4\0\x08\0\0\0\0\0\0"),
    (V15, "i", "", meter_i(1)),
    (V11, "i", "", meter_i(1)),
    (V13, "i", "", meter_i(0)),
    (V13, "i", "", meter_i(0xffff0001)),
    (V13, "i", "", write_(nx(8, b"\1\2\3\4\5\6"))),
    (V13, "i", "", write_(output11(1) + std(25, oxm(0x0001, 0, u32(1))))),
    (V13, "i", "5", goto(3)),
    (V13, "i", "5", goto(5)),
    (V13, "i", "5", goto(6)),
    (V13, "i", "", goto(255)),
    (V13, "i", "", goto(254)),
    (V13, "i", "", apply_(set_field(oxm(0x8000, 11, u32(0x01020304))))),
    (V13, "i", "", apply_(std(6, u32(0x01020304)))),
    (V10, "i", "", std(6, u32(0x01020304))),
    (V10, "i", "", nx(22, b"\0" * 6 + u64(1) + u64(1)) + output10(1)),
    (V10, "i", "", output10(1) + nx(22, b"\0" * 6 + u64(1) + u64(1))),
    (V13, "i", "", apply_(std(17, u16(0x8100)) * 3)),
    (V13, "i", "", apply_(std(17, u16(0x8100)) * 2)),
    (V13, "i", "", apply_(nx(44, u16(0xfff8) + b"\x03\0\0\0"))),
    (V13, "i", "", apply_(nx(50, nxm_hdr(REG0) + b"\0" * 10))),
    (V13, "i", "", apply_(nx(50, struct.pack(">I", (1 << 16) | (40 << 9) | 124) + b"\0" * 10))),
    (V13, "i", "", apply_(std(18, b""))),
    (V10, "i", "", std(3, b"")),
    (V10, "i", "", std(1, u16(5))),
    (V11, "i", "", apply_(std(1, u16(5)))),
    (V13, "i", "", apply_(ct(1))),
    (V13, "i", "", apply_(reg_move(16, 0, 0, nxm_hdr(0x00000c01 + 0x0) , nxm_hdr(REG1)))),
    (V13, "i", "", apply_(output11(0xfffffffd))),
    (V13, "i", "", apply_(output11(0xfeff))),
    (V13, "i", "", apply_(nx(12, u16(1) + u16(0) + u16(0) + u32(2) + u16(1) + u16(0) + u32(0) + b"\0" * 4 + u16(1)))),
    (V13, "i", "", apply_(learn(specs=u16(0x0810) + u32(0x00000002) + u16(0) + u32(0x00000a02) + u16(0)))),
    (V13, "i", "", apply_(learn(specs=u16(0x0020) + u32(0x00000c04) + u16(0) + u32(0x00000c04) + u16(0)))),
    (V13, "i", "", apply_(learn(specs=u16(0x2010) + u16(0x800) + u32(0x00000a02) + u16(0) + u16(0x0020) + u32(0x00000c04) + u16(0) + u32(0x00000c04) + u16(0)))),
    (V13, "i", "", apply_(nx(19, u16(1) + u16(2) + u16(0)))),
    (V10, "i", "", nx(19, u16(1) + u16(2) + u16(0))),
    (V10, "i", "", nx(48, b"")),
    (V13, "i", "", apply_(nx(48, b""))),
    (V13, "i", "", apply_(std(16, b""))),
    (V13, "i", "", apply_(std(19, u16(0x8847)) + std(16, b""))),
    (V13, "i", "", apply_(nx(36, b"\0" * 6))),
]

def run(v, kind, table, data):
    line = (table + "," if table else "") + data.hex()
    cmd = "parse-actions" if kind == "a" else "parse-instructions"
    r = subprocess.run(["ovs-ofctl", cmd, v], input=line + "\n", capture_output=True, text=True)
    out = r.stdout.strip().splitlines()
    if r.returncode != 0 or not out:
        return "FAIL(%s)" % r.stderr.strip().replace("\n", " ")[:100]
    if out[0].startswith("bad "):
        return out[0].rsplit(": ", 1)[1]
    assert out[0].startswith("actions="), out
    return "OK" + ("(reencoded-differently)" if len(out) > 1 else "")

for v, kind, table, data in CASES:
    print("%s|%s|%s|%s|%s" % (v, kind, table, data.hex(), run(v, kind, table, data)))
