#!/usr/bin/env python3
"""Checks the import graph against the Maven modules (docs/modules.md).

    python3 tools/modules/check_imports.py [REPO_ROOT]

Reads every module's pom.xml (its selflengthen-* dependencies) and every .java file under
src/main and src/test, and fails (exit 1) when
  - a package of src/main imports a selflengthen package that its module cannot see (not in the
    module itself nor in a module it depends on, directly or transitively; test sources may also
    see test-jar dependencies),
  - the packages of src/main form a cycle,
  - the modules' dependencies form a cycle.
Imports and fully qualified references both count; comments are not stripped. Standard library only.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

NS = {"m": "http://maven.apache.org/POM/4.0.0"}
ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
REF = re.compile(r"\b(selflengthen(?:\.[a-z]\w*)+)\.[A-Z]")
PKG = re.compile(r"^package\s+([\w.]+);", re.M)


def modules():
    """folder -> (artifactId, {dependency artifactIds in compile scope}, {all, incl. test})"""
    out = {}
    root = ET.parse(os.path.join(ROOT, "pom.xml")).getroot()
    for m in root.find("m:modules", NS):
        pom = ET.parse(os.path.join(ROOT, m.text, "pom.xml")).getroot()
        art = pom.find("m:artifactId", NS).text
        main, test = set(), set()
        deps = pom.find("m:dependencies", NS)
        for d in deps if deps is not None else []:
            a = d.find("m:artifactId", NS).text
            if not a.startswith("selflengthen-"):
                continue
            scope = d.find("m:scope", NS)
            test.add(a)
            if scope is None or scope.text != "test":
                main.add(a)
        out[m.text] = (art, main, test)
    return out


def closure(start, edges):
    seen, todo = set(), list(start)
    while todo:
        a = todo.pop()
        if a not in seen:
            seen.add(a)
            todo.extend(edges.get(a, ()))
    return seen


def sources(folder, kind):
    base = os.path.join(ROOT, folder, "src", kind, "java")
    for dp, _, fn in os.walk(base):
        for f in fn:
            if f.endswith(".java"):
                yield os.path.join(dp, f)


def cycles(edges):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(100000)

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def main():
    mods = modules()
    art_of = {f: a for f, (a, _, _) in mods.items()}
    main_edges = {a: m for a, m, _ in mods.values()}
    problems = []
    for c in cycles(main_edges):
        problems.append("module cycle: " + " <-> ".join(c))
    owner = {}  # package -> artifact (src/main)
    for f in mods:
        for p in sources(f, "main"):
            owner.setdefault(PKG.search(open(p, encoding="utf-8").read()).group(1), set()).add(art_of[f])
    for pkg, arts in owner.items():
        if len(arts) > 1:
            problems.append(f"package {pkg} is split over {sorted(arts)}")
    pkg_edges = {}
    for f, (art, main, test) in mods.items():
        for kind in ("main", "test"):
            direct = main if kind == "main" else test
            visible = closure(direct, main_edges) | {art}
            for p in sources(f, kind):
                text = open(p, encoding="utf-8").read()
                own = PKG.search(text).group(1)
                for ref in set(REF.findall(text)):
                    if ref == own or ref not in owner:
                        continue
                    if kind == "main":
                        pkg_edges.setdefault(own, set()).add(ref)
                    if not owner[ref] & visible:
                        problems.append(f"{os.path.relpath(p, ROOT)}: uses {ref} "
                                        f"({'/'.join(sorted(owner[ref]))}), which {art} does not depend on")
    for c in cycles(pkg_edges):
        problems.append("package cycle: " + " <-> ".join(c))
    for line in problems:
        print(line)
    print(f"{len(mods)} modules, {len(owner)} packages: "
          + ("OK" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
