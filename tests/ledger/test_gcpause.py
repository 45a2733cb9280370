"""The collector is paused for the length of bulk jobs, overlapping ones included, and restored after."""

from __future__ import annotations

import gc

import pytest

from fangpin.gcpause import collector_paused


@pytest.fixture(autouse=True)
def _restore():
    enabled = gc.isenabled()
    yield
    gc.enable() if enabled else gc.disable()


def test_paused_inside_and_restored_after_even_on_error():
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_overlapping_jobs_restore_only_when_the_last_ends():
    gc.enable()
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second job is still running
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
