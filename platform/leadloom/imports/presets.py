"""Shipped column synonyms for lists exported from other CRMs, per entity.

A preset only adds names to recognise: the entity's own labels (zh/en) and codes always
match (``mapping.suggest_mapping``). Headers are compared normalised (``mapping.key``).
"""

from __future__ import annotations

from dataclasses import dataclass

from leadloom.metadata.registry import Label


@dataclass(frozen=True, slots=True)
class Preset:
    """A named set of header synonyms: entity code -> ((header, field code), ...)."""

    code: str
    label: Label
    synonyms: dict[str, tuple[tuple[str, str], ...]]


SALESFORCE = Preset("salesforce", Label("Salesforce 导出", "Salesforce export"), {
    "lead": (("Company", "customer_name"), ("Full Name", "contact_name"),
             ("Name", "contact_name"), ("Last Name", "contact_name"),
             ("Title", "contact_title"), ("Phone", "contact_phone"),
             ("Mobile", "contact_phone"), ("Mobile Phone", "contact_phone"),
             ("Email", "contact_email"), ("Industry", "industry"),
             ("Lead Source", "source"), ("Description", "need_description"),
             ("City", "city"), ("State/Province", "province"), ("State", "province"),
             ("Lead Status", "status"), ("Rating", "grade"), ("Lead Owner", "owner"),
             ("Owner Name", "owner")),
    "account": (("Account Name", "name"), ("Industry", "industry"),
                ("Billing City", "city"), ("Website", "website"),
                ("Annual Revenue", "annual_revenue"), ("Type", "account_type")),
    "contact": (("Full Name", "name"), ("Name", "name"), ("Account Name", "account"),
                ("Title", "title"), ("Mobile", "mobile"), ("Mobile Phone", "mobile"),
                ("Phone", "mobile"), ("Email", "email"), ("Department", "department")),
})

HUBSPOT = Preset("hubspot", Label("HubSpot 导出", "HubSpot export"), {
    "lead": (("Company Name", "customer_name"), ("Associated Company", "customer_name"),
             ("Full Name", "contact_name"), ("Name", "contact_name"),
             ("Job Title", "contact_title"), ("Phone Number", "contact_phone"),
             ("Mobile Phone Number", "contact_phone"), ("Email", "contact_email"),
             ("Industry", "industry"), ("Original Source", "source"),
             ("Lead Status", "status"), ("Contact owner", "owner"), ("City", "city"),
             ("State/Region", "province"), ("Message", "need_description")),
    "account": (("Company name", "name"), ("Industry", "industry"), ("City", "city"),
                ("Website URL", "website"), ("Annual Revenue", "annual_revenue")),
    "contact": (("Full Name", "name"), ("Associated Company", "account"),
                ("Job Title", "title"), ("Mobile Phone Number", "mobile"),
                ("Phone Number", "mobile"), ("Email", "email")),
})

CN_CRM = Preset("cn_crm", Label("常见国内CRM导出", "Common Chinese CRM export"), {
    "lead": (("客户名称", "customer_name"), ("公司名称", "customer_name"),
             ("企业名称", "customer_name"), ("单位名称", "customer_name"),
             ("联系人", "contact_name"), ("姓名", "contact_name"),
             ("职位", "contact_title"), ("职务", "contact_title"),
             ("手机", "contact_phone"), ("手机号", "contact_phone"),
             ("手机号码", "contact_phone"), ("电话", "contact_phone"),
             ("座机", "contact_phone"), ("邮箱", "contact_email"),
             ("电子邮件", "contact_email"), ("来源", "source"), ("线索来源", "source"),
             ("客户来源", "source"), ("行业", "industry"), ("省份", "province"),
             ("省", "province"), ("城市", "city"), ("市", "city"),
             ("需求", "need_description"), ("需求描述", "need_description"),
             ("客户需求", "need_description"), ("备注", "remark"), ("负责人", "owner"),
             ("销售", "owner"), ("所属销售", "owner"), ("预计金额", "expected_amount"),
             ("意向金额", "expected_amount"), ("规模", "employee_range"),
             ("公司规模", "employee_range"), ("人员规模", "employee_range"),
             ("信用代码", "credit_code"), ("税号", "credit_code"), ("状态", "status")),
    "account": (("客户名称", "name"), ("公司名称", "name"), ("企业名称", "name"),
                ("行业", "industry"), ("城市", "city"), ("网址", "website"),
                ("信用代码", "credit_code"), ("税号", "credit_code")),
    "contact": (("联系人", "name"), ("姓名", "name"), ("客户名称", "account"),
                ("公司名称", "account"), ("职务", "title"), ("手机号", "mobile"),
                ("手机号码", "mobile"), ("电话", "mobile"), ("微信", "wechat")),
})

PRESETS: dict[str, Preset] = {p.code: p for p in (SALESFORCE, HUBSPOT, CN_CRM)}
