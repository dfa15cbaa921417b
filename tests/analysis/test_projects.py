"""The records of micro-projects, partners and ties and their validation
(``jmdiq_geo.analysis.projects``), without a workspace: every problem of a form at once, each
naming its field; personal data in free text only a notice."""
import pytest

from jmdiq_geo.analysis.projects import (FIELDS_OF_ACTION, MicroProject, Partner, Tie, validate_partner, validate_project,
                                         validate_tie)
from jmdiq_geo.i18n import format_problem
from tests.fixtures.projects import INSIDE, make_project


def inside(x, y) -> bool:
    """The workspace: the four tiny areas (``fixtures.files.TINY_AREAS``), where ``INSIDE`` lies."""
    return 390000 <= x <= 390400 and 5820000 <= y <= 5820100


def check(project: MicroProject, *, partners=("qm", "schule"), projects=("p0",)):
    return validate_project(project, known_partners=set(partners), known_projects=set(projects),
                            inside_workspace=inside)


def test_a_complete_project_has_no_problem():
    assert check(make_project()) == []
    assert inside(*INSIDE)
    assert check(make_project(x=None, y=None, partners=[], fields_of_action=list(FIELDS_OF_ACTION))) == []


def test_every_problem_of_a_project_at_once_each_naming_its_field():
    bad = make_project(title=" ", start="2025-06-30", end="2025-03-01", budget_planned=None, budget_spent=-5.0,
                       age_min=18, age_max=14, fields_of_action=["Kultur", "Schach"], status="vertagt",
                       sustainability="ewig", partners=["qm", "niemand"], x=2000.0, y=500.0,
                       predecessor="p9", what_is_new="")
    problems = check(bad)
    found = {(p.code, p.column) for p in problems}
    assert found == {("form_required", "title"), ("form_end_before_start", "end"),
                     ("form_spent_without_planned", "budget_spent"), ("form_negative", "budget_spent"),
                     ("form_age_range", "age_max"), ("form_unknown_value", "fields_of_action"),
                     ("form_unknown_value", "status"), ("form_unknown_value", "sustainability"),
                     ("form_unknown_partner", "partners"), ("form_outside", "location"),
                     ("form_unknown_predecessor", "predecessor"), ("form_extension_needs_new", "what_is_new")}
    assert len(problems) == len(found) and all(p.severity == "error" for p in problems)
    text = "\n".join(format_problem(p, "de") for p in problems)
    assert "Schach" in text and "niemand" in text and "p9" in text and "vertagt" in text


@pytest.mark.parametrize("start, end", [("2025-13-01", None), ("1. März", "2025-06-30")])
def test_a_date_that_is_no_date_is_named(start, end):
    [problem] = check(make_project(start=start, end=end))
    assert (problem.code, problem.column, problem.params["value"]) == ("form_bad_date", "start", start)


def test_an_extension_of_itself_is_no_extension():
    problems = check(make_project(predecessor="p1", what_is_new="mehr"), projects=("p1",))
    assert [p.code for p in problems] == ["form_unknown_predecessor"]
    assert check(make_project(predecessor="p0", what_is_new="Neue Zielgruppe")) == []


@pytest.mark.parametrize("text", ["Kontakt: max@example.org", "Tel. 030 1234567", "+49 171 2345678"])
def test_personal_data_in_free_text_is_a_notice(text):
    [notice] = check(make_project(notes=text))
    assert (notice.code, notice.column, notice.severity) == ("form_personal_data", "notes", "notice")


def test_partner_and_tie_problems():
    assert validate_partner(Partner("qm", "QM Nord", "Quartiersmanagement", x=INSIDE[0], y=INSIDE[1]),
                            inside_workspace=inside) == []
    codes = [(p.code, p.column) for p in validate_partner(Partner("x", " ", "Freundeskreis", x=-1.0, y=5.0,
                                                                  notes="info@verein.de"), inside_workspace=inside)]
    assert codes == [("form_required", "name"), ("form_unknown_value", "type"), ("form_outside", "location"),
                     ("form_personal_data", "notes")]
    assert validate_tie(Tie("qm", 2025, 3, 1, "Kooperationsvertrag"), known_partners={"qm"}) == []
    codes = [(p.code, p.column) for p in validate_tie(Tie("nn", 2025, 0, 4, "Handschlag"), known_partners={"qm"})]
    assert codes == [("form_unknown_partner", "partner_id"), ("form_scale", "intensity"),
                     ("form_scale", "importance"), ("form_unknown_value", "formalisation")]
    assert Tie("qm", 2025, 1, 1).tie_id == "qm:2025"
