"""`python -m assistant` is the same as the `hotline` command."""

from assistant.cli import main

if __name__ == "__main__":
    main()
