import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refpolicy as R

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cases.json")

CP = "python/cpython Lib/test/test_tarfile.py TestExtractionFilters.%s @v3.13.5"
CPD = ("python/cpython Lib/test/test_tarfile.py TestExtractionFilters.%s @v3.13.5 "
       "+ Debian patch %s (upstream 3.13 backport %s, %s), as shipped in Debian libpython3.13-testsuite 3.13.5-2+deb13u5")
CPL = "PSF-2.0"
TRS = "alexcrichton/tar-rs tests/%s %s @tar 0.4.46 (crates.io; git fc459c149f83bf4daceaa52e17d351989002e1a9)"
TRL = "MIT OR Apache-2.0"
GOS = "golang/go src/archive/tar/reader_test.go %s @go1.26.6"
GOL = "BSD-3-Clause"
ISS = "gorig issue (constructed here, no upstream test)"
ISL = "same as gorig"


def F(name, data=None, mode=None, **kw):
    e = {"type": "file", "name": name}
    if data is not None: e["data"] = data
    if mode is not None: e["mode"] = mode
    e.update(kw)
    return e


def DR(name, mode=None):
    e = {"type": "dir", "name": name}
    if mode is not None: e["mode"] = mode
    return e


def SL(name, link, mode=None):
    e = {"type": "symlink", "name": name, "link": link}
    if mode is not None: e["mode"] = mode
    return e


def HL(name, link):
    return {"type": "hardlink", "name": name, "link": link}


cases = []


def case(id, source, licence, what, entries, outside=(), plant=None, origin=None, **extra):
    c = {"id": id, "source": source, "licence": licence, "what": what, "entries": entries}
    c["outside"] = list(outside)
    if plant: c["plant"] = plant
    if origin: c["origin_expect"] = origin
    c.update(extra)
    cases.append(c)


# ------------------------------------------------------------------ CPython
case("cpython-benign-file", CP % "test_benign_file", CPL, "a single empty file; must unpack",
     [F("go/benign.txt")], origin="all filters: go/benign.txt extracted", original_names=["benign.txt"])

case("cpython-absolute", CP % "test_absolute", CPL,
     "member with an absolute name pointing next to go/ (the test uses outerdir/'escaped.evil'; {D} stands for it, see README)",
     [F("{D}/escaped.evil")], outside=["escaped.evil"],
     origin="fully_trusted: written to outerdir/escaped.evil; tar/data: leading '/' stripped, written inside the destination",
     original_names=["<outerdir>/escaped.evil"])

case("cpython-parent-symlink", CP % "test_parent_symlink", CPL,
     "current -> '.', parent -> 'current/..' (lexically '.', really go/..), then a file through parent (jwilk dirsymlink2a)",
     [SL("go/current", "."), SL("go/parent", "current/.."), F("go/parent/evil")], outside=["evil"],
     origin="fully_trusted: ../evil created; tar: OutsideDestinationError at 'parent/evil'; data: v3.13.5 LinkOutsideDestinationError at 'parent' (with the Debian CVE-2026-7774 patch on POSIX the link is rewritten to '.' and evil lands inside)",
     original_names=["current", "parent", "parent/evil"])

steps = "abcdefghijklmnop"
comp = "d" * 235
ents = []
path = "go"
for s in steps:
    ents.append(DR(path + "/" + comp, mode=0o777))
    ents.append(SL(path + "/" + s, comp))
    path = path + "/" + comp
linkpath = "/".join(steps) + "/" + "l" * 254
ents.append(SL("go/" + linkpath, "/".join([".."] * len(steps))))
ents.append(SL("go/escape", linkpath + "/.."))
ents.append(HL("go/flaglink", "go/escape/flag"))
ents.append(F("go/flaglink", "overwrite"))
ents.append(F("go/escape/newfile", "new"))
case("cpython-realpath-limit-attack", CP % "test_realpath_limit_attack", CPL,
     "CVE-2025-4517: 16 nested 235-char dirs with one-letter links a..p to them, a link 'a/.../p/lll..l' -> 16x'..' (really go/), "
     "then escape -> 'a/.../p/lll..l/..' (lexically inside, really go/..), a hardlink through escape to the planted flag, an overwrite through the hardlink and a new file through escape. "
     "The original derives the 235 from PC_PATH_MAX so that os.path.realpath() gives up expanding; 235 assumes D is at most ~80 bytes",
     ents, outside=["newfile"], plant=[{"path": "flag", "data": "capture me"}],
     origin="fully_trusted: flag overwritten, ../newfile created; tar and data: OSError ENAMETOOLONG (or KeyError), flag unchanged",
     original_names=["<component>", "a", "<component>/<component>", "<component>/b", "...", "a/b/.../p/" + "l" * 8 + "...", "escape", "flaglink", "flaglink", "escape/newfile"])

