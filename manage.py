#!/usr/bin/env python
"""Django's command-line utility; the installed package offers the same as ``twitch-clinic``."""

from clinic.cli import main

if __name__ == "__main__":
    main()
