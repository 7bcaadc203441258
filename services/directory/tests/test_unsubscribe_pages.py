"""The pages behind the link in mails: one for every language, and nothing from elsewhere."""

import re

import pytest

from directory.unsubscribe_pages import CHOICES, WORDS, choice_page, done_page
from kulturbro_contracts.vocabulary import Language


@pytest.mark.parametrize("language", list(Language))
def test_every_language_has_its_page_and_loads_nothing_from_elsewhere(language: Language) -> None:
    words = WORDS[language]
    page = choice_page(language)
    done = {choice: done_page(language, choice) for choice in CHOICES}

    assert f'<html lang="{language.value}">' in page
    assert words.question in page
    assert re.findall(r'name="invitations" value="(\w+)"', page) == [c.value for c in CHOICES]
    assert all(words.done[choice] in done[choice] for choice in CHOICES)
    for html in (page, *done.values()):
        assert not re.search(r"\b(src|href|action)=|://|<script", html)
