"""Reading the deals changed since a moment from a CRM's REST API: HubSpot CRM v3 (private-app
token) and Salesforce REST (OAuth 2.0 client credentials), through ``lms.sales.crm_http``. No
database here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _

from lms.sales.crm_http import (
    Deal,
    Http,
    SyncError,
    api_time,
    extra_fields,
    json_object,
    next_page,
)
from lms.sales.presets import HUBSPOT, SALESFORCE

# HubSpot -------------------------------------------------------------------------------------

class HubSpot:
    label = "HubSpot"
    #: our field -> the deal property (the owner and the company come from their own APIs)
    PROPERTIES = {"crm_id": "hs_object_id", "owner_crm_id": "hubspot_owner_id",
                  "stage": "dealstage", "won": "hs_is_closed_won", "closed": "hs_is_closed",
                  "created_on": "createdate", "closed_on": "closedate", "amount": "amount",
                  "currency": "deal_currency_code"}
    MODIFIED = "hs_lastmodifieddate"
    PAGE = 100
    #: HubSpot's search answers at most 10,000 results per query: past that, the query starts
    #: again from the last modified time seen (or, when more than that share one moment, from
    #: the last deal id seen at it).
    SEARCH_CAP = 10_000

    def __init__(self, base_url: str, token: str, extra: Sequence[tuple[str, str]], http: Http,
                 search_cap: int | None = None) -> None:
        self.base = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"}
        self.properties = {**self.PROPERTIES, **extra_fields(self.label, HUBSPOT, extra)}
        self.http = http
        self.search_cap = search_cap or self.SEARCH_CAP

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self.http.send(method, self.base + path, headers=self.headers, **kwargs)
        if response.status_code == 207:  # batch reads: some inputs had nothing
            return response.json()
        return json_object(self.label, response)

    def changed_since(self, since: datetime | None) -> list[Deal]:
        found = self._search(since)
        if not found:
            return []
        owners = self._owners()
        companies = self._companies(list(found))
        deals = []
        for deal_id, (props, modified) in found.items():
            fields = {field: props.get(name) for field, name in self.properties.items()}
            fields["crm_id"] = props.get("hs_object_id") or deal_id
            owner = owners.get(str(props.get("hubspot_owner_id") or ""))
            if owner:
                fields["owner_email"] = owner.get("email")
                fields["owner"] = " ".join(
                    p for p in (owner.get("firstName"), owner.get("lastName")) if p)
            ids, name = companies.get(deal_id, ([], None))
            if ids:
                fields["customer_id"] = ";".join(ids)
                fields["customer_name"] = name
            deals.append(Deal(str(fields["crm_id"]), modified, fields))
        return deals

    def _search(self, since: datetime | None) -> dict[str, tuple[dict[str, Any], datetime]]:
        found: dict[str, tuple[dict[str, Any], datetime]] = {}
        start = since
        #: (moment, the last deal id read) while paging through more deals than the cap that
        #: share one modified time: by id, as the time cannot tell them apart.
        tie: tuple[datetime, str | None] | None = None
        while True:
            if tie is None:
                filters = [self._filter(self.MODIFIED, "GTE", start)]
                sort = self.MODIFIED
            else:
                filters = [self._filter(self.MODIFIED, "EQ", tie[0])]
                if tie[1] is not None:
                    filters.append({"propertyName": "hs_object_id", "operator": "GT",
                                    "value": tie[1]})
                sort = "hs_object_id"
            last, last_id, complete = self._round(filters, sort, found)
            if complete:
                if tie is None:
                    return found
                # Every deal of that moment is read: on from just after it.
                start, tie = tie[0] + timedelta(milliseconds=1), None
            elif last is None or last_id is None:
                raise SyncError(_("HubSpot sent pages without deals that say more follow; "
                                  "nothing was imported."))
            elif tie is not None:
                tie = (tie[0], last_id)
            elif start is not None and last <= start:
                tie = (start, None)  # more deals than the cap changed at that very moment
            else:
                start = last  # at or after: the deals at that moment are read again, not lost

    def _filter(self, name: str, operator: str, moment: datetime | None) -> dict[str, str]:
        value = str(int(moment.timestamp() * 1000)) if moment else "0"
        return {"propertyName": name, "operator": operator, "value": value}

    def _round(self, filters: list[dict[str, str]], sort: str,
               found: dict[str, tuple[dict[str, Any], datetime]],
               ) -> tuple[datetime | None, str | None, bool]:
        """One query, paged up to the search's cap, into ``found``: the last deal's modified
        time and id, and whether the query's results ended before the cap."""
        after, fetched, last, last_id = None, 0, None, None
        seen: set[str] = set()
        while True:
            body: dict[str, Any] = {
                "filterGroups": [{"filters": filters}],
                "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
                "properties": sorted({*self.properties.values(), self.MODIFIED}),
                "limit": self.PAGE,
            }
            if after:
                body["after"] = after
            data = self._call("POST", "/crm/v3/objects/deals/search", json=body)
            for result in data.get("results") or []:
                props = result.get("properties") or {}
                last, last_id = api_time(props[self.MODIFIED]), str(result["id"])
                # A deal changed while paging shows up again: the newest wins.
                found[last_id] = (props, last)
            # Pages, not results, count towards the cap: a short or empty page that says more
            # follow still brings the cap nearer, so the loop always ends.
            fetched += self.PAGE
            after = next_page(self.label, seen,
                              ((data.get("paging") or {}).get("next") or {}).get("after"))
            if not after:
                return last, last_id, True
            if fetched + self.PAGE > self.search_cap:
                return last, last_id, False

    def _owners(self) -> dict[str, dict[str, Any]]:
        owners: dict[str, dict[str, Any]] = {}
        params: dict[str, Any] = {"limit": 100}
        seen: set[str] = set()
        while True:
            data = self._call("GET", "/crm/v3/owners", params=params)
            for owner in data.get("results") or []:
                owners[str(owner.get("id"))] = owner
            after = next_page(self.label, seen,
                              ((data.get("paging") or {}).get("next") or {}).get("after"))
            if not after:
                return owners
            params = {"limit": 100, "after": after}

    def _companies(self, deal_ids: list[str]) -> dict[str, tuple[list[str], str | None]]:
        """deal id -> (its company ids, the primary first; the primary's name)."""
        linked: dict[str, list[str]] = {}
        for i in range(0, len(deal_ids), self.PAGE):
            data = self._call("POST", "/crm/v4/associations/deals/companies/batch/read",
                              json={"inputs": [{"id": d} for d in deal_ids[i:i + self.PAGE]]})
            for result in data.get("results") or []:
                targets = sorted(result.get("to") or [], key=lambda t: not any(
                    a.get("label") == "Primary" for a in t.get("associationTypes") or []))
                linked[str(result["from"]["id"])] = [str(t["toObjectId"]) for t in targets]
        primaries = sorted({ids[0] for ids in linked.values() if ids})
        names: dict[str, str | None] = {}
        for i in range(0, len(primaries), self.PAGE):
            data = self._call("POST", "/crm/v3/objects/companies/batch/read",
                              json={"properties": ["name"],
                                    "inputs": [{"id": c} for c in primaries[i:i + self.PAGE]]})
            for company in data.get("results") or []:
                names[str(company["id"])] = (company.get("properties") or {}).get("name")
        return {deal: (ids, names.get(ids[0])) for deal, ids in linked.items() if ids}


