import json, os, subprocess, sys, hashlib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tarrs_model as M

H = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RAW = H + "/raw"
GO_SRC = "golang/go go1.26.6 src/archive/tar/testdata/%s (BSD-3-Clause)"
GO_SRC_OBS = "golang/go go1.26.6 src/archive/tar/testdata/%s.base64, base64-decoded (BSD-3-Clause; identical to the plain file in go1.24.4 and go1.21.13)"
TR_SRC = "alexcrichton/tar-rs @2349b494827807791473f3c6ca9b2fc5ef274cdb tests/archives/%s (MIT OR Apache-2.0)"
CP_SRC = "python/cpython v3.13.5 Lib/test/archivetestdata/%s (PSF-2.0)"

go_expect = {
 "file-and-dir.tar": "writer_test TestWriter: written by Writer; entries small.txt (reg, 5 bytes 'Kilts'), dir/ (dir, Typeflag promoted from the trailing slash)",
 "gnu-incremental.tar": "TestReader: entries test2/ (typeflag 'D', size 14), test2/foo (reg, 64), test2/sparse (typeflag 'S', size 536870912); GNU atime/ctime set",
 "gnu-long-nul.tar": "TestReader: one entry '0123456789' -- the GNU long name is truncated at its first NUL even though data follows it",
 "gnu-multi-hdrs.tar": "TestReader: one symlink GNU2/GNU2/long-path-name -> GNU4/GNU4/long-linkpath-name (repeated L/K headers: the last one wins, like GNU/BSD/star tar)",
 "gnu-nil-sparse-data.tar": "TestReader: sparse.db, TypeGNUSparse, size 1000 (sparse map with only data)",
 "gnu-nil-sparse-hole.tar": "TestReader: sparse.db, TypeGNUSparse, size 1000 (sparse map with only a hole)",
 "gnu-not-utf8.tar": "TestReader: one entry named 'hi\\x80\\x81\\x82\\x83bye' (not UTF-8)",
 "gnu-sparse-big.tar": "writer_test (obscured): GNU sparse entry gnu-sparse, size 60000000000, sparse map with holes",
 "gnu-sparse-many-zeros.tar.bz2": "TestReader: errSparseTooLong ('archive/tar: sparse map too long') -- small bz2 that expands (40 MB) into a huge GNU 1.0 sparse map; kept compressed",
 "gnu-utf8.tar": "TestReader: one entry with a 162-byte UTF-8 name (GNU long name), uname '☺', gname '⚹'",
 "gnu.tar": "TestReader: small.txt (5), small2.txt (11)",
 "hardlink.tar": "writer_test: file.txt (reg, 15 bytes), hard.txt (hardlink -> file.txt)",
 "hdr-only.tar": "TestReadHeaderOnly: 16 headers (dir, fifo, file, hardlink, chardev, blockdev, symlink, badlink -> missing, then the same 8 with size set); non-regular entries must yield no data even when their size field is non-zero",
 "invalid-go17.tar": "TestReader: one entry named 'a'*97 + '/foo' (101 bytes, split into GNU-magic header + prefix by a buggy pre-Go1.8 writer), Uid 010000000",
 "issue10968.tar": "TestReader: ErrHeader (fuzzed header, golang.org/issue/10968)",
 "issue11169.tar": "TestReader: ErrHeader (fuzzed PAX header, golang.org/issue/11169)",
 "issue12435.tar": "TestReader: ErrHeader (fuzzed sparse header, golang.org/issue/12435)",
 "neg-size.tar": "TestReader (obscured): ErrHeader (negative base-256 size)",
 "nil-uid.tar": "TestReader: P1050238.JPG.log, uid/gid fields all NUL -> 0 (golang.org/issue/5290)",
 "pax-bad-hdr-file.tar": "TestReader: ErrHeader (malformed PAX record)",
 "pax-bad-hdr-large.tar.bz2": "TestReader: ErrFieldTooLong (PAX header larger than 1 MiB; 1,051,136 bytes once decompressed, so kept as .bz2)",
 "pax-bad-mtime-file.tar": "TestReader: ErrHeader (malformed PAX mtime)",
 "pax-global-records.tar": "TestReader: g 'global1' (records path=global1, mtime=1500000000.0), file1 (USTAR), file2 (PAX path=file2), g 'GlobalHead.0.0' (path=''), file3, file4 (mtime=1400000000); global records are returned, not merged",
 "pax-multi-hdrs.tar": "TestReader: symlink 'bar' -> PAX4/PAX4/long-linkpath-name (repeated x headers: the last wins)",
 "pax-nil-sparse-data.tar": "TestReader: sparse.db, reg, size 1000, PAX GNU.sparse 1.0 records (size=1512, realsize=1000, name=sparse.db)",
 "pax-nil-sparse-hole.tar": "TestReader: sparse.db, reg, size 1000, PAX GNU.sparse 1.0 (size=512)",
 "pax-nul-path.tar": "TestReader: ErrHeader (PAX path value contains NUL; BSD tar rejects, GNU tar truncates)",
 "pax-nul-xattrs.tar": "TestReader: ErrHeader (NUL in a PAX record key)",
 "pax-path-hdr.tar": "TestReadTruncation: a PAX header (path record) with no following header; its truncations must give io.ErrUnexpectedEOF / io.EOF as listed there",
 "pax-pos-size-file.tar": "TestReader: foo, size 999 from PAX size='000000000000000000000999' (leading zeros allowed)",
 "pax-records.tar": "TestReader: 'file' with PAX records GOLANG.pkg=tar, comment='Hello, 世界', uname='long'*10",
 "pax-sparse-big.tar": "writer_test (obscured): PAX sparse entry pax-sparse, size 60000000000",
 "pax.tar": "TestReader: a 194-byte PAX path (reg, 7 bytes) and symlink a/b -> 192-byte PAX linkpath",
 "sparse-formats.tar": "TestReader: sparse-gnu (S, 200), sparse-posix-0.0, sparse-posix-0.1, sparse-posix-1.0 (reg, 200 each, PAX GNU.sparse.* records), end (4); data checksums given",
 "star.tar": "TestReader: small.txt, small2.txt with star atime/ctime",
 "trailing-slash.tar": "TestReader: one dir whose 300-byte PAX path is '123456789/'*30",
 "ustar-file-devs.tar": "TestReader: 'file', reg, with Devmajor 1 / Devminor 1 (USTAR)",
 "ustar-file-reg.tar": "TestReadTruncation input: one regular file foo (684 bytes); truncations must give io.ErrUnexpectedEOF / io.EOF",
 "ustar.tar": "writer_test: one file 'longname/'*15 + 'file.txt' split into USTAR prefix+name, 6 bytes",
 "v7.tar": "TestReader: small.txt, small2.txt (V7 format, mode 0444)",
 "writer-big-long.tar": "writer_test (obscured): header only for a 16 GiB file named 'longname/'*15 + '16gig.txt' (PAX); data absent",
 "writer-big.tar": "writer_test: header only for tmp/16gig.txt, size 16 GiB; data absent",
 "writer.tar": "writer_test: small.txt, small2.txt, link.txt -> small.txt (GNU tar 1.26, -b 1)",
 "xattrs.tar": "TestReader: small.txt, small2.txt with SCHILY.xattr.* records (one value ends in NUL)",
}
obscured = {"gnu-sparse-big.tar", "neg-size.tar", "pax-sparse-big.tar", "writer-big-long.tar"}

