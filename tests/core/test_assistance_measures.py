"""The measure status table: planned → referred → accepted → done, declines and cancels."""

import pytest

from fangpin.core.assistance import (
    IllegalMeasureMove,
    MeasureAction,
    MeasureStatus,
    measure_actions,
    next_status,
)

P, R, A, D, C = (MeasureStatus.PLANNED, MeasureStatus.REFERRED, MeasureStatus.ACCEPTED, MeasureStatus.DONE,
                 MeasureStatus.CANCELLED)


def test_the_referral_path():
    assert next_status(P, MeasureAction.REFER) is R
    assert next_status(R, MeasureAction.ACCEPT) is A
    assert next_status(A, MeasureAction.COMPLETE) is D


def test_village_completes_its_own_measure_directly():
    assert next_status(P, MeasureAction.COMPLETE) is D


def test_decline_returns_to_planned_and_needs_a_reason():
    with pytest.raises(IllegalMeasureMove, match="退回须填写理由"):
        next_status(R, MeasureAction.DECLINE, "  ")
    assert next_status(R, MeasureAction.DECLINE, "不属于本部门职责") is P


@pytest.mark.parametrize("status", [P, R, A])
def test_any_open_measure_can_be_cancelled_with_a_reason(status):
    with pytest.raises(IllegalMeasureMove, match="取消须填写理由"):
        next_status(status, MeasureAction.CANCEL)
    assert next_status(status, MeasureAction.CANCEL, "户已迁出") is C


@pytest.mark.parametrize(("status", "action"), [
    (P, MeasureAction.ACCEPT), (P, MeasureAction.DECLINE), (R, MeasureAction.COMPLETE), (R, MeasureAction.REFER),
    (A, MeasureAction.ACCEPT), (A, MeasureAction.REFER), (D, MeasureAction.CANCEL), (D, MeasureAction.COMPLETE),
    (C, MeasureAction.REFER), (C, MeasureAction.COMPLETE),
])
def test_illegal_moves_raise_a_named_error(status, action):
    with pytest.raises(IllegalMeasureMove, match="措施“"):
        next_status(status, action, "理由")


def test_who_moves_what():
    assert measure_actions(P, by_department=False) == [MeasureAction.REFER, MeasureAction.COMPLETE,
                                                       MeasureAction.CANCEL]
    assert measure_actions(R, by_department=True) == [MeasureAction.ACCEPT, MeasureAction.DECLINE]
    assert measure_actions(A, by_department=True) == [MeasureAction.COMPLETE]
    assert measure_actions(D, by_department=False) == []
