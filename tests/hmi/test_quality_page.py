"""The quality page through AppTest on a seeded store: review, Pareto, promotion, refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.audit import recent
from core.db import make_engine, transaction
from core.schema import DefectRow, InspectionModelRow
from core.states import ReviewStatus
from core.users import Role
from hmi.quality.defects import review_defect
from hmi.quality.models import promote, roll_back
from hmi.roles import RoleRefused
from hmi.session import USER_KEY, SignedIn
from tests.hmi.pages_store import add_defects, add_models, add_people

VIEW = Path(__file__).resolve().parents[2] / "hmi" / "views" / "quality.py"
QUINN = SignedIn("quinn", Role.QUALITY)
OLGA = SignedIn("olga", Role.OPERATOR)


@pytest.fixture
def store(db_url, tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("ATELIER_DATABASE_URL", db_url)
    monkeypatch.setenv("ATELIER_HOME", str(home))
    engine = make_engine(db_url)
    add_people(engine)
    ids = add_defects(engine, home, datetime.now(UTC))
    add_models(engine)
    yield engine, ids
    engine.dispose()


def page(user: SignedIn) -> AppTest:
    at = AppTest.from_file(str(VIEW), default_timeout=30)
    at.session_state[USER_KEY] = user
    return at.run()


# Tables are told apart by their first columns (AppTest does not expose a dataframe's key).
FIRST_COLUMNS = {
    "queue": ["id", "station"],
    "models": ["version", "architecture"],
    "pareto_class": ["class", "confirmed defects"],
    "pareto_station": ["station", "confirmed defects"],
}


def frames(at: AppTest, name: str) -> list:
    head = FIRST_COLUMNS[name]
    return [d.value for d in at.dataframe if list(d.value.columns[: len(head)]) == head]


def frame(at: AppTest, name: str):
    (found,) = frames(at, name)
    return found


def pareto_counts(at: AppTest, by: str) -> dict[str, int]:
    found = frames(at, f"pareto_{by}")
    if not found:
        return {}
    return dict(zip(found[0][by], found[0]["confirmed defects"], strict=True))


def test_queue_shows_pending_defects_with_their_image(store):
    at = page(QUINN)
    assert not at.exception and not at.error
    queue = frame(at, "queue")
    assert len(queue) == 3 and set(queue["status"]) == {"pending"}
    assert list(queue["score"]) == [0.91, 0.72, 0.66]  # newest first
    assert at.selectbox(key="pick_defect").value.id == queue["id"][0]


def test_confirming_a_defect_changes_the_pareto_and_is_audited(store):
    engine, ids = store
    at = page(QUINN)
    assert pareto_counts(at, "class") == {}
    at.button(key="confirm").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [f"Defect {ids[0]}: confirmed"]
    assert pareto_counts(at, "class") == {"stain": 1}
    assert pareto_counts(at, "station") == {"S3": 1}
    assert len(frame(at, "queue")) == 2  # the confirmed one left the pending queue
    with transaction(engine) as s:
        row = s.get(DefectRow, ids[0])
        assert (row.review_status, row.reviewer) == ("confirmed", "quinn")
        entry = recent(s)[0]
    assert (entry.actor, entry.action, entry.target) == (
        "hmi:quinn",
        "defect.confirm",
        f"defect:{ids[0]}",
    )
    assert entry.before["status"] == "pending" and entry.after["status"] == "confirmed"


def test_reclassify_and_reject(store):
    engine, ids = store
    at = page(QUINN)
    at.selectbox(key="new_class").set_value("puckering").run()
    at.button(key="reclassify").click().run()
    at.button(key="reject").click().run()  # the next pending one is now first
    with transaction(engine) as s:
        first, second = s.get(DefectRow, ids[0]), s.get(DefectRow, ids[1])
        assert (first.review_status, first.reviewed_class) == ("reclassified", "puckering")
        assert second.review_status == "rejected"
        actions = [e.action for e in recent(s, 2)]
    assert actions == ["defect.reject", "defect.reclassify"]
    assert pareto_counts(at, "class") == {"puckering": 1}  # rejected ones are not defects


def test_promotion_marks_one_model_promoted(store):
    engine, _ = store
    at = page(QUINN)
    at.selectbox(key="promote_pick").set_value("v2").run()
    at.button(key="promote").click().run()
    assert not at.exception and [s.value for s in at.success] == ["Model v2 promoted"]
    at.selectbox(key="promote_pick").set_value("v1").run()
    at.button(key="promote").click().run()
    with transaction(engine) as s:
        promoted = s.scalars(select(InspectionModelRow.version).where(InspectionModelRow.promoted))
        assert list(promoted) == ["v1"]
        entries = [(e.action, e.before, e.after) for e in recent(s, 2)]
    assert entries == [
        ("model.promote", {"promoted": "v2"}, {"promoted": "v1"}),
        ("model.promote", {"promoted": None}, {"promoted": "v2"}),
    ]
    models = frame(at, "models").set_index("version")
    assert models.loc["v1", "promoted"] == "PROMOTED" and models.loc["v2", "promoted"] == ""


def test_roll_back_promotes_the_previous_version_again_audited(store):
    engine, _ = store
    at = page(QUINN)
    assert not [b for b in at.button if b.key == "model_rollback"]  # nothing promoted before
    at.selectbox(key="promote_pick").set_value("v1").run()
    at.button(key="promote").click().run()
    at.selectbox(key="promote_pick").set_value("v2").run()
    at.button(key="promote").click().run()
    rollback = at.button(key="model_rollback")
    assert rollback.label == "Roll back to previous (v1)"
    rollback.click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Model v1 promoted again (rolled back)"]
    with transaction(engine) as s:
        promoted = s.scalars(select(InspectionModelRow.version).where(InspectionModelRow.promoted))
        assert list(promoted) == ["v1"]
        last = recent(s, 1)[0]
        assert (last.actor, last.action, last.before, last.after) == (
            "hmi:quinn",
            "model.rollback",
            {"promoted": "v2"},
            {"promoted": "v1"},
        )
    assert at.button(key="model_rollback").label == "Roll back to previous (v2)"
    with transaction(engine) as s, pytest.raises(RoleRefused):
        roll_back(s, OLGA)


def test_an_operator_is_refused_the_page_and_its_actions(store):
    engine, ids = store
    at = page(OLGA)
    assert [e.value for e in at.error] == ["This page is not open to your role."]
    assert not at.dataframe and not at.button
    with pytest.raises(RoleRefused, match="operator"), transaction(engine) as s:
        review_defect(s, OLGA, ids[0], ReviewStatus.CONFIRMED)
    with pytest.raises(RoleRefused), transaction(engine) as s:
        promote(s, OLGA, "v2")
    with transaction(engine) as s:
        assert s.get(DefectRow, ids[0]).review_status == "pending"
        assert not [e for e in recent(s) if e.actor == "hmi:olga"]


def test_bad_reclassification_changes_nothing(store):
    engine, ids = store
    with pytest.raises(Exception, match="already flagged as stain"), transaction(engine) as s:
        review_defect(s, QUINN, ids[0], ReviewStatus.RECLASSIFIED, "stain")
    with transaction(engine) as s:
        assert s.get(DefectRow, ids[0]).review_status == "pending"
        assert not [e for e in recent(s) if e.action.startswith("defect.")]


def test_missing_image_is_a_clear_error_not_a_traceback(store, tmp_path):
    (tmp_path / "home" / "images" / "d1.png").unlink()
    at = page(QUINN)
    assert not at.exception
    assert any("image" in e.value and "is missing" in e.value for e in at.error)


def test_an_image_path_outside_the_home_is_refused(store):
    engine, ids = store
    with transaction(engine) as s:
        s.get(DefectRow, ids[0]).image_path = "../../etc/passwd"
    at = page(QUINN)
    assert not at.exception
    assert any("leaves Atelier's home" in e.value for e in at.error)
