"""Regenerate the Word template templates/verslag.docx (python-docx, with docxtpl tags).

Usage: .venv/bin/python scripts/make_docx_template.py [OUTPUT.docx]
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.render import DOCX_TEMPLATE
from bot.render.word_template import build_docx_template


def main(argv: list[str]) -> int:
    """Write the template to the given path, or over the committed one."""
    target = Path(argv[0]) if argv else DOCX_TEMPLATE
    print(f"Word template written to {build_docx_template(target)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
