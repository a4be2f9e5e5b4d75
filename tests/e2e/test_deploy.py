"""`nimbus deploy`, `remove`, `info`, `invoke -f` and `logs -f` with
serverless.yml services: resources, variables, incremental deploys and the
errors a bad file gets.
"""

import json
import time

import pytest

from conftest import deploy, http_call, write_service

TODO_HANDLERS = r'''
import json, os, boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])

def put(event, context):
    item = json.loads(event["body"])
    item["id"] = event["pathParameters"]["id"]
    table.put_item(Item=item)
    return {"statusCode": 201, "body": json.dumps(item)}

def get(event, context):
    got = table.get_item(Key={"id": event["pathParameters"]["id"]}).get("Item")
    if not got:
        return {"statusCode": 404, "body": json.dumps({"message": "no such item"})}
    return got

def env(event, context):
    return {k: v for k, v in os.environ.items() if k in ("TABLE", "TABLE_ARN", "STREAM", "GREETING", "STAGE_NAME", "FROM_FILE")}
'''

TODO_SERVICE = r'''
service: store
custom:
  greeting: ${env:NIMBUS_TEST_GREETING, 'hello'}
provider:
  name: aws
  runtime: python3.11
  stage: ${opt:stage, 'dev'}
  environment:
    TABLE: !Ref ItemsTable
    TABLE_ARN: !GetAtt ItemsTable.Arn
    STREAM: !GetAtt ItemsTable.StreamArn
    GREETING: ${self:custom.greeting}
    STAGE_NAME: ${sls:stage}
    FROM_FILE: ${file(./config.yml):value}
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [dynamodb:GetItem, dynamodb:PutItem]
          Resource: !GetAtt ItemsTable.Arn
functions:
  put:
    handler: handlers.put
    events:
      - httpApi: 'PUT /items/{id}'
  get:
    handler: handlers.get
    events:
      - httpApi: 'GET /items/{id}'
  env:
    handler: handlers.env
resources:
  Resources:
    ItemsTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: ${self:service}-${sls:stage}-items
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
        KeySchema: [{AttributeName: id, KeyType: HASH}]
        StreamSpecification: {StreamViewType: NEW_IMAGE}
        TimeToLiveSpecification: {AttributeName: expires, Enabled: true}
'''


@pytest.fixture
def store(server_factory, tmp_path):
    server = server_factory.start()
    d = write_service(tmp_path / "store", {"serverless.yml": TODO_SERVICE, "handlers.py": TODO_HANDLERS,
                                           "config.yml": "value: from-a-file\n"})
    return server, d