# Salesforce ----------------------------------------------------------------------------------

class Salesforce:
    label = "Salesforce"
    #: our field -> the Opportunity field (relationship fields with a dot)
    FIELDS = {"crm_id": "Id", "owner_email": "Owner.Email", "owner_crm_id": "OwnerId",
              "owner_name": "Owner.Name", "customer_id": "AccountId",
              "customer_name": "Account.Name", "stage": "StageName", "won": "IsWon",
              "closed": "IsClosed", "created_on": "CreatedDate", "closed_on": "CloseDate",
              "amount": "Amount"}
    MODIFIED = "LastModifiedDate"

    def __init__(self, url: str, client_id: str, client_secret: str, version: str,
                 extra: Sequence[tuple[str, str]], http: Http) -> None:
        self.url = url.rstrip("/")
        self.credentials = {"grant_type": "client_credentials", "client_id": client_id,
                            "client_secret": client_secret}
        self.version = version.removeprefix("v")
        self.fields = {**self.FIELDS, **extra_fields(self.label, SALESFORCE, extra)}
        self.http = http
        self.token: str | None = None
        self.instance = self.url

    def _authorise(self) -> None:
        response = self.http.send("POST", f"{self.url}/services/oauth2/token",
                                  data=self.credentials)
        data = json_object(self.label, response)
        if not data.get("access_token"):
            raise SyncError(_("Salesforce gave no access token."))
        self.token = str(data["access_token"])
        self.instance = str(data.get("instance_url") or self.url).rstrip("/")

    def _get(self, url: str, params: Mapping[str, str] | None) -> dict[str, Any]:
        if self.token is None:
            self._authorise()
        for renewed in (False, True):
            response = self.http.send("GET", url, params=params,
                                      headers={"Authorization": f"Bearer {self.token}"})
            if response.status_code == 401 and not renewed:
                self._authorise()  # the session ran out: one new token, then give up
                continue
            break
        return json_object(self.label, response)

    def soql(self, since: datetime | None) -> str:
        names = sorted({*self.fields.values(), self.MODIFIED})
        where = f" WHERE {self.MODIFIED} >= {since:%Y-%m-%dT%H:%M:%SZ}" if since else ""
        return f"SELECT {', '.join(names)} FROM Opportunity{where} ORDER BY {self.MODIFIED}, Id"

    def changed_since(self, since: datetime | None) -> list[Deal]:
        found: dict[str, Deal] = {}
        url: str | None = f"{self.instance}/services/data/v{self.version}/query"
        params: dict[str, str] | None = {"q": self.soql(since)}
        seen: set[str] = set()
        if self.token is None:
            self._authorise()
            url = f"{self.instance}/services/data/v{self.version}/query"
        while url:
            data = self._get(url, params)
            for record in data.get("records") or []:
                fields = {field: _path(record, name) for field, name in self.fields.items()}
                deal = Deal(str(record["Id"]), api_time(record[self.MODIFIED]), fields)
                found[deal.crm_id] = deal
            following = next_page(self.label, seen, data.get("nextRecordsUrl"))
            url, params = (self.instance + following, None) if following else (None, None)
        return list(found.values())


def _path(record: Mapping[str, Any], name: str) -> Any:
    """``Owner.Email`` from a record whose ``Owner`` is an object (or null)."""
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value
