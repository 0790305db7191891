#!/usr/bin/env bash
# Rebuild the planner's message catalogues (reasons, shortfall messages, explanations,
# re-plan warnings, change notices): extract the texts of beredt/planning and
# beredt/notices into beredt/locale/beredt.pot,
# merge them into the nb and sv catalogues and compile those to .mo files.
# Run from anywhere; needs GNU gettext (xgettext, msgmerge, msgfmt).
# After it, translate any new or fuzzy entry in the .po files and run it again.
set -euo pipefail
cd "$(dirname "$0")/.."

locale=beredt/locale
xgettext -L Python --keyword=_ --keyword=ngettext:1,2 --keyword=N_ --from-code=UTF-8 \
  --package-name=beredt --no-location --sort-output \
  -o "$locale/beredt.pot" beredt/planning/*.py beredt/notices/*.py
# No creation date: rebuilding unchanged texts leaves the catalogues unchanged.
sed -i '/^"POT-Creation-Date:/d' "$locale/beredt.pot"

for lang in nb sv; do
  po="$locale/$lang/LC_MESSAGES/beredt.po"
  mkdir -p "$(dirname "$po")"
  if [[ -f "$po" ]]; then
    msgmerge --quiet --update --backup=none --no-location --sort-output "$po" "$locale/beredt.pot"
  else
    msginit --no-translator --locale="$lang" -i "$locale/beredt.pot" -o "$po"
  fi
  msgfmt --check --statistics -o "${po%.po}.mo" "$po"
done