case("cpython-parent-symlink2", CP % "test_parent_symlink2", CPL,
     "current -> '.', then current/parent -> '..' (so go/parent -> go/..), then a file through parent (jwilk dirsymlink2b)",
     [SL("go/current", "."), SL("go/current/parent", ".."), F("go/parent/evil")], outside=["evil"],
     origin="fully_trusted: ../evil; tar: OutsideDestinationError at parent/evil; data (POSIX): LinkOutsideDestinationError at 'current/parent'",
     original_names=["current", "current/parent", "parent/evil"])

case("cpython-absolute-symlink", CP % "test_absolute_symlink", CPL,
     "parent -> absolute path of the directory holding go/ ({D}; the test uses outerdir), then a file through it (jwilk dirsymlink)",
     [SL("go/parent", "{D}"), F("go/parent/evil")], outside=["evil"],
     origin="fully_trusted: ../evil; tar: OutsideDestinationError; data: AbsoluteLinkError 'parent' is a link to an absolute path",
     original_names=["parent", "parent/evil"], original_links=["<outerdir>"])

case("cpython-absolute-hardlink", CP % "test_absolute_hardlink", CPL,
     "hardlink to an absolute path outside ({D}/foo; the test uses outerdir/foo, which does not exist)",
     [HL("go/parent", "{D}/foo")],
     origin="fully_trusted and tar: KeyError (target not in archive); data: AbsoluteLinkError",
     original_names=["parent"], original_links=["<outerdir>/foo"])

case("cpython-sly-relative0", CP % "test_sly_relative0", CPL,
     "member named '../moo' (here go/../moo) that is itself a symlink to '..//tmp/moo' (jwilk relative0)",
     [SL("go/../moo", "..//tmp/moo")], outside=["moo"],
     origin="fully_trusted: ../moo -> ..//tmp/moo (or FileExistsError); tar and data: OutsideDestinationError for '../moo'",
     original_names=["../moo"])

case("cpython-sly-relative2", CP % "test_sly_relative2", CPL,
     "dir tmp/, then member 'tmp/../../moo' (escapes by one level) that is a symlink to 'tmp/../..//tmp/moo' (jwilk relative2)",
     [DR("go/tmp/"), SL("go/tmp/../../moo", "tmp/../..//tmp/moo")], outside=["moo"],
     origin="fully_trusted: ../moo symlink; tar and data: OutsideDestinationError for 'tmp/../../moo'",
     original_names=["tmp/", "tmp/../../moo"])

depth = 14
deep = "/".join("p%d" % i for i in range(depth))
sneaky = "a/" + "../" * depth + "flag"
case("cpython-normpath-realpath-mismatch-symlink",
     CPD % ("test_normpath_realpath_mismatch", "CVE-2026-7774", "0478bd83d82b255e0f29f613367a59d261e7eaa2", "gh-149486"), CPL,
     "a -> deep nonexistent path p0/../p13; escape -> 'a/' + 14x'../' + 'flag': through the link it stays inside, lexically (normpath) it leaves. "
     "The original uses depth = parts of destdir + 5; 14 assumes go/ is 9 components deep",
     [SL("go/a", deep), SL("go/escape", sneaky)], plant=[{"path": "flag", "data": "capture me"}],
     origin="data: LinkOutsideDestinationError (the check must validate the value actually written)",
     original_names=["a", "escape"])
