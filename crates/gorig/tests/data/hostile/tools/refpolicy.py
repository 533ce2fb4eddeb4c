"""Reference extraction policy R (see hostile/README.md) and a stricter
policy S, simulated on a virtual file system.  Used to compute
`refused_entry` and `may_refuse` for every case in cases.json, and a naive
extractor N (follows everything, checks nothing) used to sanity-check the
`outside` lists.
"""
import os
import re

D = ("s1", "s2", "s3", "s4", "s5", "s6", "D")  # extraction dir, deep on purpose
DSTR = "/" + "/".join(D)
GO = D + ("go",)
MAXHOPS = 40
MAXLEN = 4096


class Refuse(Exception):
    pass


def subst(s):
    return None if s is None else s.replace("{D}", DSTR)


def split(p):
    return [c for c in p.split("/")]


class FS:
    def __init__(self):
        self.n = {(): {"t": "dir"}}
        for i in range(1, len(D) + 1):
            self.n[D[:i]] = {"t": "dir"}
        self.ino = 0

    def resolve(self, start, comps, follow_final=True):
        """Resolve comps (list) from absolute tuple start.  Missing
        components are taken lexically.  Returns (tuple, hops)."""
        cur = list(start)
        work = list(comps)
        hops = 0
        while work:
            c = work.pop(0)
            if c in ("", "."):
                continue
            if c == "..":
                if cur:
                    cur.pop()
                continue
            cand = tuple(cur + [c])
            node = self.n.get(cand)
            last = not any(x not in ("", ".") for x in work)
            if node and node["t"] == "symlink" and (follow_final or not last):
                hops += 1
                if hops > MAXHOPS:
                    raise Refuse("more than %d symlink hops" % MAXHOPS)
                tgt = node["target"]
                if tgt.startswith("/"):
                    cur = []
                work = split(tgt) + work
                continue
            if node and node["t"] not in ("dir", "symlink") and not last:
                raise Refuse("path component %s is not a directory" % "/".join(cand))
            cur.append(c)
        return tuple(cur)

    def symlinks(self):
        return [(k, v) for k, v in self.n.items() if v["t"] == "symlink"]


def inside(p):
    return p[:len(GO)] == GO


def lexical(start, comps):
    cur = list(start)
    for c in comps:
        if c in ("", "."):
            continue
        if c == "..":
            if cur:
                cur.pop()
            continue
        cur.append(c)
    return tuple(cur)


def check_name(name, strict, what="name"):
    if name is None or name == "":
        raise Refuse("empty %s" % what)
    if "\0" in name:
        raise Refuse("NUL in %s" % what)
    if len(name.encode()) > MAXLEN:
        raise Refuse("%s longer than %d bytes" % (what, MAXLEN))
    if name.startswith("/"):
        raise Refuse("absolute %s" % what)
    comps = split(name)
    if comps and comps[-1] == "":
        comps = comps[:-1]
    if strict and any(c in ("", ".") for c in comps):
        raise Refuse("'.' or empty component in %s (strict)" % what)
    comps = [c for c in comps if c not in ("", ".")]
    if any(c == ".." for c in comps):
        raise Refuse("'..' component in %s" % what)
    if not comps or comps[0] != "go":
        raise Refuse("%s not under go/" % what)
    return comps


