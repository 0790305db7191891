"""Norwegian bokmål is the default; Swedish and English are one switch away; every
catalogue is complete and compiled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from beredt.web import settings as production_settings
from tests.web.conftest import World

LOCALE = Path(production_settings.PACKAGE_DIR) / "locale"


def test_bokmal_is_the_default_language() -> None:
    assert production_settings.LANGUAGE_CODE == "nb"
    assert [code for code, _ in production_settings.LANGUAGES] == ["nb", "sv", "en"]
    assert production_settings.TIME_ZONE == "Europe/Oslo"


@pytest.mark.parametrize(
    ("language", "button"),
    [("nb", "Lag beredskapsplan"), ("sv", "Gör beredskapsplan"), ("en", "Make contingency plan")],
)
def test_the_today_page_in_each_language(
    world: World, client: Client, language: str, button: str
) -> None:
    client.force_login(world.planner_a)
    with override_settings(LANGUAGE_CODE="nb"):
        if language != "nb":
            client.post(reverse("set_language"), {"language": language, "next": "/"})
        page = client.get(reverse("today", kwargs={"unit": world.unit_a.code}))
    assert f'lang="{language}"' in page.content.decode()
    assert button in page.content.decode()


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_catalogues_are_complete_and_compiled(language: str, tmp_path: Path) -> None:
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = LOCALE / language / "LC_MESSAGES" / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "fresh.mo"), str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert mo.read_bytes() == (tmp_path / "fresh.mo").read_bytes(), "run `make messages`"


def _msgids(po: Path) -> set[tuple[str, str]]:
    """(context, msgid) of every translated entry of a catalogue, via msgcat's
    normalised output (one line per string)."""
    flat = subprocess.run(
        ["msgcat", "--no-wrap", "--no-location", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found, context = set(), ""
    for line in flat.splitlines():
        if line.startswith("msgctxt "):
            context = line[8:]
        elif line.startswith("msgid "):
            found.add((context, line[6:]))
            context = ""
    return found


def test_every_source_string_is_in_the_catalogues(tmp_path: Path) -> None:
    """`make messages` would add nothing: every translatable string in the code and
    templates already has an entry in the nb and sv catalogues."""
    import shutil

    web = tmp_path / "web"
    shutil.copytree(
        LOCALE.parent, web, ignore=shutil.ignore_patterns("static", "migrations", "__pycache__")
    )
    result = subprocess.run(
        [str(Path(sys.executable).parent / "django-admin"), "makemessages", "-l", "nb"],
        capture_output=True,
        text=True,
        cwd=web,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    fresh = _msgids(web / "locale" / "nb" / "LC_MESSAGES" / "django.po")
    for language in ("nb", "sv"):
        known = _msgids(LOCALE / language / "LC_MESSAGES" / "django.po")
        missing = sorted(fresh - known - {("", '""')})
        assert not missing, f"{language}: run `make messages` and translate {missing[:5]}"
