"""REST API keys that serverless.yml names without a value: the gateway gives
each one a random value of its own, different for every service and kept by
redeploys and restarts, whatever credentials deploy the service — also the
public `test`/`test` that `--dev-credentials` accepts, from which nothing
about a key may be derived.
"""

import hashlib
import hmac
import os
import re
import subprocess

from conftest import NIMBUS_BIN, REGION, http_call, write_service

HANDLERS = r'''
def echo(event, context):
    return {"statusCode": 200, "body": "ok"}
'''


def service(name: str, keys: str) -> dict:
    return {"serverless.yml": f'''
service: {name}
provider:
  name: aws
  runtime: python3.11
  apiGateway:
    apiKeys: {keys}
functions:
  echo:
    handler: handlers.echo
    events:
      - http: {{path: private, method: get, private: true}}
''', "handlers.py": HANDLERS}


def deploy_with_dev_credentials(server, directory):
    """`nimbus deploy` signed with the public key test/test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=server.endpoint, AWS_ACCESS_KEY_ID="test",
               AWS_SECRET_ACCESS_KEY="test", AWS_REGION=REGION)
    r = subprocess.run([str(NIMBUS_BIN), "deploy", "--config", str(directory / "serverless.yml")],
                       env=env, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, f"deploy failed:\n{r.stdout}\n{r.stderr}"
    return r


def keys_of(server, api_id: str) -> dict:
    r = server.signed("GET", f"/nimbus/apis/{api_id}", service="nimbus")
    assert r.status == 200, r
    return {k["name"]: k["value"] for k in r.json()["api_keys"]}


def derived_from_public_secret(api_id: str, name: str) -> str:
    """What anyone could compute from the public secret `test`."""
    mac = hmac.new(b"test", f"apikey:{api_id}:{name}".encode(), hashlib.sha256)
    return mac.hexdigest()[:40]


def private(server, api_id: str, key: str | None):
    headers = {"x-api-key": key} if key is not None else {}
    return http_call("GET", f"{server.gateway}/_api/{api_id}/dev/private", headers=headers)


def test_keys_without_values_are_random_per_service_and_kept(tmp_path, server_factory):
    server = server_factory.start("--dev-credentials")
    shop = write_service(tmp_path / "shop", service("shop", "[partner]"))
    blog = write_service(tmp_path / "blog", service("blog", "[partner]"))
    deploy_with_dev_credentials(server, shop)
    deploy_with_dev_credentials(server, blog)

    shop_key = keys_of(server, "shop-dev")["partner"]
    blog_key = keys_of(server, "blog-dev")["partner"]
    for api_id, key in (("shop-dev", shop_key), ("blog-dev", blog_key)):
        assert re.fullmatch(r"[A-Za-z0-9]{40}", key), key
        assert key != derived_from_public_secret(api_id, "partner")
        assert private(server, api_id, key).status == 200
        # The value anyone could derive from test/test opens nothing.
        assert private(server, api_id, derived_from_public_secret(api_id, "partner")).status == 403
        assert private(server, api_id, None).status == 403
    assert shop_key != blog_key
    assert private(server, "blog-dev", shop_key).status == 403

    # A redeploy keeps the value; a key added to the file gets one of its own.
    assert "no changes" in deploy_with_dev_credentials(server, shop).stdout
    assert keys_of(server, "shop-dev") == {"partner": shop_key}
    write_service(shop, service("shop", "[partner, mobile]"))
    deploy_with_dev_credentials(server, shop)
    keys = keys_of(server, "shop-dev")
    assert keys["partner"] == shop_key
    assert re.fullmatch(r"[A-Za-z0-9]{40}", keys["mobile"]) and keys["mobile"] != shop_key
    assert private(server, "shop-dev", keys["mobile"]).status == 200
    assert private(server, "shop-dev", shop_key).status == 200

    # So does a restart of the server.
    assert server.stop() == 0
    again = server_factory.start("--dev-credentials", data_dir=server.data_dir)
    assert keys_of(again, "shop-dev") == keys
    assert keys_of(again, "blog-dev") == {"partner": blog_key}
    assert private(again, "shop-dev", shop_key).status == 200


def test_values_written_in_the_file_are_used_as_given(tmp_path, server_factory):
    server = server_factory.start("--dev-credentials")
    d = write_service(tmp_path / "given", service(
        "given", "[{name: partner, value: partner-key-0123456789abcdef}]"))
    deploy_with_dev_credentials(server, d)
    assert keys_of(server, "given-dev") == {"partner": "partner-key-0123456789abcdef"}
    assert private(server, "given-dev", "partner-key-0123456789abcdef").status == 200