case("cpython-normpath-realpath-mismatch-hardlink",
     CPD % ("test_normpath_realpath_mismatch", "CVE-2026-7774", "0478bd83d82b255e0f29f613367a59d261e7eaa2", "gh-149486"), CPL,
     "as the symlink variant but escape is a hardlink to go/a/../../...flag",
     [SL("go/a", deep), HL("go/escape", "go/" + sneaky)], plant=[{"path": "flag", "data": "capture me"}],
     origin="data: LinkOutsideDestinationError", original_names=["a", "escape"], original_links=[deep, sneaky])

case("cpython-symlink-trailing-slash",
     CPD % ("test_symlink_trailing_slash", "CVE-2026-7774", "0478bd83d82b255e0f29f613367a59d261e7eaa2", "gh-149486"), CPL,
     "symlink member named 'x/' (trailing slash) -> '..', then x/escaped: the slash must not make the link resolve from inside x",
     [SL("go/x/", ".."), F("go/x/escaped", "hi")], outside=["escaped"],
     origin="data: LinkOutsideDestinationError", original_names=["x/", "x/escaped"])

for i, nm in enumerate(["", ".", "./"]):
    case("cpython-link-at-destination-%d" % (i + 1),
         CPD % ("test_link_at_destination", "CVE-2026-7774", "0478bd83d82b255e0f29f613367a59d261e7eaa2", "gh-149486"), CPL,
         "symlink member named %r (the destination itself) -> '.'; adjusted: the destination root is go/ here, so the name is %r" % (nm, "go" + ("/" + nm if nm else "")),
         [SL("go" + ("/" + nm if nm else ""), ".")],
         origin="data: OutsideDestinationError (the destination must not be replaced by a symlink)", original_names=[nm])

chain = [("", ""), ("a/", ".."), ("", "dummy"), ("", "a"), ("b/", ".."), ("", "dummy"), ("", "a/b")]
case("cpython-empty-name-symlink-chain",
     CPD % ("test_empty_name_symlink_chain", "CVE-2026-7774", "0478bd83d82b255e0f29f613367a59d261e7eaa2", "gh-149486"), CPL,
     "empty-named symlinks (= the destination itself, here go) and a/ b/ -> '..' that step by step redirect the destination outwards, then a file; adjusted: '' -> go",
     [SL("go" + ("/" + n if n else ""), t) for n, t in chain] + [F("go/escaped", "hi")], outside=["escaped", "../escaped", "../../escaped"],
     origin="data: FilterError", original_names=[n for n, _ in chain] + ["escaped"])

case("cpython-deep-symlink", CP % "test_deep_symlink", CPL,
     "benign: a 3-byte file, a hardlink to it from another dir, a relative symlink ../targetdir/target; must unpack",
     [F("go/targetdir/target", "\u0000" * 3), HL("go/linkdir/hardlink", "go/targetdir/target"), SL("go/linkdir/symlink", "../targetdir/target")],
     origin="all filters: extracted, links resolve to the 3-byte file",
     original_names=["targetdir/target", "linkdir/hardlink", "linkdir/symlink"], original_links=["targetdir/target", "../targetdir/target"])

case("cpython-chains", CP % "test_chains", CPL,
     "benign: symlinks created before their targets, and a hardlink whose target is a symlink (must link the file it resolves to); must unpack",
     [SL("go/linkdir/symlink", "hardlink"), SL("go/symlink2", "linkdir/hardlink2"), F("go/targetdir/target", "\u0000" * 3),
      HL("go/linkdir/hardlink", "go/targetdir/target"), HL("go/linkdir/hardlink2", "go/linkdir/symlink")],
     origin="all filters: every name is a 3-byte file or a link to one",
     original_names=["linkdir/symlink", "symlink2", "targetdir/target", "linkdir/hardlink", "linkdir/hardlink2"],
     original_links=["hardlink", "linkdir/hardlink2", "targetdir/target", "linkdir/symlink"])

