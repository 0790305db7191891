"""Settings for the test suite: the production settings module with fast password
hashing, planning inside the request and short searches. ``DATABASE_URL`` still chooses
the database, so the same tests run on SQLite and PostgreSQL."""

from beredt.web.settings import *  # noqa: F403

BEREDT_JOBS = "sync"
BEREDT_PLAN_SECONDS = 1.0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
BEREDT_MAP_TILE_URL = ""
