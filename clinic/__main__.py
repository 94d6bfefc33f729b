"""``python -m clinic ...`` is ``twitch-clinic ...``."""

from clinic.cli import main

if __name__ == "__main__":
    main()