case("cpython-sneaky-hardlink-fallback", CP % "test_sneaky_hardlink_fallback", CPL,
     "CVE-2025-4330: c -> a/t, c/escape -> ../../link_here (fine while c is a/t), c re-pointed to b, then boom = hardlink to c/escape, which no longer exists; "
     "tarfile then extracted the archived member c/escape at boom, where ../../link_here leaves go/",
     [F("go/a/t/dummy"), DR("go/b/"), SL("go/c", "a/t"), SL("go/c/escape", "../../link_here"), SL("go/c", "b"), HL("go/boom", "go/c/escape")],
     origin="data: LinkFallbackError \"link 'boom' would be extracted as a copy of 'c/escape', which was rejected\"; tar/fully_trusted: boom -> ../../link_here",
     original_names=["a/t/dummy", "b/", "c", "c/escape", "c", "boom"], original_links=["a/t", "../../link_here", "b", "c/escape"])

case("cpython-sneaky-hardlink-fallback-deep",
     CPD % ("test_sneaky_hardlink_fallback_deep", "CVE-2026-11940", "771d12dda5140313db0ac550292987975651bbde", "gh-151558"), CPL,
     "a/b/s -> ../escape (inside while it sits in a/b), then s = hardlink to a/b/s: copying or hard-linking the symlink itself to go/s makes ../escape leave go/",
     [SL("go/a/b/s", "../escape"), HL("go/s", "go/a/b/s")],
     origin="data: LinkFallbackError \"link 's' would be extracted as a copy of 'a/b/s', which was rejected\"",
     original_names=["a/b/s", "s"], original_links=["../escape", "a/b/s"])

case("cpython-exfiltration-via-symlink", CP % "test_exfiltration_via_symlink", CPL,
     "CVE-2025-4138: escape -> link/link/../../link-here while link does not exist yet (lexically inside), then link -> ./ makes escape point to go/../link-here",
     [SL("go/escape", "link/link/../../link-here"), SL("go/link", "./")],
     origin="data: no error, but escape is written normalised as 'link-here'; tar/fully_trusted: escape -> link/link/../../link-here (leaves the destination)",
     original_names=["escape", "link"])

case("cpython-chmod-outside-dir", CP % "test_chmod_outside_dir", CPL,
     "CVE-2024-12718: a/pwn -> '.', a directory entry a/pwn/ with mode 0777 (metadata applied later), a/pwn re-pointed to x/../, a/x -> ../: the delayed chmod lands on go/..",
     [SL("go/a/pwn", "."), DR("go/a/pwn/", mode=0o777), SL("go/a/pwn", "x/../"), SL("go/a/x", "../")],
     plant=[{"path": ".", "type": "dir", "mode": 0o755}],
     origin="all filters: no error; the directory outside (outerdir) must not become 0777; data leaves a/pwn -> '.'",
     original_names=["a/pwn", "a/pwn/", "a/pwn", "a/x"])

case("cpython-link-fallback-normalizes", CP % "test_link_fallback_normalizes", CPL,
     "non-normalised names: dir/../afile and hardlinks to dir/../afile and dir/../dir/../afile; CPython unpacks them, a Go-archive extractor refuses '..' in names (as Go's reader does with ErrInsecurePath)",
     [DR("go/dir/"), F("go/dir/../afile"), HL("go/link1", "go/dir/../afile"), HL("go/link2", "go/dir/../dir/../afile")],
     origin="all filters: dir/, afile, link1, link2 extracted",
     original_names=["dir/", "dir/../afile", "link1", "link2"], original_links=["dir/../afile", "dir/../dir/../afile"])

case("cpython-modes", CP % "test_modes", CPL,
     "files and dirs with setuid/setgid/sticky and odd permission bits; must unpack, see data_filter_modes for what CPython's data filter makes of them",
     [F("go/all_bits", mode=0o7777), F("go/perm_bits", mode=0o777), F("go/exec_group_other", mode=0o677),
      F("go/read_group_only", mode=0o040), F("go/no_bits", mode=0o000), DR("go/dir/", mode=0o3077), DR("go/dir_all_bits/", mode=0o7777)],
     origin="data: all_bits 0755, perm_bits 0755, exec_group_other 0644, read_group_only 0640, no_bits 0600, dirs get the default directory mode; tar: setuid/setgid/sticky and group/other write cleared",
     data_filter_modes={"go/all_bits": 0o755, "go/perm_bits": 0o755, "go/exec_group_other": 0o644, "go/read_group_only": 0o640, "go/no_bits": 0o600, "go/dir/": None, "go/dir_all_bits/": None},
     original_names=["all_bits", "perm_bits", "exec_group_other", "read_group_only", "no_bits", "dir/", "dir_all_bits/"])