tr_expect = {
 "7z_long_path.tar": "long_path / unpack_path_larger_than_windows_max_path: unpack succeeds (dir name over 100 bytes written by 7-Zip)",
 "biguid_gnu.tar": "pax_and_gnu_uid_gid: ./test.txt with uid/gid 4294967294 in GNU base-256; as root unpack with preserved ownership gives that uid/gid, otherwise unpack errors",
 "biguid_pax.tar": "pax_and_gnu_uid_gid: same with PAX uid/gid records",
 "directory.tar": "extracting_directories: a/ (dir), a/b/ (dir), a/c (file)",
 "duplicate_dirs.tar": "extracting_duplicate_dirs: some_dir/ twice; unpack succeeds",
 "empty_filename.tar": "empty_filename: one directory entry with an empty name; unpack succeeds (the entry is skipped)",
 "file_times.tar": "file_times: 'a' with mtime and atime 1000000000",
 "link.tar": "links / unpack_links / extracting_duplicate_link_*: lnk -> file (symlink, mtime 1448291033), file (14 bytes)",
 "pax.tar": "pax_simple: first entry has PAX mtime, atime, ctime records (in that order)",
 "pax2.tar": "pax_path / pax_linkpath: long PAX path ending aaaaaaaaaaaaaaa; 4th and 5th entries are a symlink and a hardlink with >99-byte PAX linkpaths",
 "pax_size.tar": "pax_size: header size field 0, 4th PAX record size=4 -> entry.size() == 4",
 "reading_files.tar": "reading_files / reading_entries / extracting_duplicate_file_*: a and b (22 bytes each)",
 "simple.tar": "simple_concat / header_impls: a, b, c; when two copies are concatenated reading stops at the first zero block unless ignore_zeros",
 "simple_missing_last_header.tar": "header_impls_missing_last_header: a, b, c; archive lacks the second end block and must still read",
 "spaces.tar": "octal_spaces: numeric fields padded with spaces: mode 0o777, uid 0, gid 0, size 2, mtime 0o12440016664, cksum 0o4253",
 "sparse-1.tar": "sparse_with_trailing: GNU sparse a.big whose last data chunk is followed by trailing data",
 "sparse-large.tar": "large_sparse: GNU sparse 'huge' (real size 12626929280) with extended sparse headers; header info only",
 "sparse.tar": "reading_sparse / extract_sparse: sparse_begin.txt, sparse_end.txt, sparse_ext.txt (extended sparse headers), sparse.txt with the hole/data layout asserted byte by byte",
 "xattrs.tar": "xattrs / no_xattrs: a/, a/b with user.pax.flags xattr",
}


