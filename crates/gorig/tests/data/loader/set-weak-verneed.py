#!/usr/bin/env python3
"""set-weak-verneed.py FILE VERSION: mark the need for VERSION in FILE's
.gnu.version_r as weak (vna_flags |= VER_FLG_WEAK, 0x2), in place.

GNU ld (binutils 2.40) writes vna_flags 0 even when every reference to the
version is a weak undefined symbol, so build.sh sets the flag itself to test
how the loader treats weak version needs (a missing weak version is not an
error). ELF32/ELF64, little-endian only."""
import struct
import sys


def main(path, version):
    data = bytearray(open(path, "rb").read())
    assert data[:4] == b"\x7fELF" and data[5] == 1, "little-endian ELF only"
    is64 = data[4] == 2
    if is64:
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    else:
        shoff, = struct.unpack_from("<I", data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)

    def section(i):
        o = shoff + i * shentsize
        if is64:
            name, typ, _flags, _addr, off, size, link = struct.unpack_from("<IIQQQQI", data, o)
        else:
            name, typ, _flags, _addr, off, size, link = struct.unpack_from("<IIIIIII", data, o)
        return name, typ, off, size, link

    SHT_GNU_verneed = 0x6FFFFFFE
    for i in range(shnum):
        _n, typ, off, size, link = section(i)
        if typ != SHT_GNU_verneed:
            continue
        stroff = section(link)[2]
        def cstr(o):
            return bytes(data[stroff + o:data.index(b"\0", stroff + o)]).decode()
        vn = off
        while True:
            _ver, cnt, _file, aux, nxt = struct.unpack_from("<HHIII", data, vn)
            a = vn + aux
            for _ in range(cnt):
                _hash, flags, _other, name, anext = struct.unpack_from("<IHHII", data, a)
                if cstr(name) == version:
                    struct.pack_into("<H", data, a + 4, flags | 0x2)
                    open(path, "wb").write(data)
                    return 0
                a += anext
            if nxt == 0:
                break
            vn += nxt
    sys.exit(f"set-weak-verneed.py: no need for {version} in {path}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
