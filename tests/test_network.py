"""The partner-network analysis of a programme: what runs on each kind of data, every number
in its sentences from its result, and what the public version leaves out (issue 12)."""

from __future__ import annotations

from pathlib import Path

import exitanalysis as xa
from conftest import DEFAULT_CONFIG
from exitanalysis.text import number, percent
from helpers import DELETE, MONTHLY, write_programme


def test_the_bundled_programme() -> None:
    network = xa.assess_network(xa.load_programme(xa.load_config(DEFAULT_CONFIG)))
    assert network.synthetic and not network.public
    assert network.to_frame()["ran"].all()
    matrix, ratio, inclusions = network.matrix, network.network, network.inclusions
    assert matrix is not None and ratio is not None and inclusions is not None
    text = network.explain("matrix")
    assert f"{number(matrix.referrals)} referrals were recorded, of {number(matrix.persons)}" \
        in text and f"and {number(matrix.anonymous)} anonymous case consultations" in text
    row = ratio.to_frame().iloc[0]
    assert row["kind"] == "partner_intake"
    said = network.explain("network")
    assert (f"{number(row['before_rate'], 'en', 2)} a month before the network began (June "
            f"2021) and {number(row['during_rate'], 'en', 2)} a month while it was active, "
            f"{number(row['rate_ratio'], 'en', 2)} times as many (95% interval "
            f"{number(row['low'], 'en', 2)} to {number(row['high'], 'en', 2)})") in said
    assert "assumption" in said  # the network's dates are an assumption, and it says so
    assert f"{percent(inclusions.share)} of the persons included came through a referral" \
        in network.explain("inclusions")
    assert "association" in network.explain("inclusions")
    table = inclusions.to_frame().set_index("group")
    assert network.plot("inclusions").get_title() == (
        f"{percent(table.loc['referred', 'conversion'])} of referred persons were included, "
        f"{percent(table.loc['not_referred', 'conversion'])} of the others")
    assert network.plot("flows", language="da").get_title().startswith("Den største strøm")
    findings = network.key_findings("da")
    assert findings.synthetic and len(findings.sentences) == 3
    assert network.explain("matrix", "da").startswith("Der er registreret")


def test_the_public_version_shows_counts_of_persons_only() -> None:
    config = xa.load_config(DEFAULT_CONFIG).with_overrides(audience="public")
    programme = xa.load_programme(config)
    network = xa.assess_network(programme)
    release = xa.public_release(programme)
    assert network.public and network.matrix is None and network.by_month is None
    assert network.missing["matrix"] == "why_public_referrals"
    assert "not persons" in network.explain("matrix")
    # The rate ratio's two counts are audited with the rest; here the audit withholds them,
    # and the part says so instead of showing a ratio that gives them back.
    assert set(release.network) == {"before", "during"}
    if None in release.network.values():
        assert network.network is None and network.missing["network"] == "why_public_withheld"
    else:
        assert network.network is not None
        row = network.network.to_frame().iloc[0]
        assert (row["before_referrals"], row["during_referrals"]) == (
            release.network["before"], release.network["during"])
    # A referral channel's counts are withheld: the comparison would be short of persons.
    assert network.inclusions is None
    assert network.key_findings().sentences[0].startswith("The public version can show")


def test_without_a_network_period_or_referrals(tmp_path: Path) -> None:
    config = write_programme(tmp_path / "a", None, {"observed": DELETE})
    network = xa.assess_network(xa.load_programme(xa.load_config(config)))
    assert network.network is None and network.missing["network"] == "why_no_network"
    assert "analysis.network" in network.explain("network")
    config = write_programme(tmp_path / "b", {"monthly": MONTHLY}, {"observed": DELETE})
    monthly = xa.assess_network(xa.load_programme(xa.load_config(config)))
    assert not monthly.to_frame()["ran"].any()
    assert monthly.missing["matrix"] == "why_no_referrals"
    assert monthly.key_findings().sentences == (
        "This run's data allow no analysis of the partner network.",)
    for part in ("matrix", "flows", "by_month", "inclusions", "network"):
        assert monthly.plot(part) is not None  # each draws its reason
