"""`python -m assistant`: the headless commands of `hotline` (no terminal UI)."""

from assistant.cli import main

if __name__ == "__main__":
    main()
