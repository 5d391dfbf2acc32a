"""The reports' labels cover exactly the contract's metric list, in its order."""

from __future__ import annotations

from plcqi.ingest.contract import METRIC_KEYS
from plcqi.publish.metrics import METRICS


def test_every_contract_metric_has_one_label_in_contract_order():
    assert tuple(METRICS) == METRIC_KEYS
