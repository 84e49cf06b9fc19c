"""Language detection offline: English at once by its function words, others by py3langid's shipped model."""

import pytest

from briefing.text.language import detect_language, language_for

GERMAN = (
    "Der Bundestag hat am Donnerstag ein neues Gesetz beschlossen. Im nächsten Monat soll es in Kraft treten. "
    "Die Opposition kritisierte das Vorhaben scharf und kündigte eine Klage vor dem Verfassungsgericht an."
)
FRENCH = (
    "Le président a annoncé jeudi une nouvelle loi sur le climat. Elle entrera en vigueur le mois prochain. "
    "L'opposition a vivement critiqué le projet et a annoncé un recours devant le Conseil constitutionnel."
)
SPANISH = (
    "El presidente anunció el jueves una nueva ley sobre el clima. Entrará en vigor el próximo mes. "
    "La oposición criticó duramente el proyecto y anunció un recurso ante el Tribunal Constitucional."
)
ENGLISH = (
    "President Biden and Russian President Vladimir Putin did not mince words Thursday during a 50-minute "
    "phone call that focused on tensions between Russia and Ukraine over Moscow's military buildup."
)


@pytest.mark.parametrize("text,code", [(GERMAN, "de"), (FRENCH, "fr"), (SPANISH, "es"), (ENGLISH, "en")])
def test_detects_the_language(text, code):
    lang = detect_language(text)
    assert lang.code == code and lang.source == "detected" and 0.5 <= lang.confidence <= 1.0


def test_sumy_names_and_too_little_text():
    assert detect_language(GERMAN).sumy_name == "german"
    assert detect_language("Breaking: storm").code == "en"  # too few words to tell: the default


def test_a_language_the_user_names():
    assert language_for("de").code == "de" and language_for("German").code == "de"
    assert language_for("en").source == "option"
    with pytest.raises(ValueError):
        language_for("klingon")
