#!/usr/bin/env python3
"""Replays the Lattica management SDK's calls against Tessera, with the Python standard library only.

The requests are the ones lattica_management / lattica_common send: POST {LATTICA_BE_URL}/{endpoint},
'Authorization: Bearer <license key>', a JSON body carrying the call's fields plus a client_info
object; a result is read as the SDK reads it (the 'result' of a 2xx answer without 'error').

Usage: LATTICA_BE_URL=http://127.0.0.1:5000 python3 tests/lattica/replay.py LICENSE_KEY
Exits 0 when every step behaves as the SDK expects, 1 otherwise (naming the step).
"""
import datetime
import json
import os
import sys
import urllib.error
import urllib.request

BE_URL = os.environ["LATTICA_BE_URL"].rstrip("/")
CLIENT_INFO = {"client_info": {"module": "lattica_management", "version": "0.1.6"}}


class SdkError(Exception):
    def __init__(self, status, body):
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


def send(token, endpoint, params=None):
    """What lattica_common's HttpClient.send_http_request does, without the requests package."""
    body = json.dumps({**(params or {}), **CLIENT_INFO}).encode()
    request = urllib.request.Request(f"{BE_URL}/{endpoint}", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as e:
        raise SdkError(e.code, json.loads(e.read()))
    if "error" in answer:
        raise SdkError(200, answer)
    return answer["result"]


def check(condition, step):
    if not condition:
        raise AssertionError(step)
    print(f"ok - {step}")


def main(key):
    # LatticaManagement.create_model(model_name) -> model id (a string)
    model_id = send(key, "api/model/create_model", {"modelName": "replay-model"})
    check(isinstance(model_id, str) and model_id.startswith("wl_"), "create_model returns the model id")
    other_id = send(key, "api/model/create_model", {"modelName": "replay-other"})

    # generate_query_token(model_id, token_name) -> {token, tokenId}
    issued = send(key, "api/token/generate_token", {"modelId": model_id, "tokenName": "alice"})
    check(issued["token"].startswith("tsq_") and issued["tokenId"].startswith("tok_"), "generate_token returns the secret and its id")
    token, token_id = issued["token"], issued["tokenId"]
    parked = send(key, "api/token/generate_token", {"modelId": None, "tokenName": "parked"})

    # list_tokens by status, model and issue date (ms of any instant of that UTC day)
    by_model = send(key, "api/token/list_tokens", {"modelId": model_id})
    check([t["tokenId"] for t in by_model["tokens"]] == [token_id], "list_tokens filters by modelId")
    row = by_model["tokens"][0]
    check(set(row) == {"tokenId", "tokenName", "tokenNote", "status", "modelId", "issueDate", "expirationDate"}
          and row["status"] == "ACTIVE" and isinstance(row["issueDate"], int), "list_tokens rows have the SDK's fields, ACTIVE, ms instants")
    today = int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000)
    check({token_id, parked["tokenId"]} <= {t["tokenId"] for t in send(key, "api/token/list_tokens", {"issueDate": str(today)})["tokens"]},
          "list_tokens filters by issueDate")
    check(send(key, "api/token/list_tokens", {"issueDate": today - 2 * 86_400_000})["tokens"] == [], "list_tokens on another day is empty")

    # update_token_info(token_id, token_name, token_note, status)
    check("message" in send(key, "api/token/update_token_info",
                            {"tokenId": token_id, "tokenName": "alice-2", "tokenNote": "VIP", "status": "CANCELED"}),
          "update_token_info answers a message")
    cancelled = send(key, "api/token/list_tokens", {"status": "CANCELED"})["tokens"]
    check([(t["tokenId"], t["tokenName"], t["tokenNote"]) for t in cancelled] == [(token_id, "alice-2", "VIP")], "list_tokens filters by status")
    send(key, "api/token/update_token_info", {"tokenId": token_id, "status": "ACTIVE"})

    # get_token_info(token) with the license key, then with the query token itself as the bearer
    info = send(key, "api/token/get_token_info", {"token": token})
    check(info["token"]["tokenId"] == token_id and info["token"]["status"] == "ACTIVE" and info["model"]["modelId"] == model_id
          and info["model"]["modelName"] == "replay-model" and info["worker"] == {"status": None}
          and info["evaluationKey"] == {"createdAt": None}, "get_token_info describes the token and its model")
    check(send(token, "api/token/get_token_info", {"token": token})["token"]["tokenId"] == token_id,
          "get_token_info accepts the query token as bearer")

    # assign_token_to_model / unassign_token_from_model
    moved = send(key, "api/token/assign_token_to_model", {"tokenId": token_id, "modelIdToAssign": other_id})
    check("message" in moved and moved.get("warning"), "assign_token_to_model moves the token and warns")
    unassigned = send(key, "api/token/unassign_token_from_model", {"tokenId": token_id, "modelId": other_id})
    check("message" in unassigned and "warning" in unassigned and unassigned["warning"] is None, "unassign_token_from_model always carries warning")
    check(send(key, "api/token/get_token_info", {"token": token})["model"]["modelId"] is None, "the token is unassigned")

    # delete_token, then the SDK sees the {"error", "error_code"} shape
    check("message" in send(key, "api/token/delete_token", {"tokenId": token_id}), "delete_token answers a message")
    try:
        send(key, "api/token/delete_token", {"tokenId": token_id})
        check(False, "deleting twice is refused")
    except SdkError as e:
        check(e.status == 404 and e.body == {"error": e.body["error"], "error_code": "TOKEN_NOT_FOUND"}, "a refusal is {error, error_code} with a 4xx")
    try:
        send("tsl_wrong", "api/token/list_tokens")
        check(False, "a bad license key is refused")
    except SdkError as e:
        check(e.status == 401 and e.body["error_code"] == "LICENSE_KEY_MALFORMED", "a bad license key is 401 LICENSE_KEY_MALFORMED")

    models = send(key, "api/model/list_models")["models"]
    check({model_id, other_id} <= {m["modelId"] for m in models}, "list_models lists the models")
    check(send(key, "api/model/get_model_info", {"modelId": model_id})["model"]["modelName"] == "replay-model", "get_model_info")
    account = send(key, "api/account/get_account_info")
    check(account["accountId"].startswith("acct_") and isinstance(account["createdAt"], int), "get_account_info")


if __name__ == "__main__":
    try:
        main(sys.argv[1] if len(sys.argv) > 1 else os.environ["TESSERA_LICENSE_KEY"])
    except (AssertionError, SdkError) as failure:
        print(f"not ok - {failure}")
        sys.exit(1)
    print("lattica replay: all steps passed")
