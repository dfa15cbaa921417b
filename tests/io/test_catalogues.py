"""The shipped catalogues (``jmdiq_geo.io.catalogues``): persona files read with every problem named
by file and field, and the preset personas."""
from __future__ import annotations

import pytest

from jmdiq_geo.analysis.attributes import Persona, parse_opening_hours
from jmdiq_geo.errors import InputError
from jmdiq_geo.io.catalogues import PERSONAS_DIR, load_persona, preset_personas
from tests.fixtures.problems import assert_rendered


def test_load_persona_from_toml(tmp_path):
    path = tmp_path / "meine.toml"
    path.write_text('# eine Persona\nname = "Test"\nage = 16\nlanguages = ["ar", "Deutsch"]\n'
                    'when = "Mo-Fr 15:00-18:00"\nfree_only = true\n', encoding="utf-8")
    assert load_persona(path) == Persona("Test", 16.0, ["ar", "de"], "Mo-Fr 15:00-18:00", True, False)
    # the same under a [persona] table
    nested = tmp_path / "nested.toml"
    nested.write_text('[persona]\nage = 22\nwheelchair = true\nname_en = "Test EN"\n', encoding="utf-8")
    loaded = load_persona(str(nested))
    assert loaded == Persona("", 22.0, [], None, False, True, name_en="Test EN")
    assert loaded.label("de") == loaded.label("en") == "Test EN"     # one name serves both


def test_load_persona_problems_name_the_file(tmp_path):
    path = tmp_path / "falsch.toml"
    path.write_text('languages = ["Klingonisch"]\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_persona(path)
    [problem] = info.value.problems
    assert (problem.code, problem.file, problem.column) == ("persona_unknown_language", "falsch.toml", "languages")
    assert_rendered(problem, "Klingonisch", "falsch.toml")


@pytest.mark.parametrize("content", [
    b'age = 16\nlanguages = ["ar"\n', b"age = = 3\n", b"name = 'x'\n[persona\n",
    pytest.param(b"\xff\xfe\x00garbage", id="not-utf8"),
])
def test_load_persona_broken_toml(tmp_path, content):
    path = tmp_path / "kaputt.toml"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        load_persona(path)
    [problem] = info.value.problems
    assert problem.code == "persona_unreadable"
    assert problem.file == "kaputt.toml"
    assert_rendered(problem, problem.params["detail"])


def test_load_persona_missing_file(tmp_path):
    with pytest.raises(InputError) as info:
        load_persona(tmp_path / "gibtsnicht.toml")
    [problem] = info.value.problems
    assert problem.code == "persona_unreadable"
    assert_rendered(problem, "gibtsnicht.toml")


def test_preset_personas_all_load():
    files = sorted(PERSONAS_DIR.glob("*.toml"))
    presets = preset_personas()
    assert files and sorted(presets) == [f.stem for f in files]
    for stem, persona in presets.items():
        assert isinstance(persona, Persona)
        assert persona.name, stem
        # both languages of the app name every preset
        assert persona.name_en and persona.label("en") == persona.name_en and persona.label("de") == persona.name, stem
        assert not persona.is_empty(), stem
        if persona.when:
            assert parse_opening_hours(persona.when) is not None
    teen = presets["jugendliche_arabisch_nach_schule"]
    assert (teen.age, teen.languages, teen.when, teen.free_only, teen.wheelchair) == \
        (16.0, ["ar", "de"], "Mo-Fr 15:00-19:00", True, False)
    assert presets["junge_erwachsene_rollstuhl"].wheelchair is True
    assert presets["nur_arabisch"].languages == ["ar"]
