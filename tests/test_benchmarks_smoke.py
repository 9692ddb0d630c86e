"""A two-second run of the benchmark harness against the project's server only (the real benchmark is
``make bench``); it must start the server, drive it and print the figure table."""

from __future__ import annotations

import re

from benchmarks.run import main


def test_the_harness_drives_our_server_and_prints_the_figure_table(capsys):
    assert (
        main(
            ["--sizes", "real", "--duration", "1", "--clients", "2", "--systems", "sldkg", "--mixes", "adhoc,deref", "--validate-max", "0"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "| size | triples | mix | system | req/s | p50 ms | p99 ms | req/s ÷ ours | p50 ÷ ours | errors |" in out
    rows = {
        m.group(1): m
        for m in re.finditer(
            r"^\| real \| \d+ \| (adhoc|deref) \| sldkg \| (\d+) \| ([\d.]+) \| ([\d.]+) \| 1\.00 \| 1\.00 \| (\d+) \|$", out, re.M
        )
    }
    assert set(rows) == {"adhoc", "deref"}
    for row in rows.values():
        assert int(row.group(2)) > 0  # requests per second
        assert float(row.group(3)) <= float(row.group(4))  # p50 <= p99
        assert row.group(5) == "0"  # no errors
    assert re.search(r"^\| startup \| real \| \d+ \| - \| sldkg \| [\d.]+ ", out, re.M)
    # the ad-hoc mix query by query (the lookup goal of issue 12 is about one of them)
    assert re.search(r"^\| real \| adhoc:lookup-land \| [\d.]+ \|$", out, re.M)
