"""`kanelbulle export [--output FILE] [--as USER]`: the book of business in the exchange format."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from kanelbulle.core.command import InputError, KbCommand
from kanelbulle.exchange.exporter import export_document


def write_atomically(path: Path, text: str) -> None:
    """Write beside the target, then rename over it: a reader never sees half a file."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(KbCommand):
    help = "Write the whole book of business in the exchange format (JSON on stdout unless --output)."
    as_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        user = self.as_user(options)
        output = options.get("output")
        target: Path | None = None
        if output:
            target = Path(output)
            if target.is_dir():
                raise InputError(_("--output: %(path)s is a directory") % {"path": output})
            if not target.parent.exists() and str(target.parent):
                raise InputError(_("--output: the folder %(path)s does not exist") % {"path": target.parent})
        text = json.dumps(export_document(as_user=user), ensure_ascii=False, indent=2) + "\n"
        if target is None:
            self.stdout.write(text, ending="")
            return
        write_atomically(target, text)
        self.stderr.write(_("wrote %(path)s") % {"path": target})