def run(entries, policy="R"):
    """Return (index_of_refused_entry or None, reason).  policy R, S or N."""
    strict = policy == "S"
    naive = policy == "N"
    fs = FS()
    pending = {}
    created = []
    for i, e in enumerate(entries):
        t = e["type"]
        try:
            if t == "pax":
                for line in e["records_raw"].split("\n"):
                    if not line:
                        break
                    m = re.fullmatch(r"(\d+) ([^=]*)=(.*)", line, re.S)
                    if not m or int(m.group(1)) != len(line.encode()) + 1:
                        continue
                    if m.group(2) in ("path", "linkpath") and m.group(2) not in pending:
                        pending[m.group(2)] = m.group(3)
                continue
            if t == "gnu-longname":
                pending["gnu-longname-length"] = e["length"]
                continue
            name = subst(e["name"])
            if "path" in pending:
                name = pending["path"]
            if "gnu-longname-length" in pending:
                if not naive and pending["gnu-longname-length"] > MAXLEN:
                    raise Refuse("GNU long name of %d bytes (tar 0.4.46 buffers it whole)" % pending["gnu-longname-length"])
                name = e.get("effective_name", name)
            link = subst(e.get("link"))
            if "linkpath" in pending:
                link = pending["linkpath"]
            pending = {}
            if naive:
                comps = [c for c in split(name) if c not in ("", ".")] if name else []
                start = () if name.startswith("/") else D
            else:
                comps = check_name(name, strict)
                start = D
                if t != "dir" and comps == ["go"]:
                    raise Refuse("entry would replace the top directory go/")
            if not comps:
                continue
            parent = fs.resolve(start, comps[:-1]) if comps[:-1] else start
            if not naive:
                if not (inside(parent) or parent == D):
                    raise Refuse("parent resolves outside go/")
                if strict:
                    for k in range(1, len(comps)):
                        node = fs.n.get(tuple(D) + tuple(comps[:k]))
                        if node and node["t"] == "symlink":
                            raise Refuse("entry path goes through a symlink (strict)")
            # implicit parents
            p = list(parent)
            while tuple(p) not in fs.n and p:
                p.pop()
            cur = list(p)
            for c in parent[len(p):]:
                cur.append(c)
                fs.n.setdefault(tuple(cur), {"t": "dir"})
            loc = parent + (comps[-1],)
            old = fs.n.get(loc)
            if t == "dir":
                if old and old["t"] != "dir":
                    if naive:
                        continue
                    raise Refuse("directory entry over an existing %s" % old["t"])
                fs.n[loc] = {"t": "dir"}
            elif t in ("chardev", "blockdev", "fifo"):
                if not naive:
                    raise Refuse("special file")
                fs.n[loc] = {"t": "special"}
            elif t == "symlink":
                if old and old["t"] == "dir":
                    if naive:
                        continue
                    raise Refuse("symlink over an existing directory")
                if not naive:
                    if not link:
                        raise Refuse("empty symlink target")
                    if "\0" in link or len(link.encode()) > MAXLEN:
                        raise Refuse("bad symlink target")
                    if link.startswith("/"):
                        raise Refuse("absolute symlink target")
                    lx = lexical(parent, split(link))
                    if not (inside(lx)):
                        raise Refuse("symlink target lexically outside go/")
                    if strict:
                        lx2 = lexical(D + tuple(comps[:-1]), split(link))
                        if not inside(lx2):
                            raise Refuse("symlink target lexically outside go/ from the entry's own name (strict)")
                    r = fs.resolve(parent, split(link))
                    if not inside(r):
                        raise Refuse("symlink target resolves outside go/")
                fs.n[loc] = {"t": "symlink", "target": link or ""}
            elif t == "hardlink":
                if old and old["t"] == "dir":
                    raise Refuse("hardlink over an existing directory")
                if naive:
                    lcomps = [c for c in split(link) if c not in ("", ".")]
                    tgt = fs.resolve(() if link.startswith("/") else D, lcomps)
                    fs.n[loc] = dict(fs.n.get(tgt, {"t": "file"}))
                    created.append(loc)
                    continue
                lcomps = check_name(link, strict, "hardlink target")
                if strict:
                    for k in range(1, len(lcomps) + 1):
                        node = fs.n.get(tuple(D) + tuple(lcomps[:k]))
                        if node and node["t"] == "symlink":
                            raise Refuse("hardlink target goes through a symlink (strict)")
                tgt = fs.resolve(D, lcomps)
                if not inside(tgt):
                    raise Refuse("hardlink target resolves outside go/")
                node = fs.n.get(tgt)
                if not node:
                    raise Refuse("hardlink target does not exist")
                if node["t"] != "file":
                    raise Refuse("hardlink target is a %s" % node["t"])
                fs.n[loc] = node
            else:  # file
                if old and old["t"] == "dir":
                    if naive:
                        continue
                    raise Refuse("file over an existing directory")
                if naive and old and old["t"] == "symlink":
                    loc = fs.resolve(loc[:-1], [loc[-1]])  # a naive open() follows it
                fs.n[loc] = {"t": "file"}
            created.append(loc)
            if not naive:
                for k, v in fs.symlinks():
                    try:
                        r = fs.resolve(k[:-1], split(v["target"]))
                    except Refuse as ex:
                        raise Refuse("after this entry %s: %s" % ("/".join(k[len(D):]), ex))
                    if not inside(r):
                        raise Refuse("after this entry the earlier symlink %s resolves outside go/" % "/".join(k[len(D):]))
        except Refuse as ex:
            if naive:
                continue
            return i, str(ex), created
        except KeyError:
            raise
    return None, None, created


def rel_to_D(p):
    """Express an absolute virtual tuple relative to D, e.g. ('..','x')."""
    common = 0
    while common < len(D) and common < len(p) and p[common] == D[common]:
        common += 1
    return "/".join([".."] * (len(D) - common) + list(p[common:]))
