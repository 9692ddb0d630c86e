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


def test_the_validation_parts_benchmark_times_one_job_and_two_side_by_side(tmp_path, monkeypatch, capsys):
    from benchmarks import validation_parts
    from benchmarks.synthetic import generate

    generate(tmp_path / "series", 2)
    monkeypatch.setattr("sys.argv", ["validation_parts", "--series", str(tmp_path / "series"), "--runs", "1"])
    validation_parts.main()
    printed = capsys.readouterr().out
    for label in ("parse and load, 1 job(s)", "parse and load, 2 job(s)", "free the store", "compile the shapes"):
        assert label in printed
    checks = [line for line in printed.splitlines() if " checks, " in line]
    assert [line.split(", ")[-1].split()[0:2] for line in checks] == [["1", "job(s)"], ["2", "job(s)"]]
    assert all(re.search(r" \d+\.\d\d s  \(\d+\.\d\d s CPU\)$", line) for line in checks)  # seconds printed