def sh(p):
    return hashlib.sha256(open(p, "rb").read()).hexdigest()


def short(b, n=120):
    if b is None:
        return None
    s = b.decode("utf-8", "backslashreplace")
    return s if len(s) <= n else s[:50] + "...(%d bytes)..." % len(b) + s[-30:]


def tarrs_view(path):
    if path.endswith(".bz2"):
        return None
    buf = open(path, "rb").read()
    kw = {}
    res = []
    for e in M.listing(buf, **kw):
        if "error" in e:
            res.append("error: " + e["error"]); break
        t = e["type"] if e["type"] != "\0" else "\\0"
        s = "%s %s" % (t, short(e["path"]))
        if e["link"] and e["type"] in ("1", "2"):
            s += " -> " + short(e["link"])
        s += " (%d)" % e["size"]
        res.append(s)
    return res


def go_views(paths):
    env = dict(os.environ, GODEBUG="tarinsecurepath=0")
    out = subprocess.run([os.environ.get("GOLIST", os.path.join(os.path.dirname(os.path.abspath(__file__)), "golist", "golist"))] + paths, capture_output=True, text=True, env=env).stdout
    res = {}
    for line in out.splitlines():
        f, v = line.split("\t", 1)
        res[f] = json.loads(v) if v != "null" else []
    return res


gen_notes = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen_raw_notes.json")))
entries = []
files = []
for f in sorted(os.listdir(RAW + "/go")):
    if f == "LICENSE": continue
    files.append(("go/" + f, (GO_SRC_OBS if f in obscured else GO_SRC) % f, go_expect[f]))
for f in sorted(os.listdir(RAW + "/tar-rs")):
    if not f.endswith(".tar"): continue
    files.append(("tar-rs/" + f, TR_SRC % f, tr_expect[f]))
