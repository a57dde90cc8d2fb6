"""The size tables in data/ are what the script makes from ANSUR II, and grade linearly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from design_bridge.measurements import SIZE_TABLES, ranges
from design_bridge.tools import make_size_tables as mk


@pytest.fixture(scope="module")
def ansur():
    return mk.load_ansur()


@pytest.mark.parametrize("body", ["men", "women"])
def test_size_table_file_is_what_the_script_derives(ansur, body):
    shipped = pd.read_csv(SIZE_TABLES / f"{body}.csv")
    made = mk.size_table(ansur[body])
    pd.testing.assert_frame_equal(shipped, made, check_dtype=False)


def test_ranges_and_derivations_files_are_what_the_script_derives(ansur):
    both = pd.concat(ansur.values(), ignore_index=True)
    assert json.loads((SIZE_TABLES / "ranges.json").read_text()) == mk.ranges(both)
    assert json.loads((SIZE_TABLES / "derivations.json").read_text()) == mk.derivations(both)


@pytest.mark.parametrize("body", ["men", "women"])
def test_grading_is_linear_base_plus_increment_and_inside_the_ranges(body):
    table = pd.read_csv(SIZE_TABLES / f"{body}.csv").set_index("measurement")
    sizes = list(mk.SIZES)
    for name, row in table.iterrows():
        steps = np.diff(row[sizes].to_numpy(dtype=float))
        assert np.allclose(steps, row["increment"], atol=0.11), name
        assert row[mk.BASE_SIZE] == row["base"]
        assert (
            ranges()[name]["min"] <= row[sizes].min() <= row[sizes].max() <= ranges()[name]["max"]
        )
    assert (np.diff(table.loc["chest", sizes].to_numpy(dtype=float)) > 0).all()
