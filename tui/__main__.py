"""`python -m tui --screen live [--target PATH]`: the app process `hotline serve` starts."""

from __future__ import annotations

import argparse

from assistant.errors import ConfigError
from assistant.settings import load_settings
from tui.app import SCREENS, create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tui", description="hotline-assistant TUI")
    parser.add_argument("--screen", default="home", choices=SCREENS)
    parser.add_argument("--target", default=None, help="recording / session for practice, review")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        parser.exit(2, f"error: {exc}\n")
    create_app(settings, screen=args.screen, target=args.target).run()


if __name__ == "__main__":
    main()
