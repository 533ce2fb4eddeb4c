#!/usr/bin/env python3
"""Prepares and runs loader scenarios in one go (one process, N at a time).

  run-all.py [--jobs N] [--keep] [--match TEXT] SCENARIOS_JSON ROOTS_CACHE BUILT SCRATCH [ID ...]

For every scenario (or the IDs given, or those whose id contains TEXT) it does
what `prepare.py SCENARIOS_JSON ID ROOTS_CACHE BUILT SCRATCH/<n>` does, then
`run-in-root.sh --json` on the result, and prints one JSON line per scenario, in
scenario order:
  prepare.py's object (id, root, program, path, arch, env, user)
  + "exit", "stdout", "stderr"         the real loader's run, or
  + "skipped": REASON                  run-in-root.sh exit 3 (e.g. a setuid scenario
                                       when not root), or
  + "error": TEXT                      the scenario could not be set up or run
  + "prepare_s", "run_s", "cleanup_s"  seconds each took
SCRATCH/<n> is removed after its run unless --keep (then a test can give
"path" and "root" to gorig inspect afterwards, and remove SCRATCH itself).
A summary (count, wall time, sums) goes to stderr. Exit 0 unless something
had an "error".
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the repo
sys.path.insert(0, HERE)
import prepare as prep  # noqa: E402

RUN = os.path.join(HERE, "run-in-root.sh")


def one(n, scenario, roots, built, scratch, keep):
    out = os.path.join(scratch, str(n))
    t0 = time.monotonic()
    try:
        r = prep.prepare(scenario, roots, built, out)
    except (prep.StepError, OSError, subprocess.CalledProcessError, KeyError, ValueError) as e:
        shutil.rmtree(out, ignore_errors=True)
        return {"id": scenario["id"], "error": f"prepare: {e}"}
    t1 = time.monotonic()
    cmd = [RUN, "--json"]
    for k, v in r["env"].items():
        cmd += ["--env", f"{k}={v}"]
    if r["user"] is not None:
        cmd += ["--user", str(r["user"])]
    cmd += [r["root"], r["arch"], r["program"]]
    p = subprocess.run(cmd, capture_output=True, text=True)
    t2 = time.monotonic()
    if p.returncode == 0:
        r.update(json.loads(p.stdout))
    elif p.returncode == 3:
        r["skipped"] = p.stderr.strip()
    else:
        r["error"] = f"run-in-root.sh exit {p.returncode}: {p.stderr.strip()}"
    r["prepare_s"] = round(t1 - t0, 4)
    r["run_s"] = round(t2 - t1, 4)
    if not keep:
        t3 = time.monotonic()
        subprocess.run(["rm", "-rf", out])  # several times faster than shutil.rmtree here
        r["cleanup_s"] = round(time.monotonic() - t3, 4)
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--match", default="")
    ap.add_argument("scenarios_json")
    ap.add_argument("roots")
    ap.add_argument("built")
    ap.add_argument("scratch")
    ap.add_argument("ids", nargs="*")
    a = ap.parse_args()
    items = prep.load(a.scenarios_json)
    if a.ids:
        want = set(a.ids)
        missing = want - {s["id"] for s in items}
        if missing:
            sys.exit(f"run-all.py: no scenario {' '.join(sorted(missing))}")
        items = [s for s in items if s["id"] in want]
    items = [s for s in items if a.match in s["id"]]
    os.makedirs(a.scratch, exist_ok=True)
    built = os.path.abspath(a.built)
    t0 = time.monotonic()
    errors = 0
    sums = {"prepare_s": 0.0, "run_s": 0.0, "cleanup_s": 0.0}
    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as pool:
        futs = [pool.submit(one, n, s, a.roots, built, a.scratch, a.keep) for n, s in enumerate(items)]
        for f in futs:
            r = f.result()
            errors += "error" in r
            for k in sums:
                sums[k] += r.get(k, 0.0)
            print(json.dumps(r), flush=True)
    wall = time.monotonic() - t0
    print(f"run-all.py: {len(items)} scenarios in {wall:.1f} s wall ({a.jobs} jobs); "
          f"prepare {sums['prepare_s']:.1f} s, run {sums['run_s']:.1f} s, cleanup {sums['cleanup_s']:.1f} s "
          f"summed; {errors} errors",
          file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
