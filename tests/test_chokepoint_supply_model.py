"""The chokepoint model's supply rules on the shipped data (issue 14), each checkable by hand.

- residual shares: ETO's country share minus its named firms stays a provider (ETO's
  provision.csv read here, not copied into the test);
- the right buyer: wafer makers buy crystal pullers, the packaging house buys ATP tools, and the
  designer's listing does not reach them (graph/data/curated/supply_model.yaml);
- complements: a fab needs every kind of wafer inspection tool;
- in-house core IP (Huawei's Da Vinci cores);
- two readings of a measure that covers an input only in part (Japan's 23 items);
- a coverage stated only below the confidence floor covers nothing;
- 2.5D (CoWoS-class) packaging for HBM-bearing accelerators, from their sourced packager;
- Huawei's own HBM for the Ascend 950 pair, a partial (domestic) substitute, made with the
  stacking tools Huawei buys under its own listings;
- a listing's foreign-direct-product reach to foreign tools is coverage in part (not to chips).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

ETO = Path(__file__).resolve().parent.parent / "graph" / "data" / "eto"


@pytest.fixture(scope="module")
def G(store):
    from graph.chokepoints.projection import dependency_graph

    return dependency_graph(store, as_of="2025-06-01")


def _release_dir(G) -> Path:
    """The folder of the ETO release whose shares the graph uses: before 2026-08-14, the earlier one."""
    release = G.graph["shares_release"]
    if release["current"]:
        return ETO
    return ETO.parent / "eto-history" / release["release"].rsplit("-", 1)[1]


def _eto_shares(input_name: str, folder: Path = ETO) -> tuple[dict[str, float], dict[str, float]]:
    """(country -> share, firm name -> share) of one ETO input, from provision.csv and providers.csv."""
    country_of = {r["provider_name"]: r["country"] for r in csv.DictReader(open(folder / "providers.csv"))}
    kinds = {r["provider_name"]: r["provider_type"] for r in csv.DictReader(open(folder / "providers.csv"))}
    countries: dict[str, float] = {}
    firms: dict[str, float] = defaultdict(float)
    for row in csv.DictReader(open(folder / "provision.csv")):
        if row["provided_name"] != input_name or not row["share_provided"]:
            continue
        if kinds.get(row["provider_name"]) == "country":
            countries[row["provider_name"]] = float(row["share_provided"])
        else:
            firms[country_of.get(row["provider_name"], "")] += float(row["share_provided"])
    return countries, dict(firms)


def _supply_edges(G, node):
    return {v: d for v, d in G.adj[node].items() if d.get("relation") == "provided-by"}


def test_country_share_left_by_named_firms_is_an_unnamed_provider(G):
    # Resist processing tools: ETO names TEL, Screen, Lam and SEMES, and gives China a share that
    # no Chinese firm accounts for (Kingsemi's tracks); the review traced SEMES's false single
    # point to dropping it.
    countries, firms = _eto_shares("Resist processing tools", _release_dir(G))  # 2024 figures on 2025-06-01
    expected = round(countries["CHN"] - firms.get("CHN", 0.0), 3)
    assert expected >= 0.1
    edges = _supply_edges(G, "supply:resist-processing-tools@smic")
    unnamed = edges["provider:unnamed-chn-resist-processing-tools"]
    assert unnamed["share"] == pytest.approx(expected)
    assert unnamed["provider_country"] == "CHN" and unnamed["sources"]
    assert G.nodes["provider:unnamed-chn-resist-processing-tools"]["label"].startswith("unnamed CHN firms")
    # ETO's "Various companies" is the same unnamed supply seen from the firm side: not added twice
    assert not any(v == "provider:various-companies" for v in G.nodes)


def test_wafer_makers_buy_the_crystal_pullers_not_the_fab(G):
    assert not any(n.startswith("need:crystal-growing-furnaces@") for n in G.nodes)
    assert G.graph["out_of_scope"]["crystal-growing-furnaces"] == "rule-wafer-maker-inputs"
    # the fab still needs wafers, from the wafer makers ETO names
    assert _supply_edges(G, "supply:wafer@smic")


def test_the_packaging_house_buys_packaging_and_test_tools(G):
    from graph.chokepoints.cutsets import is_cut

    # no source names the Ascend 910C's packager: an unlisted house buys, so the Huawei listing
    # and its foreign-direct-product rule do not cut its tools (they did before: review rank 4-5)
    # (the stage's other child is its 2.5D packaging, per accelerator: see the 2.5D test below)
    packaging = [n for n in G.successors("stage:ascend-910c:packaging") if n.startswith("need:")]
    assert packaging and all(n.endswith("@packager-of-huawei") for n in packaging)
    edges = _supply_edges(G, "supply:burn-in-test-tools@packager-of-huawei")
    assert edges and not any(is_cut(d) for d in edges.values())
    assert all(d["buyer_parties"] == () for d in edges.values())
    # the BR100 names TSMC as its packager (CoWoS-S, supply_relationships.yaml)
    assert all(n.endswith("@tsmc") for n in G.successors("stage:br100:packaging") if n.startswith("need:"))


def test_wafer_inspection_tools_are_complements(G):
    node = "all:wafer-inspection-tools@smic"
    assert G.nodes[node]["gate"] == "and"
    needed = {G.nodes[v]["entity"] for v in G.successors(node)}
    assert {"critical-dimensions-metrology-tools", "overlay-metrology-tools", "defect-inspection-tools"} <= needed


def test_a_fully_cut_inspection_tool_is_not_hidden_by_a_surviving_sibling(G):
    from graph.chokepoints.analysis import all_chokepoints

    # process monitoring tools: ETO names US firms only, cut for SMIC by the 2022 fab rule; before
    # the complements rule a surviving sibling (wafer inspection) masked the cut
    (res,) = all_chokepoints(G, ["ascend-910c"])
    row = next(r for r in res["chokepoints"] if r["key"] == "cut:process-monitoring-tools")
    assert row["order"] == 0 and "us-sme-rule-2022-10" in row["measures"] and row["robust"]


def test_in_house_cores_are_a_source_no_control_cuts(G):
    from graph.chokepoints.analysis import all_chokepoints

    edges = G.adj["supply:core-intellectual-property@huawei"]
    inhouse = [v for v, d in edges.items() if d["relation"] == "in-house"]
    assert inhouse == ["inhouse:huawei:core-intellectual-property"]
    assert "hisilicon-2018-10-10-ascend310" in edges[inhouse[0]]["sources"]  # Huawei's own announcement
    (res,) = all_chokepoints(G, ["ascend-910c"])
    assert not any("verisilicon" in r["key"] for r in res["chokepoints"])


def test_a_measure_covering_an_input_in_part_is_read_both_ways(G):
    from graph.chokepoints.projection import annotate_cuts

    jp = G.graph["measures"]["jp-sme-control-2023-07"]
    assert "resist-processing-tools" in jp.partial_items and "euv-lithography-tools" not in jp.partial_items
    edge = G.edges["supply:resist-processing-tools@smic", "provider:tokyo-electron"]
    assert "jp-sme-control-2023-07" in edge["in_part"]
    broad = annotate_cuts(G.copy(), "2025-06-01", reading="broad")
    narrow = annotate_cuts(G.copy(), "2025-06-01", reading="narrow")
    tel = ("supply:resist-processing-tools@smic", "provider:tokyo-electron")
    assert "jp-sme-control-2023-07" in broad.edges[tel]["cut_by"]
    assert narrow.edges[tel]["cut_by"] == ()
    # ASML's EUV scanners are covered in full: cut in both readings
    for H in (broad, narrow):
        assert H.edges["supply:euv-lithography-tools@smic", "provider:asml"]["cut_by"]


def test_findings_say_in_which_reading_they_hold(G):
    from graph.chokepoints.analysis import all_chokepoints
    from graph.chokepoints.metrics import ranking

    results = all_chokepoints(G)
    rows = [r for res in results for r in res["chokepoints"]]
    assert {r["reading"] for r in rows} >= {"both", "broad"}
    assert all(r["robust"] == (r["reading"] == "both") for r in rows)
    robust = ranking(results)
    everything = ranking(results, robust_only=False)
    assert {r["key"] for r in robust} < {r["key"] for r in everything}
    assert all(r["robust"] for r in robust)


def test_coverage_below_the_confidence_floor_covers_nothing(G):
    from graph.chokepoints.measures import covers

    # China's 2025 extraterritorial rare-earth rule names ETO inputs only at low confidence
    # (china_measures.yaml): at the default floor it covers nothing, instead of every item
    measure = G.graph["measures"]["cn-rare-earth-extraterritorial-2025-10"]
    assert measure.covers_nothing and not covers(measure, "euv-lithography-tools")
    cut = {m for _, _, d in G.edges(data=True) for m in d.get("cut_by", ())}
    assert "cn-rare-earth-extraterritorial-2025-10" not in cut


def test_the_reviews_artefacts_are_not_robust_findings_for_huawei(G):
    from graph.chokepoints.analysis import all_chokepoints

    artefacts = ("pva-tepla", "semes", "amec", "naura", "hangzhou-changchuan-technology", "trinity-tech", "verisilicon")
    for res in all_chokepoints(G, ["ascend-910b", "ascend-910c"]):
        found = [r["key"] for r in res["chokepoints"] if r["robust"] and any(a in r["key"] for a in artefacts)]
        assert found == [], (res["accelerator"], found)


def test_history_dates_each_finding_by_the_measure_that_made_it(G):
    from graph.chokepoints.history import change_dates, history

    events = history(G, ["ascend-910c"])
    dates = [e["date"] for e in events]
    assert dates == sorted(dates)
    measures = G.graph["measures"]
    # the Dutch licence requirement of 2023-09-01 cut the last ArF immersion scanners to SMIC
    arf = [e for e in events if e["key"] == "cut:arf-immersion-duv-lithography-tools" and e["event"] == "appears"]
    assert arf and arf[0]["date"] == measures["nl-duv-control-2023-09"].effective.isoformat()
    assert "nl-duv-control-2023-09" in arf[0]["measures_changing"]
    # every event after the baseline falls on a date a measure takes effect or ends
    when = {d.isoformat() for d in change_dates(G, measures["nl-duv-control-2023-09"].effective.replace(year=2100))}
    assert {e["date"] for e in events if e["event"] != "present"} <= when
    # a finding that appears and later vanishes is listed twice, in that order
    for key in {e["key"] for e in events if e["event"] == "vanishes"}:
        kinds = [e["event"] for e in events if e["key"] == key]
        assert kinds[0] in ("present", "appears")


def _history_date_by_date(G, accelerators):
    """The history as its definition says: every accelerator analysed on every change date."""
    from graph.chokepoints.analysis import all_chokepoints
    from graph.chokepoints.history import change_dates

    before, events = {}, []
    for date in change_dates(G, dt.date.fromisoformat(G.graph["as_of"])):
        for res in all_chokepoints(G, accelerators, as_of=date):
            now = {row["key"]: row for row in res["chokepoints"]}
            was = before.get(res["accelerator"])
            for key in sorted(set(now) | set(was or {})):
                same_reading = key in now and key in (was or {}) and now[key]["reading"] == was[key]["reading"]
                if was is not None and (key in now) == (key in was) and (key not in now or same_reading):
                    continue
                row = now.get(key) or was[key]
                events.append(
                    (
                        res["accelerator"],
                        date.isoformat(),
                        key,
                        key in now,
                        row["reading"],
                        row["measures"] if key in now else [],
                    )
                )
            before[res["accelerator"]] = now
    return events


def test_history_skipping_unchanged_states_equals_analysing_every_date(G):
    from graph.chokepoints.history import history

    # the Ascend 910B and 910C see the most changes (15 states each); the MTT S80 few
    accs = ["ascend-910b", "ascend-910c", "mtt-s80"]
    fast = [
        (e["accelerator"], e["date"], e["key"], e["event"] != "vanishes", e["reading"], e["measures"])
        for e in history(G, accs)
    ]
    assert fast == _history_date_by_date(G, accs)
    assert len(fast) > 40
    # the Dutch metrology control (2025-04-01) covers wafer inspection in part: ASML's pair with
    # the unnamed Chinese e-beam metrology makers holds on, in the narrow reading only
    (change,) = [
        e
        for e in history(G, ["ascend-910c"])
        if e["key"] == "providers:asml+unnamed-chn-e-beam-metrology-tools" and e["event"] == "changes"
    ]
    assert change["date"] == "2025-04-01" and change["reading"] == "narrow" and not change["robust"]


def test_history_command_prints_the_events(built):
    from click.testing import CliRunner

    from graph.cli import cli

    result = CliRunner().invoke(cli, ["chokepoints", "--history", "Ascend 910C", "--csv", "--output-dir", str(built)])
    assert result.exit_code == 0, result.output
    assert "cut:arf-immersion-duv-lithography-tools" in result.stdout
    assert result.stdout.splitlines()[0].startswith("accelerator,date,event,key")
    assert "dates analysed:" in result.stderr  # progress goes to stderr


def test_servicing_controls_mark_the_installed_base_of_a_cut_off_as_decaying(G):
    from graph.chokepoints.analysis import analyse

    def arf(as_of):
        rows = analyse(G, "ascend-910c", as_of=as_of)["chokepoints"]
        return next(r for r in rows if r["key"] == "cut:arf-immersion-duv-lithography-tools")

    # Dutch licences for spare parts and updates of installed NXT:1970i/1980i from 2024-09-07
    # (measures.yaml); ASML's supply is serviced no more, the unnamed Japanese share's still is
    after = arf("2025-06-01")
    assert after["servicing_cut_by"] == ["nl-duv-extension-2024-09"]
    assert after["servicing_cut_for"] == ["asml"] and "servicing cut for some providers" in after["kind"]
    assert arf("2024-09-06")["servicing_cut_by"] == []
    # a measure about servicing only does not also cut new sales
    assert G.graph["measures"]["nl-servicing-licences-2025-01"].covers_nothing


def test_bulk_entity_list_entries_become_measures_for_parties_the_curators_did_not_list():
    from graph.chokepoints.bulk_lists import bulk_listing_measures
    from graph.chokepoints.measures import Measure
    from graph.chokepoints.projection import Claim, Model

    def claim(*sources):
        return Claim(sources=set(sources), confidence="high")

    entry = {
        "onList": {"list-bis-entity-list": claim("list-bis-entity-list")},
        "listsParty": {"acme-ai": claim("list-bis-entity-list"), "party-x": claim("list-bis-entity-list")},
        "effectiveDate": {"2025-01-16": claim("list-bis-entity-list")},
        "footnote": {"4": claim("list-bis-entity-list")},
    }
    model = Model(
        facts={"entry-acme": entry, "entry-huawei": {**entry, "listsParty": {"huawei": claim("x")}}},
        types={
            "entry-acme": {"ListEntry"},
            "entry-huawei": {"ListEntry"},
            "acme-ai": {"Organisation"},
            "huawei": {"Organisation"},
            "party-x": {"Party"},
        },
        labels={"entry-acme": "Entity List: Acme AI"},
        superclasses={},
        sources={},
    )
    curated = {
        "us-el-huawei": Measure(
            "us-el-huawei", "", "EntityListing", frozenset({"USA"}), None, parties=frozenset({"huawei"})
        )
    }
    out = bulk_listing_measures(model, curated)
    # huawei keeps its curated listing; the list's own party record buys nothing in the graph
    assert list(out) == ["entry-acme"]
    m = out["entry-acme"]
    assert m.parties == {"acme-ai"} and m.effective.isoformat() == "2025-01-16"
    assert m.reaches_foreign and m.kind == "EntityListing" and not m.items  # footnote 4: the FDP rule


def test_every_listed_buyer_of_the_shipped_graph_has_a_curated_or_bulk_listing(G):
    # the bulk Entity List confirms the curated listings: every curated organisation on it is a
    # party of some listing measure the analysis reads
    parties = {p for m in G.graph["measures"].values() if m.kind == "EntityListing" for p in m.parties}
    assert {"huawei", "hisilicon", "smic", "cambricon", "biren", "moore-threads"} <= parties
    # HiSilicon is on the bulk list only (its parent Huawei is the curated party), from 2019-05-21
    (hisilicon,) = [m for m in G.graph["measures"].values() if m.parties == {"hisilicon"}]
    assert (
        hisilicon.id.startswith("entry-bis-entity-list-hisilicon") and hisilicon.effective.isoformat() == "2019-05-21"
    )
    assert hisilicon.reaches_foreign  # footnote 1, the Huawei rule


def test_no_residual_where_etos_named_firms_have_no_share(G):
    # ETO names EDA firms without their shares: the US share (96 %) is theirs, not an unnamed remainder
    edges = _supply_edges(G, "supply:electronic-design-automation-software@huawei")
    assert "provider:synopsys" in edges and edges["provider:synopsys"]["share"] is None
    assert "provider:unnamed-usa-electronic-design-automation-software" not in edges
    # Japan's 3 % has no named firm: it stays, as unnamed Japanese firms
    assert edges["provider:unnamed-jpn-electronic-design-automation-software"]["share"] == 3.0


def test_chinese_substitutes_not_shown_to_serve_7nm_are_listed_as_partial(G):
    from graph.chokepoints.analysis import all_chokepoints

    # US EDA is cut off from Huawei by its listing; what is left is Chinese EDA, and no source in
    # the graph says a Chinese flow serves 7 nm, so the row says so instead of calling it covered
    (res,) = all_chokepoints(G, ["ascend-910c"])
    row = next(r for r in res["chokepoints"] if r["key"] == "domestic-only:electronic-design-automation-software")
    assert row["order"] == 0 and row["robust"] and row["domestic"]
    assert "huada-empyrean" in row["providers"] and "synopsys" not in row["providers"]
    assert "us-entity-list-huawei-2019" in row["measures"]
    # a capability statement for every one of them makes the row go away
    H = G.copy()
    for _, _, d in H.edges("supply:electronic-design-automation-software@huawei", data=True):
        if d.get("partial_substitute"):
            d["partial_substitute"] = False
    (res,) = all_chokepoints(H, ["ascend-910c"])
    assert not any(r["key"].startswith("domestic-only:electronic-design") for r in res["chokepoints"])


def test_the_order_to_tsmc_cuts_its_route_for_chinese_designers(store):
    from graph.chokepoints.analysis import chokepoints
    from graph.chokepoints.projection import dependency_graph

    # the 2024-11-11 letter to TSMC covers its output of AI chips for Chinese designers
    # (measures_2022_2026.yaml: coversInput finished-logic-chip), so Iluvatar's TSMC route is cut
    # from that day (the review's row 15: a single point before, order 0 after)
    def fabrication(as_of):
        G = dependency_graph(store, as_of=as_of)
        return {r["key"]: r for r in chokepoints(G, "iluvatar-bi")}

    before, after = fabrication("2024-11-10"), fabrication("2024-11-11")
    assert "providers:tsmc" in before and "cut:fabrication" not in before
    assert "us-tsmc-is-informed-2024-11" in after["cut:fabrication"]["measures"]


def test_the_order_to_tsmc_binds_tsmc_alone(store):
    from graph.chokepoints.analysis import chokepoints
    from graph.chokepoints.projection import dependency_graph

    # the letter was addressed to TSMC (cg:bindsProvider tsmc): Samsung's 14 nm Kunlun-1, which no
    # other measure cuts, stays uncut after 2024-11-11, while Iluvatar's TSMC route is cut
    G = dependency_graph(store, as_of="2025-06-01")
    kunlun = {r["key"]: r for r in chokepoints(G, "kunlun-1")}
    assert not any("us-tsmc-is-informed-2024-11" in r["measures"] for r in kunlun.values()), kunlun.keys()
    assert "cut:fabrication" not in kunlun and "providers:samsung" in kunlun
    iluvatar = {r["key"]: r for r in chokepoints(G, "iluvatar-bi")}
    assert "us-tsmc-is-informed-2024-11" in iluvatar["cut:fabrication"]["measures"]
    letter = G.graph["measures"]["us-tsmc-is-informed-2024-11"]
    assert letter.providers == frozenset({"tsmc"})


def test_an_unknown_foundry_is_in_no_country_so_no_fab_control_is_assumed(G):
    from graph.chokepoints.analysis import all_chokepoints

    # no source names the MTT S4000's foundry: its fab inputs are not cut by China's fab rules,
    # which would assume a Chinese fab (they were, and put it in every SMIC-only finding), and
    # they are not analysed at all: with the world's providers of each tool as its suppliers, the
    # only two firms ETO names for process monitoring were a "chokepoint" of every such chip
    (s4000,) = all_chokepoints(G, ["mtt-s4000"])
    assert s4000["foundry_unknown"]
    assert not any(r["key"] == "cut:process-monitoring-tools" for r in s4000["chokepoints"])
    assert not any("keithley-instruments" in r["providers"] for r in s4000["chokepoints"])
    (route,) = G.successors("stage:mtt-s4000:fabrication")
    assert G.out_degree(route) == 0, "an unknown foundry's route needs nothing"
    (c910,) = all_chokepoints(G, ["ascend-910c"])  # SMIC named: the cut stands
    assert not c910["foundry_unknown"]
    assert any(r["key"] == "cut:process-monitoring-tools" for r in c910["chokepoints"])


def test_hbm_accelerators_need_2_5d_packaging_from_their_sourced_packager(G):
    from graph.chokepoints.analysis import chokepoints
    from graph.chokepoints.projection import ADVANCED_PACKAGING

    # supply_model.yaml rule-hbm-advanced-packaging: an accelerator with HBM needs CoWoS-class
    # packaging; the BR100's packager is TSMC (supply_relationships.yaml), which buys the six
    # interposer tool types itself (so Biren's listing does not reach TSMC's tools)
    node = f"supply:{ADVANCED_PACKAGING}@br100"
    (route,) = G.adj[node]
    assert G.edges[node, route]["relation"] == "packaged-by" and G.edges[node, route]["provider"] == "tsmc"
    tools = {G.nodes[v]["entity"] for v in G.adj[route] if G.nodes[v]["kind"] == "need"}
    assert tools == {
        "lithography-tools-adv-pkg",
        "deposition-tools-adv-pkg",
        "etch-and-clean-tools-adv-pkg",
        "cmp-tools-adv-pkg",
        "inspection-tools-adv-pkg",
        "wafer-bonding-and-aligning-tools",
    }
    assert all(G.nodes[v]["buyer"] == "tsmc" for v in G.adj[route] if G.nodes[v]["kind"] == "need")
    # Biren's Entity-List entry (2023-10, foreign-direct-product footnote) cuts TSMC's service
    rows = {r["key"]: r for r in chokepoints(G, "br100")}
    assert "us-entity-list-biren-moore-threads-2023" in rows[f"cut:{ADVANCED_PACKAGING}"]["measures"]
    # GDDR6 memory: no 2.5D stage; HBM without a sourced packager: an unnamed house nobody lists
    assert f"supply:{ADVANCED_PACKAGING}@mtt-s4000" not in G
    c910 = {r["key"] for r in chokepoints(G, "ascend-910c")}
    assert f"cut:{ADVANCED_PACKAGING}" not in c910
    (unnamed,) = G.adj[f"supply:{ADVANCED_PACKAGING}@ascend-910c"]
    assert G.edges[f"supply:{ADVANCED_PACKAGING}@ascend-910c", unnamed]["relation"] == "packaged-by-unknown"


def test_tsmc_cowos_for_biren_is_cut_only_from_its_listing(store):
    from graph.chokepoints.analysis import chokepoints
    from graph.chokepoints.projection import ADVANCED_PACKAGING, dependency_graph

    before = {r["key"] for r in chokepoints(dependency_graph(store, as_of="2023-10-16"), "br100")}
    after = {r["key"] for r in chokepoints(dependency_graph(store, as_of="2023-11-01"), "br100")}
    assert f"cut:{ADVANCED_PACKAGING}" not in before and f"cut:{ADVANCED_PACKAGING}" in after


def test_huaweis_own_hbm_is_a_partial_substitute_for_the_ascend_950(G):
    from graph.chokepoints.analysis import chokepoints

    # capacity_entities.yaml: the 950PR uses Huawei's own HBM (HiBL 1.0); the Korean and US makers
    # are cut for listed Huawei, so what is left is Huawei's HBM, which no source shows in volume
    edges = _supply_edges(G, "supply:hbm@ascend-950pr")
    own = G.edges["supply:hbm@ascend-950pr", "route:ascend-950pr:huawei:hbm-stacking"]
    assert own["relation"] == "stacked-by" and own["partial_substitute"] is True and not own["cut_by"]
    assert edges and all(d["cut_by"] for d in edges.values())
    rows = {r["key"]: r for r in chokepoints(G, "ascend-950pr")}
    assert "cut:hbm" not in rows
    assert rows["domestic-only:hbm"]["providers"] == ["huawei"]


def test_a_chinese_hbm_maker_buys_its_stacking_tools_under_its_own_listings(G):
    """supply_model.yaml, rule-hbm-maker-stacking-tools: Huawei's HBM stacks for the 950PR need
    the via etch and the die bonders, bought by Huawei (listed) in China."""
    route = "route:ascend-950pr:huawei:hbm-stacking"
    needs = sorted(v for v, d in G.adj[route].items() if d["relation"] == "requires")
    assert needs == ["need:die-attaching-tools-for-ic@huawei", "need:dry-etching-tools-adv-pkg@huawei"]
    assert G.edges[route, "provider:huawei"]["relation"] == "operated-by"
    hanmi = G.edges["supply:die-attaching-tools-for-ic@huawei", "provider:hanmi"]
    assert hanmi["buyer_country"] == "CHN" and "huawei" in hanmi["buyer_parties"]
    # a foreign maker's stacks are bought finished: no stacking route for SK hynix or Samsung
    assert not [n for n in G if n.endswith(":hbm-stacking") and ":huawei:" not in n]


def test_a_listings_foreign_direct_product_reach_is_in_part_for_tools_not_for_chips(G):
    """Huawei's foreign-direct-product rules reach a Korean bonder only in the broad reading (its
    US content is not known), but foreign chips in both: Samsung's HBM2E for the 910C and TSMC's
    foundry output for the Ascend 910 stay cut in the narrow reading."""
    from graph.chokepoints.measures import listing_reaches_only_in_part

    measures = G.graph["measures"]
    hanmi = G.edges["supply:die-attaching-tools-for-ic@huawei", "provider:hanmi"]
    assert hanmi["foreign_reach_in_part"] is True and hanmi["candidates"]
    assert set(hanmi["in_part"]) == set(hanmi["candidates"])  # every cut of it rests on the reach
    assert all(listing_reaches_only_in_part(measures[m], "KOR") for m in hanmi["in_part"])
    kns = G.edges["supply:die-attaching-tools-for-ic@huawei", "provider:kulicke-soffa"]
    assert kns["provider_country"] == "SGP" and kns["in_part"]
    samsung = G.edges["supply:hbm2e@ascend-910c", "provider:samsung"]
    assert samsung["foreign_reach_in_part"] is False and samsung["candidates"] and not samsung["in_part"]
    tsmc = [d for _, v, d in G.out_edges("stage:ascend-910:fabrication", data=True) if ":tsmc:" in v]
    assert tsmc and all(d["foreign_reach_in_part"] is False and d["cut_by"] and not d["in_part"] for d in tsmc)


def test_huaweis_hbm_stacking_findings_are_fragile(store):
    """With every foreign bonder reached only through the FDP rules, the last suppliers of bonders
    and via etchers to Huawei's HBM (unnamed Chinese firms; AMEC and NAURA) hold in the broad
    reading only, so they are ranked with --fragile and not by default."""
    from graph.chokepoints.analysis import all_chokepoints
    from graph.chokepoints.metrics import ranking
    from graph.chokepoints.projection import dependency_graph

    results = all_chokepoints(dependency_graph(store))
    robust = {r["key"] for r in ranking(results)}
    everything = {r["key"]: r for r in ranking(results, robust_only=False)}
    stacking = ["providers:unnamed-chn-die-attaching-tools-for-ic", "providers:amec+naura"]
    assert all(k in everything and k not in robust for k in stacking)
    assert set(everything["providers:unnamed-chn-die-attaching-tools-for-ic"]["accelerators"]) == {
        "ascend-950dt",
        "ascend-950pr",
    }


def test_a_foreign_fabs_own_tool_supply_is_not_a_lever_on_a_chinese_chip(G):
    """Samsung makes the Kunlun-1 for Baidu in Korea (sourced). ETO names only Keithley and
    Keysight (both US) for process monitoring tools, so losing both would stop Samsung's fab, and
    with it the chip. No control aimed at China reaches Samsung's own tool purchases; the lever
    is Samsung's work for Baidu, which stays a single point. The pair is left out, and listed."""
    from graph.chokepoints.analysis import all_chokepoints

    (kunlun,) = all_chokepoints(G, ["kunlun-1"])
    keys = {r["key"] for r in kunlun["chokepoints"]}
    assert "providers:samsung" in keys
    assert not any("keithley-instruments" in r["providers"] for r in kunlun["chokepoints"])
    assert "providers:keithley-instruments+keysight-tech" in [s["key"] for s in kunlun["abroad_sets"]]
    assert all(s["buyers"] == ["samsung"] for s in kunlun["abroad_sets"])
    # the importance ranking is of the findings: the sets left out do not dilute Samsung's share
    assert [(r["provider"], r["importance"]) for r in kunlun["importance"]] == [("samsung", 1.0)]
    # the same providers selling to a fab in China would be a finding: the rule is about the buyer
    edges = list(G.adj["supply:process-monitoring-tools@samsung"].values())
    assert {d["buyer_country"] for d in edges} == {"KOR"}
