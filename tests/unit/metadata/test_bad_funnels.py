"""Bad funnels and workflows (``config/funnels/*.yaml``, ``config/workflows/*.yaml``): each
case breaks a copy of ``tests/configs/basic`` plus a good deal entity, funnel and workflows,
and names the exact lines ``leadloom check`` prints for it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leadloom.metadata import ConfigInvalid, load_registry
from leadloom.metadata.funnels import funnel_for

BASIC = Path(__file__).resolve().parents[2] / "configs" / "basic"
DEAL = """\
entity: deal
zh: 商机
en: Deal
menu: sales
fields:
  name: {type: string, zh: 名称, en: Name, required: true}
  stage: {type: enum, zh: 阶段, en: Stage, default: open, options: [
    {code: open, zh: 开放, en: Open}, {code: proposal, zh: 方案, en: Proposal},
    {code: won, zh: 赢单, en: Won}, {code: lost, zh: 输单, en: Lost}]}
  amount: {type: money, zh: 金额, en: Amount}
  reason: {type: enum, zh: 原因, en: Reason, options: [{code: price, zh: 价格, en: Price}]}
  note: {type: text, zh: 备注, en: Note}
"""
PAPER = """\
entity: paper
zh: 合同
en: Paper
menu: sales
fields:
  title: {type: string, zh: 标题, en: Title}
  deal: {type: reference, to: deal, zh: 商机, en: Deal}
  lead: {type: reference, to: lead, zh: 线索, en: Lead}
  total: {type: money, zh: 金额, en: Total}
  checked: {type: money, zh: 确认金额, en: Checked}
  why: {type: text, zh: 原因, en: Why}
  state: {type: enum, zh: 状态, en: State, default: draft, options: [
    {code: draft, zh: 草稿, en: Draft}, {code: ok, zh: 已确认, en: Confirmed},
    {code: back, zh: 退回, en: Returned}]}
"""
FUNNEL = "funnels/deals.yaml"
GOOD = """\
zh: 商机漏斗
en: Deals
entity: deal
field: stage
amount: amount
stages:
  open:
    probability: 10
    leave: [amount]
    next: [proposal, lost]
  proposal:
    probability: 50
    related: {entity: paper, link: deal, fields: [total]}
    next:
      - {to: lost, roles: [supervisor], when: "amount > 100"}
  won:
    probability: 100
    outcome: won
    follows: {entity: paper, link: deal, field: state, value: ok, otherwise: proposal}
  lost:
    probability: 0
    outcome: lost
    enter: [reason]
    on_enter: {note: lost}
"""
FLOW = "workflows/big.yaml"
GOOD_FLOW = """\
zh: 大单
en: Big deal
entity: deal
trigger:
  fields: [amount]
  when: "amount > 1000"
order: parallel
steps:
  - {role: supervisor, relation: owner_team}
  - {zh: 财务, en: Finance, role: finance, required: 1}
"""
STATES = "workflows/paper.yaml"
GOOD_STATES = """\
zh: 合同确认
en: Paper check
entity: paper
state: state
states:
  draft:
    edit: {rep: [total, title], finance: [state, checked, why]}
  ok:
    edit: {finance: [state, why]}
  back:
    reason: why
    after_edit: draft
confirmation:
  confirmed: ok
  amount: total
  confirmed_amount: checked
  reason: why
