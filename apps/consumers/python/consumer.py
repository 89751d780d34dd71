"""A TestMax consumer in Python, using only the standard library and the models quicktype
generates from the spec's component schemas (`pnpm generate:python` writes testmax_models.py).

It runs ping -> Auth/loginKey -> Account/search with the bearer -> Auth/logout against
TESTMAX_API_URL (the spec's local server entry) and prints the result as one JSON line.
"""

import json
import os
import sys
import urllib.error
import urllib.request

from testmax_models import (
    AccountSearchRequest,
    EmptyRequest,
    LoginAPIKeyRequest,
    account_search_response_from_dict,
    login_response_from_dict,
    response_envelope_from_dict,
)

BASE_URL = os.environ["TESTMAX_API_URL"]


def call(method, path, body=None, token=None):
    """Send `body` (a model's to_dict()) as JSON; return the status and the parsed answer."""
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(BASE_URL + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode("utf-8")
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        # A 4xx/5xx is an answer too (a bare 401 after logout); read it and hand it back.
        error.read()
        return error.code, None


def fail(step, status, answer):
    sys.stderr.write("%s failed: HTTP %s %s\n" % (step, status, json.dumps(answer)))
    sys.exit(1)


def search(token, request):
    status, answer = call("POST", "/Account/search", request.to_dict(), token)
    if status != 200:
        fail("Account/search", status, answer)
    found = account_search_response_from_dict(answer)
    if not found.success:
        fail("Account/search", status, answer)
    return [account.name for account in found.accounts]


def main():
    status, answer = call("GET", "/Status/ping")
    pong = response_envelope_from_dict(answer) if status == 200 else None
    if pong is None or not pong.success:
        fail("ping", status, answer)

    credentials = LoginAPIKeyRequest(
        api_key=os.environ["TESTMAX_API_KEY"], user_name=os.environ["TESTMAX_USERNAME"]
    )
    status, answer = call("POST", "/Auth/loginKey", credentials.to_dict())
    login = login_response_from_dict(answer) if status == 200 else None
    if login is None or not login.success or not login.token:
        fail("loginKey", status, answer and {"errorCode": answer.get("errorCode")})
    token = login.token

    # The generated model leaves an unset field out of to_dict(): the body is {}.
    all_accounts = search(token, AccountSearchRequest())
    active_accounts = search(token, AccountSearchRequest(only_active_accounts=True))

    status, answer = call("POST", "/Auth/logout", EmptyRequest().to_dict(), token)
    bye = response_envelope_from_dict(answer) if status == 200 else None
    if bye is None or not bye.success:
        fail("logout", status, answer)

    status_after_logout, _ = call("POST", "/Account/search", AccountSearchRequest().to_dict(), token)
    print(
        json.dumps(
            {
                "pinged": pong.success,
                "allAccounts": all_accounts,
                "activeAccounts": active_accounts,
                "loggedOut": bye.success,
                "statusAfterLogout": status_after_logout,
            }
        )
    )


if __name__ == "__main__":
    main()