case("cpython-pipe", CP % "test_pipe", CPL, "a FIFO member", [{"type": "fifo", "name": "go/foo"}],
     origin="fully_trusted/tar: FIFO created; data: SpecialFileError \"'foo' is a special file\"", original_names=["foo"])
for t in ("fifo", "chardev", "blockdev"):
    case("cpython-special-files-%s" % t, CP % "test_special_files", CPL, "a %s member (the test only checks the filter result)" % t,
         [{"type": t, "name": "go/foo"}], origin="data_filter raises SpecialFileError; tar_filter keeps the type", original_names=["foo"])

case("cpython-stateful-filter", CP % "test_stateful_filter", CPL, "good, bad -> '/', good: the absolute symlink in the middle",
     [F("go/good"), SL("go/bad", "/"), F("go/good")], origin="a filter wrapping data_filter drops 'bad' and keeps both 'good'",
     original_names=["good", "bad", "good"])

case("cpython-longname-file-not-directory",
     "python/cpython Lib/test/test_tarfile.py LongnameTest.test_longname_file_not_directory @v3.13.5 + Debian patch CVE-2025-13462 (upstream 3.13 backport ae99fe3a33b43e303a05f012815cef60b611a9c7, gh-141707)",
     CPL,
     "AREGTYPE (typeflag NUL) file whose name needs a long-name record and whose first 100 bytes end in '/': must stay a file, not become a directory. "
     "Adjusted: 'a'*99 became 'a'*96 so that with the go/ prefix the 100-byte header name still ends in '/'",
     [F("go/" + "a" * 96 + "/bbb", typeflag=0)], origin="GNU and PAX: the member read back is still AREGTYPE with the same name",
     original_names=["a" * 99 + "/bbb"])

# ------------------------------------------------------------------ tar-rs
case("tarrs-absolute-symlink", TRS % ("entry.rs", "absolute_symlink"), TRL, "symlink foo -> /bar",
     [SL("go/foo", "/bar")], origin="unpack succeeds; foo is a symlink with link name /bar (tar-rs allows absolute symlinks)",
     original_names=["foo"])
case("tarrs-absolute-hardlink", TRS % ("entry.rs", "absolute_hardlink"), TRL,
     "foo, then bar = hardlink to the absolute path of foo inside the destination ({D}/go/foo; the test uses td.path().join(\"foo\"))",
     [F("go/foo"), HL("go/bar", "{D}/go/foo")], origin="unpack succeeds (absolute hardlink target inside the destination is accepted)",
     original_names=["foo", "bar"], original_links=["<td>/foo"])
case("tarrs-relative-hardlink", TRS % ("entry.rs", "relative_hardlink"), TRL, "benign: foo and hardlink bar -> foo; must unpack",
     [F("go/foo"), HL("go/bar", "go/foo")], origin="unpack succeeds", original_names=["foo", "bar"], original_links=["foo"])
case("tarrs-absolute-link-deref-error", TRS % ("entry.rs", "absolute_link_deref_error"), TRL,
     "foo -> absolute path, then foo/bar. The original target is '/'; {D} is used instead so that an unsafe extractor writes into the test area, not the filesystem root",
     [SL("go/foo", "{D}"), F("go/foo/bar")], outside=["bar"],
     origin="unpack errors; foo stays a symlink; foo/bar is not created", original_names=["foo", "foo/bar"], original_links=["/"])
case("tarrs-relative-link-deref-error", TRS % ("entry.rs", "relative_link_deref_error"), TRL,
     "foo -> ../../../../, then foo/bar (lands 3 levels above the directory holding go/; run with D deep enough)",
     [SL("go/foo", "../../../../"), F("go/foo/bar")], outside=["../../../bar"],
     origin="unpack errors; foo stays a symlink; foo/bar is not created", original_names=["foo", "foo/bar"])
