"""Stand-in CRM APIs on 127.0.0.1 for the CRM sync tests, with failures on order.

``StandInHubSpot``: CRM v3 deals search (``hs_lastmodifieddate`` GTE or EQ and ``hs_object_id``
GT filters, ascending sort by either, ``after`` paging, and the search's cap on results per
query, answered with 400 as HubSpot does), owners (paged), deal-to-company associations (v4
batch read, 207 when some deals have none) and companies batch read; every request needs the
bearer token.

``StandInSalesforce``: the OAuth 2.0 token endpoint (client credentials checked), and the REST
query resource for Opportunity (``LastModifiedDate >= ...`` and the selected fields read from
the SOQL, pages of ``page_size`` records linked by ``nextRecordsUrl``); a bad or expired token
answers 401.

``fail_next`` queues answers for the next requests, whatever they ask: ``429`` (with
``Retry-After: <retry_after>``), ``500`` or ``503``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from itertools import count
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.standin import StandInServer


def iso_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _matches(deal: dict[str, Any], condition: dict[str, str]) -> bool:
    """A search filter on the modified time (GTE, EQ, in milliseconds) or the id (GT)."""
    name, operator = condition["propertyName"], condition["operator"]
    assert (name, operator) in {("hs_lastmodifieddate", "GTE"), ("hs_lastmodifieddate", "EQ"),
                                ("hs_object_id", "GT")}, condition
    if name == "hs_object_id":
        return int(deal[name]) > int(condition["value"])
    moment = round(iso_time(deal[name]).timestamp() * 1000)
    return moment >= int(condition["value"]) if operator == "GTE" else \
        moment == int(condition["value"])


class _StandIn(StandInServer):
    def __init__(self) -> None:
        super().__init__()
        self.retry_after = "0"
        #: (method, path, status) of every request, in order
        self.requests: list[tuple[str, str, int]] = []
        #: the bodies of the deal searches (HubSpot) or the SOQL queries (Salesforce)
        self.queries: list[Any] = []

    @property
    def url(self) -> str:
        return self.root

    def statuses(self, path_start: str = "") -> list[int]:
        return [s for _, p, s in self.requests if p.startswith(path_start)]

    def serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length", 0))
        raw = handler.rfile.read(length)
        parts = urlsplit(handler.path)
        with self.lock:
            failure = self.failures.pop(0) if self.failures else None
            if failure == 429:
                status, body, headers = 429, {"message": "You have reached your secondly limit."}, \
                    {"Retry-After": self.retry_after}
            elif failure:
                status, body, headers = failure, {"message": "internal error"}, {}
            else:
                status, body = self.route(method, parts.path, parse_qs(parts.query), raw,
                                          handler.headers)
                headers = {}
            self.requests.append((method, parts.path, status))
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def route(self, method: str, path: str, query: dict[str, list[str]], raw: bytes,
              headers: Any) -> tuple[int, Any]:
        raise NotImplementedError


class StandInHubSpot(_StandIn):
    def __init__(self, token: str = "pat-standin-token", search_cap: int = 10_000) -> None:
        super().__init__()
        self.token = token
        self.search_cap = search_cap
        #: deal id -> its properties (strings, as HubSpot answers)
        self.deals: dict[str, dict[str, str | None]] = {}
        self.owners: list[dict[str, Any]] = []
        self.companies: dict[str, str] = {}
        #: deal id -> [(company id, primary?)]
        self.associations: dict[str, list[tuple[str, bool]]] = {}

    def route(self, method: str, path: str, query: dict[str, list[str]], raw: bytes,
              headers: Any) -> tuple[int, Any]:
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"status": "error", "category": "INVALID_AUTHENTICATION",
                         "message": "Authentication credentials not found."}
        body = json.loads(raw) if raw else {}
        if (method, path) == ("POST", "/crm/v3/objects/deals/search"):
            return self._search(body)
        if (method, path) == ("GET", "/crm/v3/owners"):
            start = int(query.get("after", ["0"])[0])
            limit = int(query.get("limit", ["100"])[0])
            page = self.owners[start:start + limit]
            paging = {"next": {"after": str(start + limit)}} \
                if start + limit < len(self.owners) else None
            return 200, {"results": page, **({"paging": paging} if paging else {})}
        if (method, path) == ("POST", "/crm/v4/associations/deals/companies/batch/read"):
            results, missing = [], []
            for item in body["inputs"]:
                linked = self.associations.get(item["id"])
                if not linked:
                    missing.append(item["id"])
                    continue
                results.append({"from": {"id": item["id"]}, "to": [
                    {"toObjectId": int(company), "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": 5 if primary else 341,
                         "label": "Primary" if primary else None}]}
                    for company, primary in linked]})
            answer: dict[str, Any] = {"status": "COMPLETE", "results": results}
            if missing:
                answer["errors"] = [{"status": "error", "category": "OBJECT_NOT_FOUND",
                                     "context": {"fromObjectId": missing}}]
            return (207 if missing else 200), answer
        if (method, path) == ("POST", "/crm/v3/objects/companies/batch/read"):
            return 200, {"status": "COMPLETE", "results": [
                {"id": item["id"], "properties": {"name": self.companies[item["id"]]}}
                for item in body["inputs"] if item["id"] in self.companies]}
        return 404, {"message": f"no route {method} {path}"}

    def _search(self, body: dict[str, Any]) -> tuple[int, Any]:
        self.queries.append(body)
        limit = min(int(body.get("limit", 10)), 200)
        after = int(body.get("after") or 0)
        if after + limit > self.search_cap:
            return 400, {"status": "error", "category": "VALIDATION_ERROR",
                         "message": f"There was a problem with the request: the search "
                                    f"returns at most {self.search_cap} results."}
        filters = [f for group in body.get("filterGroups", []) for f in group["filters"]]
        by_id = body.get("sorts", [{}])[0].get("propertyName") == "hs_object_id"
        matching = sorted(
            (d for d in self.deals.values() if all(_matches(d, f) for f in filters)),
            key=lambda d: (0 if by_id else iso_time(d["hs_lastmodifieddate"]),
                           int(d["hs_object_id"])))
        page = matching[after:after + limit]
        wanted = set(body.get("properties", [])) | {"hs_object_id", "createdate",
                                                    "hs_lastmodifieddate"}
        results = [{"id": d["hs_object_id"], "archived": False,
                    "properties": {k: v for k, v in d.items() if k in wanted}}
                   for d in page]
        answer: dict[str, Any] = {"total": len(matching), "results": results}
        if after + limit < len(matching):
            answer["paging"] = {"next": {"after": str(after + limit)}}
        return 200, answer


class StandInSalesforce(_StandIn):
    def __init__(self, client_id: str = "3MVG9standin", client_secret: str = "sf-secret",
                 page_size: int = 2000) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.page_size = page_size
        #: Opportunity records, flat: {"Id": ..., "Owner.Email": ..., "LastModifiedDate": ...}
        self.records: list[dict[str, Any]] = []
        self.tokens: set[str] = set()
        self.cursors: dict[str, tuple[list[dict[str, Any]], list[str]]] = {}
        self._numbers = count(1)

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def route(self, method: str, path: str, query: dict[str, list[str]], raw: bytes,
              headers: Any) -> tuple[int, Any]:
        if (method, path) == ("POST", "/services/oauth2/token"):
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            if form.get("grant_type") != "client_credentials":
                return 400, {"error": "unsupported_grant_type",
                             "error_description": "grant type not supported"}
            if (form.get("client_id"), form.get("client_secret")) != (self.client_id,
                                                                       self.client_secret):
                return 400, {"error": "invalid_client",
                             "error_description": "invalid client credentials"}
            token = f"00Dstandin!token{next(self._numbers)}"
            self.tokens.add(token)
            return 200, {"access_token": token, "instance_url": self.url,
                         "token_type": "Bearer", "id": f"{self.url}/id/00D/005",
                         "issued_at": "1733300000000", "signature": "x"}
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return 401, [{"message": "Session expired or invalid",
                          "errorCode": "INVALID_SESSION_ID"}]
        match = re.fullmatch(r"/services/data/v\d+\.\d/query(?:/([\w-]+))?", path)
        if method != "GET" or not match:
            return 404, [{"message": "The requested resource does not exist",
                          "errorCode": "NOT_FOUND"}]
        if match[1]:
            if match[1] not in self.cursors:
                return 400, [{"message": "invalid query locator",
                              "errorCode": "INVALID_QUERY_LOCATOR"}]
            rest, fields = self.cursors.pop(match[1])
        else:
            soql = query["q"][0]
            self.queries.append(soql)
            rest, fields = self._query(soql)
        page, rest = rest[:self.page_size], rest[self.page_size:]
        answer: dict[str, Any] = {"totalSize": len(page) + len(rest), "done": not rest,
                                  "records": [self._shape(r, fields) for r in page]}
        if rest:
            cursor = f"01gstandin-{next(self._numbers)}"
            self.cursors[cursor] = (rest, fields)
            answer["nextRecordsUrl"] = f"/services/data/v62.0/query/{cursor}"
        return 200, answer

    def _query(self, soql: str) -> tuple[list[dict[str, Any]], list[str]]:
        match = re.fullmatch(r"SELECT (.+) FROM Opportunity"
                             r"(?: WHERE LastModifiedDate >= (\S+))?"
                             r" ORDER BY LastModifiedDate, Id", soql)
        assert match, soql
        fields = [f.strip() for f in match[1].split(",")]
        since = iso_time(match[2]) if match[2] else None
        records = sorted((r for r in self.records
                          if since is None or iso_time(r["LastModifiedDate"]) >= since),
                         key=lambda r: (iso_time(r["LastModifiedDate"]), r["Id"]))
        return records, fields

    @staticmethod
    def _shape(record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        """A record as the REST API answers it: relationship fields as nested objects."""
        shaped: dict[str, Any] = {"attributes": {"type": "Opportunity",
                                                 "url": f"/sobjects/Opportunity/{record['Id']}"}}
        for name in fields:
            if "." in name:
                parent, child = name.split(".", 1)
                nested = shaped.setdefault(parent, {"attributes": {"type": parent}})
                nested[child] = record.get(name)
            else:
                shaped[name] = record.get(name)
        return shaped
