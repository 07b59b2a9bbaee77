#!/usr/bin/env python
import os
import sys

# Commands that only read or write source files (migrations, catalogues): they
# run with the development settings, as `make migrations-check` and `make
# messages` do, instead of refusing for want of production secrets they never use.
SOURCE_COMMANDS = {"makemigrations", "makemessages", "compilemessages"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petition.settings")
    if len(sys.argv) > 1 and sys.argv[1] in SOURCE_COMMANDS:
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
