#!/usr/bin/env python3
"""Writes the mgviz(1) manual page: the hand-written frame tools/mgviz.1.in
with @COMMANDS@ replaced by every command's own help (mgviz help CMD), so the
manual lists exactly the options the command accepts.

Usage: man_from_help.py FRAME MGVIZ OUTPUT VERSION

A help text is read by its layout: "Usage:" lines, headings (an unindented
line ending in ':'), items ("  -o FILE   what it does", continued on lines
indented under the description), examples (kept verbatim) and paragraphs."""
import re
import subprocess
import sys

ITEM = re.compile(r"^  (\S.*?)\s{2,}(\S.*)$")


def roff(text):
    """Text escaped for roff: backslashes, hyphens of options, line starts."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def bold_item(term):
    """An item's term: option names bold, their arguments italic."""
    words = []
    for word in term.split(" "):
        if word.startswith("-"):
            names = word.split(",")
            words.append(",".join("\\fB" + roff(n) + "\\fR" for n in names))
        elif word:
            words.append("\\fI" + roff(word) + "\\fR")
    return " ".join(words)


def command_section(name, help_text):
    out = [".SS \\fBmgviz " + roff(name) + "\\fR"]
    lines = help_text.rstrip("\n").split("\n")
    verbatim = False
    in_item = False
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith("Usage: "):
            out += [".PP", ".nf", roff(line[len("Usage: "):].strip())]
            while i < len(lines) and lines[i].startswith("      "):
                out.append(roff(lines[i].strip()))
                i += 1
            out.append(".fi")
            continue
        if not line.strip():
            if verbatim:
                out += [".fi", ".RE"]
            verbatim = in_item = False
            out.append(".PP")
            continue
        heading = i == 1 or not lines[i - 2].strip()  # after a blank line
        if heading and not line.startswith(" ") and line.rstrip().endswith(":"):
            heading = line.rstrip()[:-1]
            out += [".PP", "\\fB" + roff(heading) + "\\fR"]
            in_item = False
            if heading.lower().startswith("example"):
                out += [".RS 4", ".nf"]
                verbatim = True
            continue
        if verbatim:
            out.append(roff(line.strip()))
            continue
        m = ITEM.match(line)
        if m and (m.group(1).startswith("-") or len(m.group(1).split()) == 1):
            out += [".TP", bold_item(m.group(1)), roff(m.group(2))]
            in_item = True
            continue
        if in_item and line.startswith("    "):
            out.append(roff(line.strip()))
            continue
        if in_item:
            out.append(".PP")  # text after a list of items is a paragraph again
        in_item = False
        out.append(roff(line.strip()))
    if verbatim:
        out += [".fi", ".RE"]
    return "\n".join(out)


def commands(mgviz):
    """The command names mgviz --help lists (help itself aside)."""
    text = subprocess.run([mgviz, "--help"], check=True, capture_output=True,
                          text=True).stdout
    block = text.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    return [l.split()[0] for l in block.split("\n") if l.strip() and l.split()[0] != "help"]


def main():
    frame, mgviz, output, version = sys.argv[1:5]
    sections = []
    for name in commands(mgviz):
        text = subprocess.run([mgviz, "help", name], check=True, capture_output=True,
                              text=True).stdout
        sections.append(command_section(name, text))
    page = open(frame, encoding="utf-8").read()
    page = page.replace("@VERSION@", version).replace("@COMMANDS@", "\n".join(sections))
    with open(output, "w", encoding="utf-8") as f:
        f.write(page)


if __name__ == "__main__":
    main()
