"""Start a real clinic from nothing: the clinic and its first clinic admin.

    manage.py clinic_create --name "Riverside Pediatrics" --username sam --email sam@example.org

The password is asked for twice (hidden), or read from the CLINIC_ADMIN_PASSWORD environment
variable with --no-input; never from the command line, where ps and shell history would
keep it. Running it again for the same clinic and admin changes nothing. Works with DEBUG
off (seed_demo does not), and writes an audit event for the clinic and the membership.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic.services import clinic_create_with_admin

PASSWORD_ENV = "CLINIC_ADMIN_PASSWORD"  # noqa: S105 - the variable's name, not a password
ATTEMPTS = 3


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown"


class Command(BaseCommand):
    help = "Create the first clinic and its first clinic admin (asks for the password)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The clinic's name.")
        parser.add_argument("--username", required=True, help="The clinic admin's login.")
        parser.add_argument("--email", required=True, help="The clinic admin's e-mail address.")
        parser.add_argument("--emergency-number", default="",
                            help="Shown first in emergency advice (default: DEFAULT_EMERGENCY_NUMBER).")
        parser.add_argument("--phone", default="", help="The clinic's own line.")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive",
                            help=f"Do not prompt: read the password from ${PASSWORD_ENV}.")

    def handle(self, *args: Any, **options: Any) -> None:
        fields = {
            "name": options["name"], "admin_username": options["username"],
            "admin_email": options["email"], "emergency_number": options["emergency_number"],
            "phone": options["phone"], "actor_label": f"{_operator()} via manage.py clinic_create",
        }
        if options["interactive"]:
            self._create_asking(fields)
        else:
            password = os.environ.get(PASSWORD_ENV, "")
            if not password:
                raise CommandError(f"--no-input reads the password from ${PASSWORD_ENV}, which is "
                                   "not set. Nothing was changed.")
            self._create(fields, password)

    def _create_asking(self, fields: dict[str, str]) -> None:
        if not sys.stdin.isatty():
            raise CommandError(f"No terminal to ask for the password: run with --no-input and "
                               f"${PASSWORD_ENV}. Nothing was changed.")
        for _ in range(ATTEMPTS):
            password = getpass.getpass(f"Password for {fields['admin_username']}: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The two passwords differ.")
                continue
            try:
                return self._create(fields, password, retry_on_password=True)
            except _WeakPassword as exc:
                self.stderr.write("\n".join(exc.messages))
        raise CommandError("No acceptable password given. Nothing was changed.")

    def _create(self, fields: dict[str, str], password: str, *, retry_on_password: bool = False) -> None:
        try:
            clinic, admin, created = clinic_create_with_admin(admin_password=password, **fields)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            if retry_on_password and list(errors) == ["admin_password"]:
                raise _WeakPassword(errors["admin_password"]) from exc
            lines = [f"{key}: {' '.join(msgs)}" if key else " ".join(msgs) for key, msgs in errors.items()]
            raise CommandError("\n".join(lines)) from exc
        if not created:
            self.stdout.write(f"{clinic.name} already has {admin.get_username()} as its clinic admin: "
                              "nothing changed.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Created clinic {clinic.name} ({clinic.uuid}) and its clinic admin "
            f"{admin.get_username()}, who can now sign in to the admin."
        ))


class _WeakPassword(Exception):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(messages)
        self.messages = messages