case("tarrs-modify-link-just-created", TRS % ("entry.rs", "modify_link_just_created"), TRL,
     "benign: foo -> bar (dangling), bar/foo, then foo/bar written through the in-tree link; must unpack",
     [SL("go/foo", "bar"), F("go/bar/foo"), F("go/foo/bar")], origin="unpack succeeds: bar/foo, bar/bar, foo/foo, foo/bar all open",
     original_names=["foo", "bar/foo", "foo/bar"])
case("tarrs-modify-outside-with-relative-symlink", TRS % ("entry.rs", "modify_outside_with_relative_symlink"), TRL,
     "symlink -> .., then symlink/foo/bar", [SL("go/symlink", ".."), F("go/symlink/foo/bar")], outside=["foo"],
     origin="unpack errors; <td>/foo does not exist", original_names=["symlink", "symlink/foo/bar"])
case("tarrs-parent-paths-error", TRS % ("entry.rs", "parent_paths_error"), TRL, "foo -> .., then foo/bar",
     [SL("go/foo", ".."), F("go/foo/bar")], outside=["bar"], origin="unpack errors; foo stays a symlink; foo/bar not created",
     original_names=["foo", "foo/bar"])
case("tarrs-good-parent-paths-ok", TRS % ("entry.rs", "good_parent_paths_ok"), TRL, "benign: foo/bar -> ../bar, then bar; must unpack",
     [SL("go/foo/bar", "../bar"), F("go/bar")], origin="unpack succeeds and foo/bar resolves to bar", original_names=["foo/bar", "bar"])
case("tarrs-modify-hard-link-just-created", TRS % ("entry.rs", "modify_hard_link_just_created"), TRL,
     "foo = hardlink to ../test (a file next to the destination), then a regular foo with 1 byte: writing must not go through the hardlink",
     [HL("go/foo", "go/../test"), F("go/foo", "x")], plant=[{"path": "test", "data": ""}],
     origin="unpack errors; ../test stays empty", original_names=["foo", "foo"], original_links=["../test"])
case("tarrs-modify-symlink-just-created", TRS % ("entry.rs", "modify_symlink_just_created"), TRL,
     "foo -> ../test, then a regular foo with 1 byte: the new file must replace the link, not write through it",
     [SL("go/foo", "../test"), F("go/foo", "x")], plant=[{"path": "test", "data": ""}],
     origin="unpack succeeds (the link is replaced) and ../test stays empty", original_names=["foo", "foo"])
case("tarrs-symlink-dir-collision", TRS % ("entry.rs", "symlink_dir_collision_does_not_modify_external_dir_permissions"), TRL,
     "foo -> absolute path of a 0700 directory next to the destination, then a directory entry foo with mode 0777",
     [SL("go/foo", "{D}/target-dir", mode=0o777), DR("go/foo", mode=0o777)], plant=[{"path": "target-dir", "type": "dir", "mode": 0o700}],
     origin="unpack errors; foo stays a symlink; target-dir keeps mode 0700", original_names=["foo", "foo"], original_links=["<td>/target-dir"])

mal = ["/tmp/abs_evil.txt", "//tmp/abs_evil2.txt", "///tmp/abs_evil3.txt", "/./tmp/abs_evil4.txt",
       "//./tmp/abs_evil5.txt", "///./tmp/abs_evil6.txt", "/../tmp/rel_evil.txt", "../rel_evil2.txt",
       "./../rel_evil3.txt", "some/../../rel_evil4.txt", "", "././//./..", "..", "/////////..", "/////////"]
for i, n in enumerate(mal, 1):
    tn = n if n.startswith("/") else ("go/" + n)
    out = []
    if n.startswith("/"):
        out = [os.path.normpath("/" + n.lstrip("/"))] if n.endswith(".txt") else []
    elif "rel_evil" in n:
        out = [n.rsplit("/", 1)[-1]]
    case("tarrs-malicious-tarball-%02d" % i, TRS % ("all.rs", "extracting_malicious_tarball"), TRL,
         "one of the 15 hostile names of the test: %r (a GNU regular file of 1 byte; absolute names kept, relative ones put under go/)" % n,
         [F(tn, "\u0001")], outside=out,
         origin="unpack succeeds: absolute names are stripped of '/' and written inside the destination, names with '..' are skipped, '', '/////////' are skipped; nothing outside",
         original_names=[n])