"""
STAGES = "(known: lost, open, proposal, won)"
ROLES = "(known: admin, finance, marketing, rep, supervisor)"
DEAL_FIELDS = "(known: amount, name, note, reason, stage)"
PAPER_FIELDS = "(known: checked, deal, lead, state, title, total, why)"

#: (id, file, old snippet, new snippet, expected lines)
CASES = [
    ("unknown-entity", FUNNEL, "entity: deal", "entity: deel",
     [f"{FUNNEL}:3: funnels.deals.entity: unknown entity 'deel' (known: account, deal, lead, "
      "paper, source, tag)"]),
    ("stage-field-unknown", FUNNEL, "field: stage", "field: stag",
     [f"{FUNNEL}:4: funnels.deals.field: unknown field 'stag' {DEAL_FIELDS}"]),
    ("stage-field-not-enum", FUNNEL, "field: stage", "field: name",
     [f"{FUNNEL}:4: funnels.deals.field: 'name' is string: the stage field must be an enum"]),
    ("amount-not-a-number", FUNNEL, "amount: amount\nstages", "amount: note\nstages",
     [f"{FUNNEL}:5: funnels.deals.amount: 'note' is not a number or money field"]),
    ("stage-not-an-option", FUNNEL, "  lost:\n    probability: 0",
     "  gone:\n    probability: 0",
     [f"{FUNNEL}:10: funnels.deals.stages.open.next.1: unknown stage 'lost' "
      "(known: gone, open, proposal, won)",
      f"{FUNNEL}:15: funnels.deals.stages.proposal.next.0: unknown stage 'lost' "
      "(known: gone, open, proposal, won)",
      f"{FUNNEL}:20: funnels.deals.stages.gone: 'gone' is not an option of 'stage' "
      "(known: lost, open, proposal, won)"]),
    ("next-unknown-stage", FUNNEL, "next: [proposal, lost]", "next: [propsal, lost]",
     [f"{FUNNEL}:10: funnels.deals.stages.open.next.0: unknown stage 'propsal' {STAGES}"]),
    ("leave-unknown-field", FUNNEL, "leave: [amount]", "leave: [amont]",
     [f"{FUNNEL}:9: funnels.deals.stages.open.leave.0: unknown field 'amont' {DEAL_FIELDS}"]),
    ("move-unknown-role", FUNNEL, "roles: [supervisor]", "roles: [boss]",
     [f"{FUNNEL}:15: funnels.deals.stages.proposal.next.0.roles.0: unknown role 'boss' {ROLES}"]),
    ("move-bad-condition", FUNNEL, 'when: "amount > 100"', 'when: "amont > 100"',
     [f"{FUNNEL}:15: funnels.deals.stages.proposal.next.0.when: unknown field 'amont' "
      "(did you mean 'amount'?) (column 1)"]),
    ("move-unknown-key", FUNNEL, "{to: lost, roles", "{to: lost, rolls: [x], roles",
     [f"{FUNNEL}:15: funnels.deals.stages.proposal.next.0.rolls: unknown key 'rolls' "
      "(a move has to, roles and when)"]),
    ("probability-out-of-range", FUNNEL, "probability: 50", "probability: 150",
     [f"{FUNNEL}:12: funnels.deals.stages.proposal.probability: give a percentage from 0 "
      "to 100"]),
    ("unknown-outcome", FUNNEL, "outcome: won", "outcome: win",
     [f"{FUNNEL}:18: funnels.deals.stages.won.outcome: unknown outcome 'win' "
      "(known: open, won, lost)"]),
    ("related-link-wrong-target", FUNNEL, "link: deal, fields", "link: lead, fields",
     [f"{FUNNEL}:13: funnels.deals.stages.proposal.related.link: 'lead' must be a reference "
      "to 'deal'"]),
    ("follows-unknown-value", FUNNEL, "value: ok,", "value: okay,",
     [f"{FUNNEL}:19: funnels.deals.stages.won.follows.value: 'okay' is not an option of "
      "'state' (known: back, draft, ok)"]),
    ("follows-unknown-otherwise", FUNNEL, "otherwise: proposal", "otherwise: offer",
     [f"{FUNNEL}:19: funnels.deals.stages.won.follows.otherwise: unknown stage 'offer'"]),
    ("on-enter-unknown-field", FUNNEL, "on_enter: {note: lost}", "on_enter: {nte: lost}",
     [f"{FUNNEL}:24: funnels.deals.stages.lost.on_enter.nte: unknown field 'nte' "
      f"{DEAL_FIELDS}"]),
    ("on-enter-bad-option", FUNNEL, "on_enter: {note: lost}", "on_enter: {reason: cost}",
     [f"{FUNNEL}:24: funnels.deals.stages.lost.on_enter.reason: 'cost' is not an option of "
      "'reason' (known: price)"]),
    ("unknown-unit", FUNNEL, "amount: amount\n", "amount: amount\nunits: [north]\n",
     [f"{FUNNEL}:6: funnels.deals.units.0: unknown unit 'north' (known: east, west)"]),
    ("one-stage", FUNNEL, GOOD[GOOD.index("  proposal:"):], "",
     [f"{FUNNEL}:6: funnels.deals.stages: declare at least two stages"]),
    ("name-differs-from-file", FUNNEL, "zh: 商机漏斗\n", "funnel: other\nzh: 商机漏斗\n",
     [f"{FUNNEL}:1: funnels.other.funnel: 'other' must match the file name 'deals'"]),
    ("flow-trigger-both", FLOW, "  fields: [amount]\n", "  fields: [amount]\n  to: [won]\n",
     [f"{FLOW}:5: workflows.big.trigger.fields: a trigger is a stage move or a field change, "
      "not both"]),
    ("flow-trigger-empty", FLOW, "  fields: [amount]\n  when: \"amount > 1000\"\n",
     "  when: \"amount > 1000\"\n",
     [f"{FLOW}:4: workflows.big.trigger: say what starts it: moves, to, from or fields"]),
    ("flow-unknown-move", FLOW, "  fields: [amount]\n", "  moves: [jump]\n",
     [f"{FLOW}:5: workflows.big.trigger.moves.0: unknown move 'jump' (known: next, skip, back)"]),
    ("flow-unknown-stage", FLOW, "  fields: [amount]\n", "  to: [closed]\n",
     [f"{FLOW}:5: workflows.big.trigger.to.0: unknown stage 'closed' {STAGES}"]),
    ("flow-bad-condition", FLOW, '"amount > 1000"', '"amount > \'lots\'"',
     [f"{FLOW}:6: workflows.big.trigger.when: cannot compare number with text (column 1)"]),
    ("flow-no-steps", FLOW, GOOD_FLOW[GOOD_FLOW.index("steps:"):], "",
     [f"{FLOW}:4: workflows.big.trigger: an approval needs steps: who approves"]),
    ("step-without-approvers", FLOW, "{role: supervisor, relation: owner_team}",
     "{zh: 主管, en: Boss}",
     [f"{FLOW}:9: workflows.big.steps.0: name the approvers: a role, a relation or both"]),
    ("step-unknown-role", FLOW, "role: finance", "role: accounting",
     [f"{FLOW}:10: workflows.big.steps.1.role: unknown role 'accounting' {ROLES}"]),
    ("step-unknown-relation", FLOW, "relation: owner_team", "relation: boss",
     [f"{FLOW}:9: workflows.big.steps.0.relation: unknown relation 'boss' (known: owner, "
      "owner_team, owner_unit)"]),
    ("step-owner-twice", FLOW, "{role: supervisor, relation: owner_team}",
     "{relation: owner, required: 2}",
     [f"{FLOW}:9: workflows.big.steps.0.required: the owner is one person: required must be 1"]),
    ("unknown-order", FLOW, "order: parallel", "order: random",
     [f"{FLOW}:7: workflows.big.order: unknown order 'random' (known: sequential, parallel)"]),
    ("states-unknown-value", STATES, "  back:\n", "  bak:\n",
     [f"{STATES}:10: workflows.paper.states.bak: 'bak' is not an option of 'state' "
      "(known: back, draft, ok)"]),
    ("states-unknown-role", STATES, "{rep: [total, title]", "{reps: [total, title]",
     [f"{STATES}:7: workflows.paper.states.draft.edit.reps: unknown role 'reps' {ROLES}"]),
    ("states-unknown-field", STATES, "[total, title]", "[totl, title]",
     [f"{STATES}:7: workflows.paper.states.draft.edit.rep.0: unknown field 'totl' "
      f"{PAPER_FIELDS}"]),
    ("state-not-enum", STATES, "state: state\n", "state: total\n",
     [f"{STATES}:4: workflows.paper.state: 'total' is money: the state field must be an enum"]),
    ("confirmation-unknown-state", STATES, "confirmed: ok", "confirmed: done",
     [f"{STATES}:14: workflows.paper.confirmation.confirmed: 'done' is not one of the states "
      "(known: back, draft, ok)"]),
    ("confirmation-amount-not-money", STATES, "  amount: total", "  amount: title",
     [f"{STATES}:15: workflows.paper.confirmation.amount: 'title' is not a number or money "
      "field"]),
]


def _config(tmp_path: Path, edits: dict[str, str]) -> Path:
    root = tmp_path / "config"
    shutil.copytree(BASIC, root)
    (root / "funnels").mkdir()
    (root / "workflows").mkdir()
    files = {"entities/deal.yaml": DEAL, "entities/paper.yaml": PAPER, FUNNEL: GOOD,
             FLOW: GOOD_FLOW, STATES: GOOD_STATES, **edits}
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_good_funnel_and_workflows_load(tmp_path: Path) -> None:
    registry = load_registry(_config(tmp_path, {}))
    funnel = funnel_for(registry.funnels, "deal", "east")
    assert funnel is not None and [s.code for s in funnel.stages] == [
        "open", "proposal", "won", "lost"]
    assert funnel.start == ("open",) and funnel.stage("proposal").related.entity == "paper"
    assert funnel.stage("proposal").moves[0].roles == ("supervisor",)
    flows = {w.name: w for w in registry.workflows}
    assert flows["big"].order == "parallel" and flows["big"].steps[1].role == "finance"
    assert flows["paper"].confirmation.confirmed_amount == "checked"
    assert flows["paper"].guarded == {"state", "total", "title", "checked", "why"}


@pytest.mark.parametrize(("case", "name", "old", "new", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_bad_funnel_or_workflow(case: str, name: str, old: str, new: str,
                                expected: list[str], tmp_path: Path) -> None:
    text = {FUNNEL: GOOD, FLOW: GOOD_FLOW, STATES: GOOD_STATES}[name]
    assert text.count(old) == 1, old
    root = _config(tmp_path, {name: text.replace(old, new)})
    with pytest.raises(ConfigInvalid) as raised:
        load_registry(root)
    assert [str(e) for e in raised.value.errors] == expected
    for error in raised.value.errors:
        assert len(error.message) < 80 or "(known:" in error.message, error.message


def test_two_default_funnels_for_one_entity(tmp_path: Path) -> None:
    root = _config(tmp_path, {"funnels/other.yaml": GOOD})
    with pytest.raises(ConfigInvalid) as raised:
        load_registry(root)
    assert [str(e) for e in raised.value.errors] == [
        "funnels/other.yaml:3: funnels.other.entity: funnel 'deals' is already deal's funnel "
        "for every unit"]


def test_a_unit_has_its_own_funnel(tmp_path: Path) -> None:
    west = GOOD.replace("amount: amount\n", "amount: amount\nunits: [west]\n").replace(
        "next: [proposal, lost]", "next: [lost]")
    registry = load_registry(_config(tmp_path, {"funnels/west.yaml": west}))
    assert funnel_for(registry.funnels, "deal", "west").name == "west"
    assert funnel_for(registry.funnels, "deal", "east").name == "deals"


def test_shipped_funnels_and_workflows_load() -> None:
    registry = load_registry(BASIC.parents[2] / "config")
    assert {f.name for f in registry.funnels} == {"sales", "west"}
    sales = funnel_for(registry.funnels, "lead", "east")
    assert [s.code for s in sales.stages] == ["capture", "discovery", "solution",
                                              "negotiation", "signing", "after_sales", "won",
                                              "lost"]
    assert {w.name for w in registry.workflows} >= {"stage_jump", "contract_finance",
                                                    "discount", "discount_high",
                                                    "contract_amount"}
