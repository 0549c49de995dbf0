"""The PDF engine's own process: ``python typeset.py TEMPLATE`` reads the document's data
(JSON) on stdin and writes the PDF on stdout, or the engine's message on stderr (exit 1).

It imports nothing of consult: ``pdf.py`` starts it as a script, so starting costs only
the interpreter, the engine and the fonts (about a tenth of a second of CPU).
"""

import sys

import typst


def main() -> int:
    data = sys.stdin.buffer.read().decode("utf-8")
    try:
        pdf = typst.Compiler(sys.argv[1]).compile(sys_inputs={"data": data})
    except typst.TypstError as exc:
        sys.stderr.write(f"{exc.message}\n{exc.diagnostic}\n")
        return 1
    sys.stdout.buffer.write(pdf)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