case("tarrs-large-filename-dot-dot-at-100", TRS % ("all.rs", "large_filename_with_dot_dot_at_100_byte_mark"), TRL,
     "benign long name whose first 100 bytes end in 'tt/..' (the component is '..file'): must not be read as a '..' component. Adjusted: 'tdir/'*19 became 'tdir/'*18 + 'a/' so that with go/ the split still falls after '..'",
     [F("go/" + "tdir/" * 18 + "a/" + "tt/..file", "test", mode=0o644)], origin="the entry reads back with the full name and 4 bytes 'test'",
     original_names=["tdir/" * 19 + "tt/..file"])
case("tarrs-hardlink-to-symlink", "alexcrichton/tar-rs src/entry.rs unpack() hard link branch @tar 0.4.46 (case constructed here after CPython's CVE-2026-11940 test; no tar-rs test)", TRL,
     "a/escape (file), a/b/s -> ../escape (resolves to a/escape), s = hardlink to a/b/s. tar 0.4.46 validates the canonicalised target (inside) and then calls std::fs::hard_link on the symlink path, which on Linux links the symlink itself: go/s -> ../escape then points outside go/. "
     "A safe extractor links the file (or refuses); afterwards no symlink may resolve outside go/",
     [F("go/a/escape", "inside"), SL("go/a/b/s", "../escape"), HL("go/s", "go/a/b/s")],
     origin="(derived from src/entry.rs, not run) unpack succeeds and leaves go/s as a symlink '../escape'")

# ------------------------------------------------------------------ Go
for i, n in enumerate(["../foo", "/foo", "a/b/../../../c"], 1):
    tn = n if n.startswith("/") else "go/" + n
    out = ["/foo"] if n == "/foo" else [n.rsplit("/", 1)[-1]]
    case("go-insecure-path-%d" % i, GOS % "TestInsecurePaths", GOL,
         "insecure name %r followed by a secure one (Go's reader returns ErrInsecurePath for the first, non-sticky)" % n,
         [F(tn), F("go/secure")], outside=out, origin="GODEBUG=tarinsecurepath=0: Next() returns ErrInsecurePath with Name %r, then 'secure' with no error" % n,
         original_names=[n, "secure"])

# ------------------------------------------------------------------ issue
case("issue-current-parent-chain", ISS, ISL,
     "the issue's chain: go/current -> '.', go/parent -> 'current/..' (lexically go/, really the directory holding go/), then go/parent/x (same shape as cpython-parent-symlink)",
     [SL("go/current", "."), SL("go/parent", "current/.."), F("go/parent/x", "x")], outside=["x"])
case("issue-current-parent-chain-deeper", ISS, ISL,
     "as issue-current-parent-chain but parent -> 'current/../..', reaching the parent of the directory holding go/",
     [SL("go/current", "."), SL("go/parent", "current/../.."), F("go/parent/x", "x")], outside=["../x"])
case("issue-deep-chain-to-outer", ISS, ISL,
     "links whose lexical '..' count stays inside: l1 -> ../../.. (go/), l2 -> l1/../../.. (lexically go/a, really 3 levels above go/), then a file through l2",
     [DR("go/a/"), DR("go/a/b/"), DR("go/a/b/c/"), SL("go/a/b/c/l1", "../../.."), SL("go/a/b/c/l2", "l1/../../.."), F("go/a/b/c/l2/x", "x")],
     outside=["../../x"])
ents = [DR("go/a/"), DR("go/a/b/"), DR("go/a/b/c/"), SL("go/a/b/c/l1", "../../..")]
for k in range(2, 13):
    ents.append(SL("go/a/b/c/l%d" % k, "l%d/../../.." % (k - 1)))
ents.append(SL("go/root", "a/b/c/l12"))
ents.append(F("go/a/b/c/l12{D}/evil", "evil"))
case("issue-deep-chain-to-root", ISS, ISL,
     "CVE-2025-4517-style: l1 .. l12, each lexically resolving to go/a but each really 3 levels above the previous one, so l12 (and go/root -> a/b/c/l12) is '/'; "
     "the last file goes through l12 and then down the absolute path of the directory holding go/ ({D}), landing next to go/",
     ents, outside=["evil"])
