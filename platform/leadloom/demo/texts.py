"""Free text for demo records: need descriptions, follow-up notes, next actions.

A small template grammar with slots filled from the recipe's vocabularies (§3.8), so the
notes read like a sales team's and stay consistent with method, stage and feedback.
"""

from __future__ import annotations

import datetime as dt
import random

PAINS = ("现有管理流程效率低", "数据分散难以整合", "跨部门协作低效", "客户跟进不及时",
         "报表统计耗时")
FOCUS = ("数据安全", "定制化", "价格", "交付周期", "系统集成")
OBJECTIONS = ("报价高于预算", "交付周期过长", "担心数据迁移", "需要定制功能", "决策人未表态")
MODULES = ("线索管理", "客户管理", "销售漏斗", "合同管理", "报表分析", "移动办公", "审批流程",
           "数据看板")
DECISIONS = ("上报总经理审批", "走招标流程", "采购部比价", "等待年度预算批复", "IT部门技术评估")
DOCS = ("产品资料", "解决方案", "报价单", "案例介绍", "技术白皮书")
OPENINGS = {"phone": "电话沟通", "wechat": "微信沟通", "visit": "上门拜访",
            "online_demo": "线上会议演示", "email": "邮件沟通", "proposal": "发送方案"}
NEXT_ACTIONS = {
    "discovery": ("发送产品资料", "安排产品演示", "再次电话联系", "预约上门拜访", "了解预算情况"),
    "solution": ("提交解决方案", "安排产品演示", "发送报价单", "补充竞品对比方案",
                 "预约上门拜访"),
    "negotiation": ("发送合同草案", "推进合同签署", "申请价格审批", "确认付款方式"),
    "after_sales": ("安排上线培训", "回访使用情况", "收集满意度反馈", "沟通增购需求"),
}


def need_description(rng: random.Random, industry_label: str) -> str:
    """The lead's core need in one or two sentences."""
    pain, module = rng.choice(PAINS), rng.choice(MODULES)
    form = rng.randrange(4)
    if form == 0:
        return f"{pain}，希望引入CRM系统统一管理线索和客户跟进。"
    if form == 1:
        return f"目前用Excel管理客户，{pain}，需要{module}功能。"
    if form == 2:
        return f"{industry_label}企业，{pain}，想了解{module}和{rng.choice(MODULES)}。"
    return f"计划年内上线销售管理系统，重点关注{rng.choice(FOCUS)}与{module}。"


def _body(rng: random.Random, stage: str, feedback: str, budget_wan: float,
          when: dt.date) -> str:
    if feedback == "no_answer":
        return rng.choice(("电话未接通，稍后再联系", "多次联系无人回应，已留言",
                           "对方未回复，改日再跟进"))
    if feedback == "refused":
        return "客户明确表示不需要，暂停跟进"
    if feedback == "no_need":
        return "客户表示暂无采购计划，保持联系"
    date = f"{when.month}月{when.day}日"
    if stage == "discovery":
        return (f"客户表示{rng.choice(PAINS)}。预算约{budget_wan:.0f}万，需"
                f"{rng.choice(DECISIONS)}。下一步：{date}前发送{rng.choice(DOCS)}")
    if stage == "solution":
        if feedback == "wants_demo":
            return f"方案演示完成，客户对演示满意，需补充竞品对比方案，{date}前提交"
        return (f"演示{rng.choice(MODULES)}模块，客户关注{rng.choice(FOCUS)}；"
                f"异议：{rng.choice(OBJECTIONS)}。承诺{rng.randrange(1, 6)}个工作日内回复")
    if stage == "negotiation":
        if feedback == "wants_quote":
            return f"客户要求重新报价，异议：{rng.choice(OBJECTIONS)}"
        return f"确认分期付款方案，预计{date}签约"
    return f"回访客户，系统运行稳定，提出{rng.choice(MODULES)}优化需求"


def followup_summary(rng: random.Random, method: str, stage: str, feedback: str,
                     budget_wan: float, when: dt.date) -> str:
    """A follow-up note: how we talked, what the customer said, what happens next."""
    return f"{OPENINGS[method]}，{_body(rng, stage, feedback, budget_wan, when)}。"


def next_action(rng: random.Random, stage: str) -> str:
    return rng.choice(NEXT_ACTIONS[stage])


def remark(rng: random.Random) -> str:
    return rng.choice(("客户比较着急，优先跟进", "老板亲自对接", "展会现场交换名片",
                       "同行推荐过来的", "上次沟通提到明年预算", "需要发票抬头信息"))
