# Checks that the packages an install step put into this environment are
# still there and whole (a `pip check` that also looks at the files).
# Run by ComfyUI's venv Python; stdlib only, packaging when the venv has it.
# argv[1] is JSON: {"group": {"names": [...], "file": "requirements.txt",
# "imports": [...]}}; stdout is JSON: {"group": {"checked": N, "missing":
# [why, ...], "broken": [{"name", "version", "why"}]}}, on one line that
# starts with "LTX-REQCHECK " (importing torch may print too).
import importlib
import importlib.metadata as md
import json
import os
import re
import sys

try:
    from packaging.requirements import Requirement
except Exception:
    try:
        from pip._vendor.packaging.requirements import Requirement
    except Exception:
        Requirement = None


def parse(line):
    line = line.split(" #", 1)[0].strip()
    if not line or line.startswith("#") or line.startswith("-"):
        return None
    if Requirement is not None:
        try:
            req = Requirement(line)
        except Exception:
            req = None
        if req is not None:
            if req.marker is not None and not req.marker.evaluate():
                return None
            return req
    if "://" in line or "/" in line or "\\" in line:
        return None  # a URL or path pip reads; it names no package to look up
    m = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
    return m.group(0) if m else None


def name_of(req):
    return req if isinstance(req, str) else req.name


def missing_files(dist):
    gone = []
    for f in dist.files or []:
        if "__pycache__" in f.parts:
            continue  # caches may be cleaned up at will
        if not os.path.exists(f.locate()):
            gone.append(str(f))
    return gone


def check(reqs, imports):
    out = {"checked": 0, "missing": [], "broken": []}
    seen = set()
    todo = list(reqs)
    while todo:
        req = todo.pop(0)
        name = name_of(req)
        key = re.sub(r"[-_.]+", "-", name).lower()
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            out["missing"].append(name + " is not installed")
            continue
        if not isinstance(req, str) and req.specifier and not req.specifier.contains(dist.version, prereleases=True):
            out["missing"].append("%s %s is installed, %s is needed" % (name, dist.version, req.specifier))
            continue
        if key in seen:
            continue
        seen.add(key)
        out["checked"] += 1
        gone = missing_files(dist)
        if gone:
            out["broken"].append({"name": dist.metadata["Name"], "version": dist.version,
                                  "why": "%d of its files are missing (%s)" % (len(gone), gone[0])})
        if Requirement is None:
            continue
        extras = set() if isinstance(req, str) else set(req.extras)
        for line in dist.requires or []:
            try:
                dep = Requirement(line)
            except Exception:
                continue
            if dep.marker is not None:
                envs = [{"extra": e} for e in extras] or [{"extra": ""}]
                if not any(dep.marker.evaluate(env) for env in envs):
                    continue
            todo.append(dep)
    for mod in imports:
        try:
            importlib.import_module(mod)
        except Exception as e:
            try:
                version = md.version(mod)
            except md.PackageNotFoundError:
                continue  # reported as missing above
            if not any(b["name"].lower() == mod.lower() for b in out["broken"]):
                out["broken"].append({"name": mod, "version": version, "why": "import %s fails: %s" % (mod, e)})
    return out


def main():
    groups = json.loads(sys.argv[1])
    result = {}
    for group, spec in groups.items():
        reqs = [r for r in (parse(n) for n in spec.get("names") or []) if r is not None]
        if spec.get("file"):
            with open(spec["file"], encoding="utf-8") as fh:
                reqs += [r for r in (parse(l) for l in fh) if r is not None]
        result[group] = check(reqs, spec.get("imports") or [])
    sys.stdout.write("LTX-REQCHECK " + json.dumps(result) + "\n")


main()