files.append(("cpython/recursion.tar", CP_SRC % "recursion.tar", "test_length_zero_header (bpo-39017, CVE-2019-20907): tarfile.open raises ReadError 'file could not be opened successfully' (a PAX header with a zero-length record used to loop forever)"))
files.append(("cpython/testtar.tar", CP_SRC % "testtar.tar", "the general tarfile test archive: ustar/gnu/pax/misc members of every type, sparse files, 500+-byte long names and links, bad checksums (misc/regtype-hpux-signed-chksum-*, misc/regtype-old-v7-signed-chksum-*), pax/bad-pax-*, pax/hdrcharset-*; see ListTest / MiscReadTest / LongnameTest"))
cp_gen_expect = {
 "pax-bad-format": "test_pax_header_bad_formats: tarfile.open raises ReadError \"... method tar: ReadError('invalid header')\"",
 "offset-invalid-posix": "OffsetValidationTests.test_invalid_offset_header_validations (CVE-2025-8194): ReadError 'file could not be opened successfully'",
 "offset-invalid-gnu": "OffsetValidationTests.test_invalid_offset_header_validations (CVE-2025-8194): ReadError 'file could not be opened successfully'",
 "offset-invalid-v7": "OffsetValidationTests.test_invalid_offset_header_validations (CVE-2025-8194): ReadError 'file could not be opened successfully'",
 "offset-early-stop": "test_early_stop_at_invalid_offset_header: exactly one member 'filename' at offset 0",
 "offset-ignore-invalid-archive": "test_ignore_invalid_archive: with ignore_zeros=True, zero members",
 "offset-ignore-invalid-1": "test_ignore_invalid_offset_headers: with ignore_zeros=True, one member 'filename' at offset 0",
 "offset-ignore-invalid-2": "test_ignore_invalid_offset_headers: with ignore_zeros=True, one member 'filename' at offset 1024",
 "big-size": "test_getmembers_big_size (gh-151981, CVE-2026-11972): stream mode 'r|' getmembers() raises ReadError instead of looping",
 "premature-end": "test_premature_end_of_archive: iterating, extract() and extractfile().read() raise ReadError 'unexpected end of data'",
 "truncated-longname-gnu": "LongnameTest.test_truncated_longname: tarfile.open raises ReadError",
}
tr_gen_expect = {
 "pax-size-smuggle.tar": "pax_size_smuggled_symlink: only regular.txt (reg) is listed; the symlink smuggled -> /etc/shadow inside the 2048-byte PAX-sized body must not appear",
 "pax-overrides-extension-header.tar": "pax_size_does_not_apply_to_extension_headers (GHSA-3cv2-h65g-fgmm, fixed in 0.4.46): entries ['longname.txt', 'file_b']",
 "incorrect-file-size.tar": "handling_incorrect_file_size: unpack errors and iteration yields an error",
 "header-size-overflow-1.tar": "header_size_overflow: the first next() is an error containing 'size overflow'",
 "header-size-overflow-2.tar": "header_size_overflow: first entry ok, the second next() errors with 'size overflow'",
 "extracting-malicious-tarball.tar": "extracting_malicious_tarball: unpack succeeds; absolute names are written below the destination with leading '/' removed (tmp/abs_evil*.txt), names with '..' are skipped, nothing is created outside (and no 'some' dir)",
}
for rel, note in sorted(gen_notes.items()):
    proj, _, f = rel.partition("/")
    if proj == "cpython":
        key = f.split("/")[-1][:-4]
        key = next(k for k in cp_gen_expect if key.startswith(k))
        files.append((rel, "generated here from the recipe in python/cpython v3.13.5 Lib/test/test_tarfile.py (Debian 3.13.5-2+deb13u5 for the CVE-2025-8194 / CVE-2026-11972 tests): " + note, cp_gen_expect[key]))
    elif proj == "tar-rs":
        files.append((rel, "generated here from the recipe in alexcrichton/tar-rs tar 0.4.46 tests/all.rs: " + note, tr_gen_expect[f.split("/")[-1]]))
    else:
        files.append((rel, "constructed for gorig (no upstream test): " + note, "guard must see exactly what tar 0.4.46 sees (see views.tar-0.4.46-model); an official toolchain archive never looks like this, so refusing it is also right"))

gv = go_views([RAW + "/" + r for r, _, _ in files])
out = []
for rel, src, exp in files:
    p = RAW + "/" + rel
    out.append({
        "file": "raw/" + rel,
        "source": src,
        "expect": exp,
        "sha256": sh(p),
        "views": {
            "go1.26.6-archive/tar": gv.get(p),
            "tar-0.4.46-model": tarrs_view(p),
        },
    })
json.dump(out, open(RAW + "/index.json", "w"), indent=1, ensure_ascii=False)
print(len(out), "raw files indexed")
