"""A Python model of how the `tar` crate 0.4.46 iterates entries.

Written from reading src/archive.rs, src/entry.rs, src/pax.rs, src/header.rs
(tar-0.4.46 from crates.io).  Used only to check what the crate should see in
the hand-made differential archives; the Rust test must use the real crate.
"""
import os
import re

B = 512


class TarRsError(Exception):
    pass


def truncate(b):
    i = b.find(b"\0")
    return b if i < 0 else b[:i]


def octal_from(b):  # header.rs octal_from
    t = truncate(b)
    try:
        s = t.decode("utf-8")
    except UnicodeDecodeError:
        raise TarRsError("numeric field did not have utf-8 text")
    s = s.strip()
    # u64::from_str_radix accepts an optional leading '+'
    body = s[1:] if s.startswith("+") else s
    if not body or any(c not in "01234567" for c in body):
        raise TarRsError("numeric field was not a number: %r" % s)
    v = int(body, 8)
    if v >= 1 << 64:
        raise TarRsError("numeric field was not a number (overflow)")
    return v


def num_field(b):  # header.rs num_field_wrapper_from / numeric_extended_from
    if b[0] & 0x80:
        if len(b) == 8:
            v = b[0] ^ 0x80
            rest = b[1:]
        else:
            v = 0
            rest = b[len(b) - 8:]
        for x in rest:
            v = (v << 8) | x
        return v & ((1 << 64) - 1)
    return octal_from(b)


def is_ustar(h):
    return h[257:263] == b"ustar\0" and h[263:265] == b"00"


def is_gnu(h):
    return h[257:263] == b"ustar " and h[263:265] == b" \0"


def header_path(h):
    if is_ustar(h):
        prefix, name = h[345:500], h[0:100]
        if prefix[0] == 0 and b"\\" not in name:
            return truncate(name)
        p = truncate(prefix)
        return (p + b"/" if p else b"") + truncate(name)
    return truncate(h[0:100])


def header_link(h):
    return truncate(h[157:257]) if h[157] != 0 else None


def pax_lines(data):  # pax.rs PaxExtensions::next
    for line in data.split(b"\n"):
        if line == b"":
            return
        sp = line.find(b" ")
        rec = None
        if sp >= 0:
            n = None
            if re.fullmatch(rb"\+?[0-9]+", line[:sp]):
                n = int(line[:sp].lstrip(b"+"))
            if n is not None and len(line) + 1 == n:
                eq = line.find(b"=", sp + 1)
                if eq >= 0:
                    rec = (line[sp + 1:eq], line[eq + 1:])
        yield rec  # None == malformed


def pax_value_u64(data, key):  # pax.rs pax_extensions_value
    for rec in pax_lines(data):
        if rec is None:
            return None
        k, v = rec
        if k != key:
            continue
        try:
            s = v.decode()
            body = s[1:] if s.startswith("+") else s
            if not body.isdigit():
                return None
            r = int(body)
            return r if r < 1 << 64 else None
        except Exception:
            return None
    return None


def pax_first(data, key):  # entry.rs path_bytes / link_name_bytes
    for rec in pax_lines(data):
        if rec is not None and rec[0] == key:
            return rec[1]
    return None