ents = [SL("go/l0", ".")] + [SL("go/l%d" % k, "l%d" % (k - 1)) for k in range(1, 30)] + [SL("go/escape", "l29/.."), F("go/escape/x", "x")]
case("issue-long-symlink-chain-escape", ISS, ISL,
     "30 chained in-tree links l29 -> l28 -> ... -> l0 -> '.', then escape -> 'l29/..' (lexically go/, really go/..): a resolver with a small hop limit that falls back to lexical checks accepts it; the kernel (40 hops) follows it",
     ents, outside=["x"])

LL = 268435456
tail = "hidden-link"
assert (LL - 3 - len(tail)) % 2 == 0
S = 512 + LL + 512


def pax_rec(k, v):
    rest = 3 + len(k.encode()) + len(v.encode())
    n = rest + 1
    while len(str(n)) + rest != n:
        n = len(str(n)) + rest
    return "%d %s=%s\n" % (n, k, v)


recs = pax_rec("comment", "a\n" + pax_rec("size", "1")[:-1]) + pax_rec("size", str(S))
case("issue-pax-hides-gnu-longname", ISS, ISL,
     "the issue's parser differential, full size: a PAX header whose first record (comment) has a newline in its value, then size=%d; go/ok (header size 0, no data); "
     "a GNU long-name entry of 256 MiB ('go/' + './'*134217721 + 'hidden-link'); a symlink whose own header name is go/innocent -> '/'. "
     "Length-prefix readers (Go, CPython, a careful guard) apply size to go/ok and skip the long name and the symlink; tar 0.4.46 splits PAX data on '\\n', "
     "stops at the malformed first line, ignores size, buffers the 256 MiB name in memory and yields the symlink. A guard must parse like tar (and cap long names before reading them). "
     "raw/gorig/pax-newline-hides-longname.tar is the same archive with a 614-byte name" % S,
     [{"type": "pax", "name": "././@PaxHeader", "records_raw": recs},
      F("go/ok", ""),
      {"type": "gnu-longname", "name": "././@LongLink", "length": LL, "content": {"prefix": "go/", "repeat": "./", "suffix": tail}},
      SL("go/innocent", "/")],
     origin="tar 0.4.46 (from src/pax.rs, src/archive.rs; not run): entries go/ok (0 bytes) and a symlink named by the 256 MiB long name -> /; Go archive/tar: only go/ok with size %d" % S)

# ------------------------------------------------------------------ compute refusals
for c in cases:
    idx, why, _ = R.run(c["entries"], "R")
    sidx, swhy, _ = R.run(c["entries"], "S")
    _, _, naive_created = R.run(c["entries"], "N")
    c["refused_entry"] = None if idx is None else c["entries"][idx]["name"]
    c["refusal_reason"] = why
    if sidx is not None and (idx is None or sidx < idx):
        c["may_refuse"] = [c["entries"][sidx]["name"]]
        c["may_refuse_reason"] = swhy
    absnames = [x for e in c["entries"] for x in (e.get("name"), e.get("link") if e["type"] == "symlink" else None, e.get("link") if e["type"] == "hardlink" else None)
                if x and x.startswith("/") and not x.startswith("{D}")]
    if absnames:
        c["touches_absolute"] = True
    c["_naive"] = sorted(set(R.rel_to_D(p) for p in naive_created if not R.inside(p)))

order = ["id", "source", "licence", "what", "entries", "refused_entry", "refusal_reason", "may_refuse", "may_refuse_reason",
         "outside", "plant", "touches_absolute", "origin_expect", "original_names", "original_links", "data_filter_modes"]
report = []
final = []
for c in cases:
    report.append((c["id"], c["refused_entry"], c.get("may_refuse"), c["outside"], c["_naive"], c["refusal_reason"]))
    final.append({k: c[k] for k in order if k in c})
json.dump({"cases": final}, open(OUT, "w"), indent=1, ensure_ascii=False)
for r in report:
    print(r)
print(len(final), "cases")