def test_deploy_creates_table_functions_and_routes(store):
    server, d = store
    out = deploy(server, d)
    assert "store-dev-put" in out.stderr and "created" in out.stderr
    assert "table store-dev-items: created" in out.stderr
    assert f"http://127.0.0.1:{server.gateway_port}" in out.stdout
    assert "PUT /items/{id}" in out.stdout
    ddb = server.client("dynamodb")
    desc = ddb.describe_table(TableName="store-dev-items")["Table"]
    assert desc["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    ttl = ddb.describe_time_to_live(TableName="store-dev-items")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires"
    # the whole loop: gateway -> function -> table, through boto3 in the sandbox
    r = http_call("PUT", server.gateway + "/items/a1", body='{"name": "milk"}',
                  headers={"Content-Type": "application/json"})
    assert r.status == 201, r
    r = http_call("GET", server.gateway + "/items/a1")
    assert r.status == 200 and r.json() == {"id": "a1", "name": "milk"}
    assert http_call("GET", server.gateway + "/items/none").status == 404
    env = json.loads(server.nimbus("invoke", "-f", "env", "--config", str(d / "serverless.yml")).stdout)
    assert env["TABLE"] == "store-dev-items"
    assert env["TABLE_ARN"] == desc["TableArn"]
    assert env["STREAM"] == desc["LatestStreamArn"]
    assert env["GREETING"] == "hello"
    assert env["STAGE_NAME"] == "dev"
    assert env["FROM_FILE"] == "from-a-file"


def test_unchanged_deploy_touches_nothing_and_changes_are_incremental(store):
    server, d = store
    deploy(server, d)
    lam = server.lambda_client()
    before = {f: lam.get_function_configuration(FunctionName=f"store-dev-{f}")
              for f in ("put", "get", "env")}
    again = deploy(server, d)
    assert "no changes" in again.stdout
    for f, conf in before.items():
        now = lam.get_function_configuration(FunctionName=f"store-dev-{f}")
        assert now["LastModified"] == conf["LastModified"]
        assert now["CodeSha256"] == conf["CodeSha256"]
    # a configuration change touches only that function
    (d / "serverless.yml").write_text(TODO_SERVICE.replace(
        "    handler: handlers.env\n", "    handler: handlers.env\n    memorySize: 256\n"))
    out = deploy(server, d)
    assert "function env: configuration updated" in out.stderr
    assert "function put" not in out.stderr
    assert lam.get_function_configuration(FunctionName="store-dev-env")["MemorySize"] == 256
    # a function that leaves the file is deleted
    (d / "serverless.yml").write_text(TODO_SERVICE.replace(
        "  env:\n    handler: handlers.env\n", ""))
    out = deploy(server, d)
    assert "store-dev-env: deleted" in out.stderr
    names = {f["FunctionName"] for f in lam.list_functions()["Functions"]}
    assert names == {"store-dev-put", "store-dev-get"}


def test_individually_packaged_functions_update_alone(server_factory, tmp_path):
    server = server_factory.start()
    d = write_service(tmp_path / "ind", {
        "serverless.yml": r'''
service: ind
package:
  individually: true
  patterns: ['!**', 'shared/**']
provider:
  name: aws
  runtime: nodejs20.x
functions:
  a:
    handler: a.handler
    package: {patterns: ['a.js']}
  b:
    handler: b.handler
    package: {patterns: ['b.js']}
''',
        "a.js": "exports.handler = async () => 'a1';\n",
        "b.js": "exports.handler = async () => 'b1';\n",
        "shared/x.txt": "x",
    })
    deploy(server, d)
    lam = server.lambda_client()
    b_before = lam.get_function_configuration(FunctionName="ind-dev-b")
    (d / "a.js").write_text("exports.handler = async () => 'a2';\n")
    out = deploy(server, d)
    assert "function a: code updated" in out.stderr
    assert "function b" not in out.stderr
    assert lam.get_function_configuration(FunctionName="ind-dev-b")["CodeSha256"] == b_before["CodeSha256"]
    assert server.invoke_json("ind-dev-a")[1] == "a2"


def test_stage_option_and_info_and_remove(store):
    server, d = store
    deploy(server, d, "--stage", "prod")
    info = server.nimbus("info", "--config", str(d / "serverless.yml"), "--stage", "prod").stdout
    assert "stage: prod" in info
    assert "store-prod-items" in info
    assert "get: store-prod-get" in info
    assert "GET /items/{id}" in info
    assert "/_api/store-prod" in info
    server.nimbus("remove", "--config", str(d / "serverless.yml"), "--stage", "prod")
    assert server.lambda_client().list_functions()["Functions"] == []
    assert "store-prod-items" not in server.client("dynamodb").list_tables()["TableNames"]
    assert http_call("GET", server.gateway + "/items/a").status == 404
    r = server.nimbus("info", "--config", str(d / "serverless.yml"), "--stage", "prod", check=False)
    assert r.returncode != 0 and "not deployed" in r.stderr


def test_invoke_and_logs_by_function_key(store):
    server, d = store
    deploy(server, d)
    cfg = str(d / "serverless.yml")
    out = server.nimbus("invoke", "-f", "get", "-c", cfg, "-d", '{"pathParameters": {"id": "zz"}}').stdout
    assert json.loads(out)["statusCode"] == 404
    deadline = time.time() + 10
    while time.time() < deadline:
        logs = server.nimbus("logs", "-f", "get", "-c", cfg).stdout
        if "REPORT RequestId" in logs:
            break
        time.sleep(0.2)
    assert "REPORT RequestId" in logs
    r = server.nimbus("invoke", "-f", "nope", "-c", cfg, check=False)
    assert r.returncode != 0 and "nope" in r.stderr


@pytest.mark.parametrize("text,expect", [
    ("service: x\nprovider:\n  name: aws\n  runtime: python3.11\nfunctions:\n  a:\n    handler: [unclosed\n",
     "serverless.yml:8:1: YAML syntax error"),
    ("service: x\nprovider:\n  name: aws\n  runtime: python3.11\n  environment:\n    X: ${env:NIMBUS_TEST_UNSET_VAR}\n",
     'serverless.yml:6:8: Cannot resolve variable at "provider.environment.X"'),
    ("provider:\n  name: aws\n", "service"),
    ("service: x\nprovider:\n  name: aws\nfunctions:\n  a:\n    handler: h.main\n", "runtime"),
    ("service: x\nprovider:\n  name: aws\n  runtime: python3.11\nfunctions:\n  a:\n    handler: h.main\n"
     "    events:\n      - httpApi: 'GET nope'\n", "serverless.yml:9"),
])
def test_bad_files_name_the_place(server_factory, tmp_path, text, expect):
    server = server_factory.start()
    d = write_service(tmp_path / "bad", {"serverless.yml": text, "h.py": "def main(e, c):\n    return 1\n"})
    r = deploy(server, d, check=False)
    assert r.returncode != 0
    assert expect in r.stderr, r.stderr
    assert server.lambda_client().list_functions()["Functions"] == []


def test_unsupported_settings_are_listed_once(server_factory, tmp_path):
    server = server_factory.start()
    d = write_service(tmp_path / "warn", {"serverless.yml": r'''
service: warn
provider:
  name: aws
  runtime: python3.11
  vpc: {securityGroupIds: [sg-1]}
functions:
  a:
    handler: h.main
    events:
      - schedule: rate(1 minute)
''', "h.py": "def main(e, c):\n    return 1\n"})
    out = deploy(server, d)
    assert out.stderr.count("warning: Nimbus does not implement") == 1
    assert "provider.vpc" in out.stderr
    assert "functions.a.events[0].schedule" in out.stderr


def test_nimbus_bench_reports_throughput_latency_errors_and_cold_starts(store):
    server, d = store
    deploy(server, d)
    out = server.nimbus("bench", server.gateway + "/items/x", "-n", "60", "--connections", "3").stdout
    assert "requests     60 in" in out
    assert "throughput" in out and "p50" in out and "p99" in out
    assert "cold starts  " in out
    assert "60 × HTTP 404" in out  # errors by kind: the item does not exist
    out = server.nimbus("bench", "-f", "get", "-c", str(d / "serverless.yml"), "-n", "20",
                        "--connections", "1", "-p", '{"pathParameters": {"id": "x"}}').stdout
    assert "requests     20 in" in out and "(0 errors)" in out
    assert "cold starts  0" in out  # the instance from the first run is warm


def test_log_retention_from_serverless_yml(store):
    server, d = store
    logs = server.logs_client()

    def retention(fn):
        groups = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/store-dev-{fn}")["logGroups"]
        exact = [g for g in groups if g["logGroupName"] == f"/aws/lambda/store-dev-{fn}"]
        return exact[0].get("retentionInDays") if exact else "no group"

    with_retention = TODO_SERVICE.replace("  stage: ${opt:stage, 'dev'}\n",
                                          "  stage: ${opt:stage, 'dev'}\n  logRetentionInDays: 14\n")
    (d / "serverless.yml").write_text(with_retention)
    out = deploy(server, d)
    assert "function put: log retention 14 days" in out.stderr
    assert {fn: retention(fn) for fn in ("put", "get", "env")} == {"put": 14, "get": 14, "env": 14}
    assert "no changes" in deploy(server, d).stdout
    (d / "serverless.yml").write_text(with_retention.replace("logRetentionInDays: 14", "logRetentionInDays: 30"))
    assert "function get: log retention 30 days" in deploy(server, d).stderr
    assert retention("get") == 30
    # Taken out of the file: the groups keep their events for ever again.
    (d / "serverless.yml").write_text(TODO_SERVICE)
    assert "function env: log retention removed" in deploy(server, d).stderr
    assert retention("env") is None
