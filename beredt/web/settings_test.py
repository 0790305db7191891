"""Settings for the test suite: the production settings module with fast password
hashing, planning inside the request and short searches. ``DATABASE_URL`` still chooses
the database, so the same tests run on SQLite and PostgreSQL."""

import os

from beredt.web.settings import *  # noqa: F403

BEREDT_JOBS = "sync"
BEREDT_PLAN_SECONDS = 1.0
BEREDT_CHECK_SECONDS = 0.0  # the class-1 check's own tests turn it on
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
BEREDT_MAP_TILE_URL = ""

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory: the in-process job thread needs its own connection to the
    # same database, as in the embedded set-up `make demo` uses.
    # One file per test process, so that separate pytest runs never share it.
    BEREDT_HOME.mkdir(parents=True, exist_ok=True)  # noqa: F405  (a fresh clone has no var/)
    _name = f"test-beredt-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(BEREDT_HOME / _name)}  # noqa: F405

# Most tests read the English source strings; the language tests switch to the
# production default (nb) explicitly, and browsers send their own Accept-Language.
LANGUAGE_CODE = "en"
