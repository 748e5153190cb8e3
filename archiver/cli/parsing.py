"""The argument parser every `archiver` command and subcommand is made of.

argparse hands the arguments a subcommand does not know up to the top-level parser, which
then prints the top-level usage: no help to someone who mistyped `--sinse`. Here each parser
refuses them itself, so the usage shown is that of the command given them, and a mistyped
command or choice gets the nearest valid one ("did you mean ...?").
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Sequence
from typing import Any


class ArchiverParser(argparse.ArgumentParser):
    """An ArgumentParser whose subcommands (made with the same class) report their own errors."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """As argparse's, but arguments this parser does not know are an error of this parser.

        A subcommand's parser is called through this method by its parent, so the error and
        usage are the subcommand's, not the top-level command's.
        """
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}{self._suggest(extras)}")
        return parsed, extras

    def _suggest(self, extras: list[str]) -> str:
        options = [name for action in self._actions for name in action.option_strings]
        for extra in extras:
            if extra.startswith("-"):
                close = difflib.get_close_matches(extra.partition("=")[0], options, n=1)
                if close:
                    return f"; did you mean {close[0]}?"
        return ""

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # The one place argparse judges a choice (a command name, --site): add a suggestion.
        choices = action.choices
        if choices is not None and value not in choices:
            names = [str(choice) for choice in choices]
            message = f"invalid choice: {value!r} (choose from {', '.join(names)})"
            close = difflib.get_close_matches(str(value), names, n=1)
            if close:
                message += f"; did you mean {close[0]!r}?"
            raise argparse.ArgumentError(action, message)
        super()._check_value(action, value)