def entries(buf, ignore_zeros=False, max_buffer=None):
    """Yield dicts {type, path, link, size, header_pos}; raises TarRsError."""
    pos = 0

    def raw(pax):
        nonlocal pos
        while True:
            if pos > len(buf):
                raise TarRsError("unexpected EOF during skip")
            h = buf[pos:pos + B]
            if len(h) == 0:
                return None
            if len(h) < B:
                raise TarRsError("failed to read entire block")
            hpos = pos
            if any(h):
                pos += B
                break
            if not ignore_zeros:
                return None
            pos += B
        s = sum(h[:148]) + sum(h[156:]) + 8 * 32
        if s != octal_from(h[148:156]):
            raise TarRsError("archive header checksum mismatch")
        t = h[156:157]
        ext = t in (b"L", b"K", b"x", b"g")
        size = num_field(h[124:136])
        if pax is not None and not ext:
            ps = pax_value_u64(pax, b"size")
            if ps is not None:
                size = ps
        data_pos = pos
        if size + B - 1 >= 1 << 64:
            raise TarRsError("size overflow")
        adv = (size + B - 1) & ~(B - 1)
        if pos + adv >= 1 << 64:
            raise TarRsError("size overflow")
        pos += adv
        return dict(h=h, t=t, size=size, data_pos=data_pos, hpos=hpos)

    while True:
        longname = longlink = pax = None
        processed = 0
        while True:
            processed += 1
            e = raw(pax)
            if e is None:
                if processed > 1:
                    raise TarRsError("members found describing a future member but no future member found")
                return
            recognized = is_gnu(e["h"]) or is_ustar(e["h"])
            def body():
                d = buf[e["data_pos"]:e["data_pos"] + e["size"]]
                if len(d) < e["size"]:
                    raise TarRsError("unexpected EOF reading entry body")
                return d
            if recognized and e["t"] == b"L":
                if longname is not None:
                    raise TarRsError("two long name entries describing the same member")
                longname = body(); continue
            if recognized and e["t"] == b"K":
                if longlink is not None:
                    raise TarRsError("two long name entries describing the same member")
                longlink = body(); continue
            if recognized and e["t"] == b"x":
                if pax is not None:
                    raise TarRsError("two pax extensions entries describing the same member")
                pax = body(); continue
            break
        h = e["h"]
        if longname is not None:
            path = longname[:-1] if longname.endswith(b"\0") else longname
        else:
            path = (pax_first(pax, b"path") if pax is not None else None)
            if path is None:
                path = header_path(h)
        if longlink is not None:
            link = longlink[:-1] if longlink.endswith(b"\0") else longlink
        else:
            link = pax_first(pax, b"linkpath") if pax is not None else None
            if link is None:
                link = header_link(h)
        size_out = e["size"]
        if e["t"] == b"S":  # archive.rs parse_sparse_header
            if not is_gnu(h):
                raise TarRsError("sparse entry type listed but not GNU header")
            blocks = [h[386 + 24 * i:386 + 24 * i + 24] for i in range(4)]
            ext = h[482] == 1
            rpos = e["data_pos"]
            while ext:
                xb = buf[rpos:rpos + B]
                if len(xb) < B:
                    raise TarRsError("failed to read extension")
                rpos += B
                pos += B
                blocks += [xb[24 * i:24 * i + 24] for i in range(21)]
                ext = xb[504] == 1
            cur = 0
            remaining = e["size"]
            for bl in blocks:
                if bl[0] == 0 or bl[12] == 0:
                    continue
                off, ln = num_field(bl[0:12]), num_field(bl[12:24])
                if ln != 0 and (e["size"] - remaining) % B != 0:
                    raise TarRsError("previous block in sparse file was not aligned to 512-byte boundary")
                if off < cur:
                    raise TarRsError("out of order or overlapping sparse blocks")
                cur = off + ln
                if cur >= 1 << 64:
                    raise TarRsError("more bytes listed in sparse file than u64 can hold")
                if ln > remaining:
                    raise TarRsError("sparse file consumed more data than the header listed")
                remaining -= ln
            if cur != num_field(h[483:495]):
                raise TarRsError("mismatch in sparse file chunks and size in header")
            if remaining > 0:
                raise TarRsError("mismatch in sparse file chunks and entry size in header")
            size_out = cur
        yield dict(type=e["t"].decode("latin1"), path=path, link=link, size=size_out,
                   header_pos=e["hpos"], longname_len=None if longname is None else len(longname))


def listing(buf, **kw):
    out = []
    try:
        for e in entries(buf, **kw):
            out.append(e)
    except TarRsError as ex:
        out.append({"error": str(ex)})
    return out
