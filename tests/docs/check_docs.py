#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The docs stand alone: every relative link in the repository's Markdown
files resolves (the file, and the #anchor when it points into a Markdown
file or the same page), and no source, build or documentation file cites a
document that is not in the repository (the design notes, the behaviour
specification or the tracker's issues the code was first written from).

Usage: check_docs.py ROOT          check the tree at ROOT
       check_docs.py --self-test   build a tree with one broken link, one
                                   broken anchor and one outside citation,
                                   and require all three to be reported
Prints one line per problem and a summary; exits 1 if there is any."""
import os
import re
import sys
import tempfile

SKIP_DIRS = {".git", "build"}
CITATION_SUFFIXES = (".c", ".h", ".md", ".cpp", ".txt", ".cmake", ".py", ".sh")
# Written in pieces so that this file does not cite them itself.
CITATION = re.compile("|".join([r"DESIGN\.md", "SPEC" + "-win32", r"\.\./shared", "issue" + r" [0-9]+"]))

LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")
FENCE = re.compile(r"^\s*(```|~~~)")


def walk(root):
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("build"))
        for name in sorted(files):
            yield os.path.join(directory, name)


def prose_lines(text):
    """(line number, line) outside fenced code blocks, inline code removed."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, re.sub(r"`[^`]*`", "", line)


def slug(heading):
    """GitHub's anchor for a heading: links reduced to their text, lower
    case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


_anchor_cache = {}


def anchors(path):
    if path not in _anchor_cache:
        found, seen = set(), {}
        with open(path, encoding="utf-8") as f:
            text = f.read()
        fenced = False
        for line in text.splitlines():
            if FENCE.match(line):
                fenced = not fenced
                continue
            if fenced:
                continue
            match = HEADING.match(line)
            if match:
                base = slug(match.group(2))
                count = seen.get(base, 0)
                seen[base] = count + 1
                found.add(base if count == 0 else "%s-%d" % (base, count))
            found.update(HTML_ANCHOR.findall(line))
        _anchor_cache[path] = found
    return _anchor_cache[path]


def check_links(root, path, problems):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    checked = 0
    for number, line in prose_lines(text):
        for target in LINK.findall(line):
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):  # http:, https:, mailto: …
                continue
            checked += 1
            file_part, _, anchor = target.partition("#")
            where = "%s:%d" % (os.path.relpath(path, root), number)
            resolved = path if file_part == "" else os.path.normpath(os.path.join(os.path.dirname(path), file_part))
            if not os.path.exists(resolved):
                problems.append("%s: broken link %s (no such file)" % (where, target))
                continue
            if not os.path.realpath(resolved).startswith(os.path.realpath(root) + os.sep) and \
                    os.path.realpath(resolved) != os.path.realpath(root):
                problems.append("%s: link %s leaves the repository" % (where, target))
                continue
            if anchor and resolved.endswith(".md") and os.path.isfile(resolved):
                if anchor not in anchors(resolved):
                    problems.append("%s: broken anchor %s (no such heading in %s)"
                                    % (where, target, os.path.relpath(resolved, root)))
    return checked


def check_citations(root, path, problems):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                match = CITATION.search(line)
                if match:
                    problems.append("%s:%d: cites %r, which is not in the repository"
                                    % (os.path.relpath(path, root), number, match.group(0)))
    except OSError as error:
        problems.append("%s: unreadable: %s" % (path, error))


def check(root):
    root = os.path.abspath(root)
    problems = []
    pages = links = scanned = 0
    for path in walk(root):
        if path.endswith(".md"):
            pages += 1
            links += check_links(root, path, problems)
        if path.endswith(CITATION_SUFFIXES) or os.path.basename(path) == "CMakeLists.txt":
            scanned += 1
            check_citations(root, path, problems)
    for problem in problems:
        print(problem)
    print("%d Markdown files, %d relative links, %d files scanned for citations: %d problems"
          % (pages, links, scanned, len(problems)))
    return problems


def self_test():
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "docs"))
        with open(os.path.join(root, "README.md"), "w") as f:
            f.write("# Top\n\n[good](docs/a.md#second-part) [bad file](docs/missing.md)\n"
                    "[bad anchor](docs/a.md#nowhere) [same page](#top) [web](https://example.org/x)\n"
                    "```\n[in code](not/checked.md)\n```\n")
        with open(os.path.join(root, "docs", "a.md"), "w") as f:
            f.write("# A\n\n## Second part\n\nBack [up](../README.md).\n")
        with open(os.path.join(root, "docs", "code.c"), "w") as f:
            f.write("/* as the design notes say (%s rule 3) */\n" % ("DESIGN" + ".md"))
        problems = check(root)
    expected = ["docs/missing.md", "docs/a.md#nowhere", "not in the repository"]
    missing = [e for e in expected if not any(e in p for p in problems)]
    if missing or len(problems) != len(expected):
        print("self-test FAILED: expected exactly %d problems naming %s" % (len(expected), expected))
        return 1
    print("self-test passed: the checker reports a broken link, a broken anchor and a citation")
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        return self_test()
    if len(argv) != 2:
        print(__doc__)
        return 2
    return 1 if check(argv[1]) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
