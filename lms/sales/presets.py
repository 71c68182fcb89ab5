"""Presets: which column of a CRM export holds which of our sale fields.

Built in: ``generic`` (our documented template), ``salesforce`` (report export and Data Loader
shapes), ``hubspot`` (deals export) and ``maven-crm`` (the public "CRM Sales Opportunities"
dataset). Any other CRM is described by a small YAML file (see docs/sales-import.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask_babel import gettext as _
from flask_babel import ngettext

from lms import safeyaml
from lms.errors import DomainError
from lms.i18n import _l
from lms.safeyaml import quote
from lms.sales.parsing import currency_code, stage_key

#: Our fields, in the order of the generic template. ``owner`` is an email or a name (HubSpot's
#: "Deal owner" is either); ``won``/``closed`` are yes/no flags that beat the stage name.
FIELDS: tuple[str, ...] = (
    "crm_id", "owner_email", "owner_crm_id", "owner_name", "owner",
    "customer_id", "customer_name", "product", "stage", "won", "closed",
    "created_on", "closed_on", "amount", "currency", "satisfaction", "satisfaction_scale",
    "complaint_on", "complaint_resolved_on", "follow_up_on",
)
#: The generic template's columns as documented (``owner``, ``won`` and ``closed`` are accepted
#: too but rarely needed).
TEMPLATE_COLUMNS: tuple[str, ...] = tuple(f for f in FIELDS if f not in {"owner", "won", "closed"})
OWNER_FIELDS = ("owner_email", "owner_crm_id", "owner_name", "owner")
STAGES = ("won", "lost", "open")


def header_key(name: str) -> str:
    """How headers are compared: case, spacing, underscores and a BOM do not matter."""
    return re.sub(r"[\s_]+", " ", name.replace("\ufeff", "")).strip().casefold()


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    #: field -> the header names that may hold it, most specific first
    columns: Mapping[str, tuple[str, ...]]
    #: stage_key(stage label) -> won / lost / open, on top of the built-in names
    stages: Mapping[str, str] = field(default_factory=dict)
    currency: str | None = None
    satisfaction_scale: int | None = None
    dayfirst: bool | None = None
    decimal: str | None = None
    #: Stop at the first line that does not fit the header (Salesforce report footers).
    footer: bool = False

    def resolve(self, header: Sequence[str]) -> ColumnMap:
        """Which column of this file holds each field; raises ``HeaderError`` if one that is
        needed is missing."""
        keys = [header_key(h) for h in header]
        index: dict[str, int] = {}
        for name in FIELDS:
            for candidate in self.columns.get(name, ()):
                key = header_key(candidate)
                if key in keys and keys.index(key) not in index.values():
                    index[name] = keys.index(key)
                    break
        problems = []
        if "crm_id" not in index:
            problems.append(_("no column for the CRM's deal id (crm_id): expected one of "
                              "%(columns)s", columns=_options(self, "crm_id")))
        if not {"stage", "won"} & index.keys():
            problems.append(_("no column for the deal stage (stage): expected one of "
                              "%(columns)s", columns=_options(self, "stage")))
        if not set(OWNER_FIELDS) & index.keys():
            wanted = [c for f in OWNER_FIELDS for c in self.columns.get(f, ())]
            problems.append(_("no column for the salesperson: expected one of %(columns)s",
                              columns=", ".join(map(quote, wanted))))
        if problems:
            raise HeaderError(problems)
        used = set(index.values())
        return ColumnMap(index=index, labels={f: header[i].strip() for f, i in index.items()},
                         ignored=[h for i, h in enumerate(header) if i not in used and h.strip()],
                         width=len(header))


def _options(preset: Preset, name: str) -> str:
    return ", ".join(map(quote, preset.columns.get(name, ())))


class HeaderError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ColumnMap:
    """Where each field is in a row of one file."""

    index: dict[str, int]
    labels: dict[str, str]  # field -> the file's own header, for messages
    ignored: list[str]
    width: int

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


def _same(*names: str) -> dict[str, tuple[str, ...]]:
    return {n: (n,) for n in names}


GENERIC = Preset("generic", _l("Generic template (our own column names)"), _same(*FIELDS))

SALESFORCE = Preset(
    "salesforce", _l("Salesforce opportunity report or Data Loader export"),
    {
        "crm_id": ("Opportunity ID", "Opportunity Id", "Id"),
        "owner_email": ("Owner Email", "Opportunity Owner: Email", "Owner.Email"),
        "owner_crm_id": ("Owner ID", "Opportunity Owner ID", "OwnerId"),
        "owner_name": ("Opportunity Owner", "Owner Name", "Owner.Name", "Owner Full Name"),
        "customer_id": ("Account ID", "AccountId"),
        "customer_name": ("Account Name", "Account.Name"),
        "product": ("Product Name", "Product", "Primary Product", "Product__c"),
        "stage": ("Stage", "StageName"),
        "won": ("Won", "IsWon"),
        "closed": ("Closed", "IsClosed"),
        "created_on": ("Created Date", "CreatedDate"),
        "closed_on": ("Close Date", "CloseDate"),
        "amount": ("Amount", "Amount (converted)"),
        "currency": ("Opportunity Currency", "Amount Currency", "CurrencyIsoCode", "Currency"),
        "satisfaction": ("Customer Satisfaction", "Customer_Satisfaction__c", "CSAT"),
        "satisfaction_scale": ("Satisfaction Scale", "Satisfaction_Scale__c"),
        "complaint_on": ("Complaint Date", "Complaint_Date__c"),
        "complaint_resolved_on": ("Complaint Resolved Date", "Complaint_Resolved_Date__c"),
        "follow_up_on": ("Follow-up Date", "Follow Up Date", "Follow_Up_Date__c"),
    },
    footer=True,
)

HUBSPOT = Preset(
    "hubspot", _l("HubSpot deals export"),
    {
        "crm_id": ("Record ID", "Deal ID", "hs_object_id"),
        "owner_email": ("Deal owner email", "Owner email"),
        "owner_crm_id": ("Deal owner ID", "hubspot_owner_id"),
        "owner": ("Deal owner", "Deal Owner"),
        "customer_id": ("Associated Company IDs", "Associated Company ID"),
        "customer_name": ("Associated Company", "Associated Company (Primary)", "Company name"),
        "product": ("Product", "Products", "Product name"),
        "stage": ("Deal Stage", "dealstage"),
        "won": ("Is Closed Won", "hs_is_closed_won"),
        "closed": ("Is Deal Closed?", "Is Closed", "hs_is_closed"),
        "created_on": ("Create Date", "createdate"),
        "closed_on": ("Close Date", "closedate"),
        "amount": ("Amount", "amount", "Amount in company currency"),
        "currency": ("Currency", "Deal currency code", "deal_currency_code"),
        "satisfaction": ("Customer satisfaction", "CSAT score", "CSAT"),
        "satisfaction_scale": ("Satisfaction scale",),
        "complaint_on": ("Complaint date",),
        "complaint_resolved_on": ("Complaint resolved date",),
        "follow_up_on": ("Follow-up date", "Follow up date"),
    },
)

MAVEN = Preset(
    "maven-crm", _l("CRM Sales Opportunities (Maven Analytics sample)"),
    {
        "crm_id": ("opportunity_id",),
        "owner_name": ("sales_agent",),
        "customer_name": ("account",),
        "product": ("product",),
        "stage": ("deal_stage",),
        "created_on": ("engage_date",),
        "closed_on": ("close_date",),
        "amount": ("close_value",),
    },
    # The dataset's README: "currency not stated; treat as USD".
    currency="USD",
)

PRESETS: dict[str, Preset] = {p.name: p for p in (GENERIC, SALESFORCE, HUBSPOT, MAVEN)}


def get_preset(name_or_path: str | Path) -> Preset:
    """A built-in preset by name, or one read from a YAML file."""
    text = str(name_or_path)
    if text in PRESETS:
        return PRESETS[text]
    path = Path(text)
    if path.suffix.lower() in {".yaml", ".yml"}:
        if not path.is_file():
            raise DomainError(_("Preset file %(path)s does not exist.", path=path))
        return load_preset_yaml(path.read_text(encoding="utf-8-sig"), source=path.name)
    raise DomainError(_("Unknown preset %(preset)s: use one of %(presets)s or the path of a "
                        ".yaml preset file.", preset=quote(text), presets=", ".join(PRESETS)))


_YAML_KEYS = {"name", "label", "extends", "columns", "stages", "currency", "satisfaction_scale",
              "dayfirst", "decimal", "footer"}


def load_preset_yaml(text: str, *, source: str = "preset.yaml") -> Preset:
    """A preset from YAML: ``columns`` maps our field names to a header (or a list of them);
    ``extends`` starts from a built-in preset. Mistakes are reported as ``DomainError``."""
    try:
        data = safeyaml.load(text)
    except yaml.YAMLError as exc:
        raise DomainError(_("%(file)s: not valid YAML (%(problem)s).", file=source,
                            problem=exc)) from None
    if not isinstance(data, dict):
        raise DomainError(_("%(file)s: expected a mapping with 'columns:'.", file=source))

    def fail(message: str) -> DomainError:
        return DomainError(_("%(file)s: %(problem)s", file=source, problem=message))

    unknown = set(data) - _YAML_KEYS
    if unknown:
        raise fail(ngettext("unknown key %(keys)s; allowed: %(allowed)s",
                            "unknown keys %(keys)s; allowed: %(allowed)s", len(unknown),
                            keys=", ".join(sorted(map(quote, unknown))),
                            allowed=", ".join(sorted(_YAML_KEYS))))
    base = PRESETS.get(str(data.get("extends") or "generic"))
    if base is None:
        raise fail(_("'extends' must be one of %(presets)s", presets=", ".join(PRESETS)))
    columns = dict(base.columns) if data.get("extends") else {}
    raw_columns = data.get("columns") or {}
    if not isinstance(raw_columns, dict):
        raise fail(_("'columns' must map field names to column names"))
    for name, headers in raw_columns.items():
        if name not in FIELDS:
            raise fail(_("%(name)s is not a field; fields: %(fields)s", name=quote(name),
                         fields=", ".join(FIELDS)))
        values = headers if isinstance(headers, list) else [headers]
        if not values or not all(isinstance(v, str | int) and str(v).strip() for v in values):
            raise fail(_("columns.%(name)s must be a column name or a list of them", name=name))
        columns[name] = tuple(str(v) for v in values)
    stages = dict(base.stages)
    raw_stages = data.get("stages") or {}
    if not isinstance(raw_stages, dict):
        raise fail(_("'stages' must map stage names to won, lost or open"))
    for label, meaning in raw_stages.items():
        if str(meaning).lower() not in STAGES:
            raise fail(_("stage %(stage)s must map to won, lost or open, not %(value)s",
                         stage=quote(label), value=quote(meaning)))
        stages[stage_key(str(label))] = str(meaning).lower()
    scale = data.get("satisfaction_scale", base.satisfaction_scale)
    if scale not in (None, 5, 10):
        raise fail(_("satisfaction_scale must be 5 or 10"))
    decimal = data.get("decimal", base.decimal)
    if decimal not in (None, "comma", "point"):
        raise fail(_("decimal must be comma or point"))
    dayfirst = data.get("dayfirst", base.dayfirst)
    if dayfirst not in (None, True, False):
        raise fail(_("dayfirst must be true or false"))
    currency = data.get("currency", base.currency)
    if currency is not None:
        try:
            currency = currency_code(str(currency))
        except ValueError as exc:
            raise fail(_("currency: %(problem)s", problem=exc)) from None
    return Preset(
        name=str(data.get("name") or Path(source).stem)[:64],
        label=str(data.get("label") or _("Custom preset %(file)s", file=source))[:120],
        columns=columns, stages=stages,
        currency=currency or None,
        satisfaction_scale=scale, dayfirst=dayfirst, decimal=decimal,
        footer=bool(data.get("footer", base.footer)),
    )
