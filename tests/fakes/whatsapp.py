"""A fake WhatsApp Business Cloud API (messages and media endpoints) and webhook payload builders."""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any

from tests.fakes.base import FakeServer, Request, Response

TOKEN = "EAAG-test-whatsapp-token-123456"
APP_SECRET = "test-app-secret-abcdef"
VERIFY_TOKEN = "verify-me-please"
PHONE_NUMBER_ID = "1099887766"
OFFICE_NUMBER = "6281100000000"


class WhatsAppCloudFake:
    def __init__(self, version: str = "v23.0"):
        self.version = version
        self.sent: list[dict[str, Any]] = []
        self.media: dict[str, bytes] = {}
        self.media_types: dict[str, str] = {}
        self._ids = itertools.count(1)
        self.server = FakeServer(self.handle)

    def __enter__(self) -> WhatsAppCloudFake:
        self.server.__enter__()
        self.base_url = self.server.base_url
        return self

    def __exit__(self, *exc) -> None:
        self.server.__exit__(*exc)

    def add_media(self, media_id: str, data: bytes, mime: str = "image/jpeg") -> None:
        self.media[media_id], self.media_types[media_id] = data, mime

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {TOKEN}"

    def handle(self, request: Request) -> Response:
        if not self._authorized(request):
            return Response(401, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException",
                                            "code": 190, "error_subcode": 463, "fbtrace_id": "Axyz"}})
        prefix = f"/{self.version}/"
        if request.method == "POST" and request.path == f"{prefix}{PHONE_NUMBER_ID}/messages":
            body = request.json()
            self.sent.append(body)
            wamid = f"wamid.OUT{next(self._ids):04d}"
            if "to" in body:  # a phone number
                contact = {"input": body["to"], "wa_id": body["to"]}
            elif "recipient" in body:  # a business-scoped user id (a citizen known by username only)
                contact = {"input": body["recipient"], "user_id": body["recipient"]}
            else:
                return Response(400, {"error": {"message": "(#100) The parameter to is required.",
                                                "type": "OAuthException", "code": 100}})
            return Response(200, {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid}]})
        if request.path.startswith("/media-bin/"):
            media_id = request.path.rsplit("/", 1)[1]
            return Response(200, raw=self.media[media_id], content_type=self.media_types[media_id])
        if request.method == "GET" and request.path.startswith(prefix):
            media_id = request.path[len(prefix):]
            if media_id in self.media:
                data = self.media[media_id]
                return Response(200, {"url": f"{self.base_url}/media-bin/{media_id}", "mime_type":
                                      self.media_types[media_id], "sha256": hashlib.sha256(data).hexdigest(),
                                      "file_size": len(data), "id": media_id, "messaging_product": "whatsapp"})
            if media_id == PHONE_NUMBER_ID:
                return Response(200, {"display_phone_number": "+62 811-0000-0000",
                                      "verified_name": "Dindukcapil Brebes", "id": PHONE_NUMBER_ID})
        return Response(404, {"error": {"message": "Unknown path", "type": "GraphMethodException", "code": 100}})


def channel_config(base_url: str, name: str = "wa-test") -> dict[str, Any]:
    return {"name": name, "type": "whatsapp", "enabled": True, "base_url": base_url, "graph_version": "v23.0",
            "phone_number_id": PHONE_NUMBER_ID, "display_phone_number": OFFICE_NUMBER,
            "access_token_env": "ADUAN_TEST_WA_TOKEN", "app_secret_env": "ADUAN_TEST_WA_SECRET",
            "verify_token_env": "ADUAN_TEST_WA_VERIFY"}


ENV = {"ADUAN_TEST_WA_TOKEN": TOKEN, "ADUAN_TEST_WA_SECRET": APP_SECRET, "ADUAN_TEST_WA_VERIFY": VERIFY_TOKEN}


def text_message(wamid: str, sender: str, text: str, timestamp: int, name: str = "Warga") -> tuple[dict, dict]:
    return ({"from": sender, "id": wamid, "timestamp": str(timestamp), "type": "text", "text": {"body": text}},
            {"profile": {"name": name}, "wa_id": sender})


def envelope(messages: list[dict] | None = None, contacts: list[dict] | None = None,
             statuses: list[dict] | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {"messaging_product": "whatsapp",
                             "metadata": {"display_phone_number": OFFICE_NUMBER, "phone_number_id": PHONE_NUMBER_ID}}
    if messages is not None:
        value["messages"] = messages
        value["contacts"] = contacts or []
    if statuses is not None:
        value["statuses"] = statuses
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "WABA-1", "changes": [{"field": "messages", "value": value}]}]}


def body(payload: dict[str, Any]) -> bytes:
    # Meta escapes non-ASCII as \uXXXX; signatures are over these exact bytes.
    return json.dumps(payload).encode()
