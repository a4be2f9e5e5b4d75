"""Least privilege: a function's credentials do what its execution role grants and nothing
more. Each test is an attack a function could make with the credentials in its own
environment, and the answer IAM would give."""
import base64
import json
import os
import tempfile

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, LAMBDA_TRUST, REGION, ROLE, make_zip, unique

# The attacker: runs one AWS call with the function's own credentials (as every
# SDK inside a function does) and reports what it got.
ATTACKER = r'''
import base64, json, os, urllib.request
import boto3, botocore.auth, botocore.awsrequest, botocore.credentials

def call(service, method, args):
    client = boto3.client(service)
    try:
        out = getattr(client, method)(**args)
        out.pop("ResponseMetadata", None)
        return {"ok": True, "result": json.loads(json.dumps(out, default=str))}
    except client.exceptions.ClientError as e:
        err = e.response.get("Error", {})
        return {"ok": False, "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                "code": err.get("Code"), "message": err.get("Message")}

def signed(method, path, service, body=b""):
    creds = botocore.credentials.Credentials(os.environ["AWS_ACCESS_KEY_ID"],
        os.environ["AWS_SECRET_ACCESS_KEY"], os.environ["AWS_SESSION_TOKEN"])
    url = os.environ["AWS_ENDPOINT_URL"] + path
    req = botocore.awsrequest.AWSRequest(method=method, url=url, data=body)
    botocore.auth.SigV4Auth(creds, service, os.environ["AWS_REGION"]).add_auth(req)
    r = urllib.request.Request(url, data=body or None, method=method, headers=dict(req.headers))
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return {"ok": True, "status": resp.status}
    except urllib.error.HTTPError as e:
        return {"ok": False, "status": e.code, "body": e.read().decode()}

def handler(event, context):
    if event.get("op") == "env":
        return {k: os.environ[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                           "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL")}
    if event.get("op") == "signed":
        return signed(event["method"], event["path"], event["service"])
    args = event.get("args", {})
    if "ZipFileB64" in args:
        args["ZipFile"] = base64.b64decode(args.pop("ZipFileB64"))
    if "Code" in args and "ZipFileB64" in args["Code"]:
        args["Code"] = {"ZipFile": base64.b64decode(args["Code"]["ZipFileB64"])}
    return call(event["service"], event["method"], args)
'''

VICTIM = "def handler(event, context):\n    return 'the real victim'\n"


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


@pytest.fixture(scope="module")
def iam(server):
    return server.client("iam")


def make_role(iam, name, *statements, managed=()):
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=LAMBDA_TRUST)
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    for arn in managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def attacker(server, role_arn, **kw):
    name = unique("attacker")
    server.create_function(name, "python3.12", "app.handler", {"app.py": ATTACKER},
                           Role=role_arn, Timeout=30, **kw)
    return name


def run(server, fn, payload=None):
    resp, out = server.invoke_json(fn, payload)
    assert "FunctionError" not in resp, out
    return out


def attack(server, fn, service, method, **args):
    out = run(server, fn, {"service": service, "method": method, "args": args})
    assert isinstance(out, dict), out
    return out


def denied(out, action, code="AccessDeniedException"):
    assert out["ok"] is False, out
    assert out["code"] == code, out
    assert f"is not authorized to perform: {action}" in out["message"], out
    return out["message"]


@pytest.fixture(scope="module")
def victim(server):
    name = unique("victim")
    server.create_function(name, "python3.12", "app.handler", {"app.py": VICTIM},
                           Environment={"Variables": {"SECRET": "hunter2"}})
    return name


@pytest.fixture(scope="module")
def basic(server, iam):
    """A function whose role is the basic execution role: its logs, nothing else."""
    role = make_role(iam, unique("basic"),
                     managed=["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"])
    return attacker(server, role)


def test_basic_role_cannot_list_functions(server, basic):
    msg = denied(attack(server, basic, "lambda", "list_functions"), "lambda:ListFunctions")
    assert msg.startswith(f"User: arn:aws:sts::{ACCOUNT}:assumed-role/")
    assert f"/{basic} is not authorized" in msg
    assert "because no identity-based policy allows the lambda:ListFunctions action" in msg


def test_basic_role_cannot_read_another_functions_secrets(server, basic, victim):
    out = attack(server, basic, "lambda", "get_function_configuration", FunctionName=victim)
    msg = denied(out, "lambda:GetFunctionConfiguration")
    assert f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{victim}" in msg
    assert "hunter2" not in json.dumps(out)


def test_basic_role_cannot_download_or_replace_code(server, basic, victim):
    denied(attack(server, basic, "lambda", "get_function", FunctionName=victim),
           "lambda:GetFunction")
    evil = base64.b64encode(make_zip({"app.py": "def handler(e, c):\n    return 'pwned'\n"}))
    out = attack(server, basic, "lambda", "update_function_code", FunctionName=victim,
                 ZipFileB64=evil.decode())
    denied(out, "lambda:UpdateFunctionCode")
    assert run(server, victim) == "the real victim"


def test_basic_role_cannot_invoke_or_create(server, basic, victim):
    denied(attack(server, basic, "lambda", "invoke", FunctionName=victim), "lambda:InvokeFunction")
    code = base64.b64encode(make_zip({"app.py": VICTIM})).decode()
    out = attack(server, basic, "lambda", "create_function", FunctionName=unique("evil"),
                 Runtime="python3.12", Role=ROLE, Handler="app.handler",
                 Code={"ZipFileB64": code})
    denied(out, "lambda:CreateFunction")


def test_basic_role_cannot_escalate_through_iam(server, basic, iam):
    own_role = server.lambda_client().get_function_configuration(FunctionName=basic)["Role"]
    role_name = own_role.rsplit("/", 1)[1]
    out = attack(server, basic, "iam", "put_role_policy", RoleName=role_name,
                 PolicyName="escalate", PolicyDocument=policy(allow("*", "*")))
    denied(out, "iam:PutRolePolicy", code="AccessDenied")
    out = attack(server, basic, "iam", "attach_role_policy", RoleName=role_name,
                 PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    denied(out, "iam:AttachRolePolicy", code="AccessDenied")
    assert iam.list_role_policies(RoleName=role_name)["PolicyNames"] == []


def test_basic_role_cannot_touch_tables_or_other_logs(server, basic):
    denied(attack(server, basic, "dynamodb", "list_tables"), "dynamodb:ListTables")
    # The basic execution role writes logs (on any group, as on AWS) but may
    # not delete or read them.
    out = attack(server, basic, "logs", "delete_log_group", logGroupName=f"/aws/lambda/{basic}")
    denied(out, "logs:DeleteLogGroup")
    out = attack(server, basic, "logs", "filter_log_events", logGroupName="/aws/lambda/other")
    denied(out, "logs:FilterLogEvents")


def test_basic_role_cannot_reach_gateway_admin(server, basic):
    out = run(server, basic, {"op": "signed", "method": "GET", "path": "/nimbus/apis",
                                     "service": "nimbus"})
    assert out["ok"] is False and out["status"] == 403, out
    assert "nimbus:ListApis" in out["body"]


def test_instance_keys_are_refused_outside_their_sandbox(server, basic):
    env = run(server, basic, {"op": "env"})
    lam = server.client("lambda", access_key=env["AWS_ACCESS_KEY_ID"],
                        secret_key=env["AWS_SECRET_ACCESS_KEY"],
                        session_token=env["AWS_SESSION_TOKEN"])
    with pytest.raises(lam.exceptions.ClientError) as e:
        lam.list_functions()
    assert e.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_instance_cannot_read_server_health(server, basic):
    out = run(server, basic, {"op": "signed", "method": "GET", "path": "/_nimbus/health",
                                     "service": "nimbus"})
    assert out["ok"] is False and out["status"] == 404, out


def test_role_grants_exactly_its_table_and_deny_wins(server, iam):
    db = server.client("dynamodb")
    mine, other = unique("mine"), unique("other")
    for t in (mine, other):
        db.create_table(TableName=t, AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        BillingMode="PAY_PER_REQUEST")
    table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{mine}"
    role = make_role(iam, unique("writer"),
                     allow(["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Delete*"], table_arn),
                     {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": "*"})
    fn = attacker(server, role)
    item = {"id": {"S": "a"}}
    assert attack(server, fn, "dynamodb", "put_item", TableName=mine, Item=item)["ok"] is True
    got = attack(server, fn, "dynamodb", "get_item", TableName=mine, Key=item)
    assert got["ok"] is True and got["result"]["Item"] == item
    msg = denied(attack(server, fn, "dynamodb", "delete_item", TableName=mine, Key=item),
                 "dynamodb:DeleteItem")
    assert "with an explicit deny in an identity-based policy" in msg
    denied(attack(server, fn, "dynamodb", "put_item", TableName=other, Item=item),
           "dynamodb:PutItem")
    # A batch is checked table by table.
    out = attack(server, fn, "dynamodb", "batch_get_item",
                 RequestItems={mine: {"Keys": [item]}, other: {"Keys": [item]}})
    denied(out, "dynamodb:BatchGetItem")
    # The change of policy applies to the running function at once.
    iam.put_role_policy(RoleName=role.rsplit("/", 1)[1], PolicyName="inline",
                        PolicyDocument=policy(allow("dynamodb:*", "*")))
    assert attack(server, fn, "dynamodb", "put_item", TableName=other, Item=item)["ok"] is True


def test_network_mode_is_never_settable_with_instance_credentials(server, iam):
    role = make_role(iam, unique("deployer"), allow(["lambda:*", "iam:PassRole"], "*"))
    fn = attacker(server, role)
    code = base64.b64encode(make_zip({"app.py": VICTIM})).decode()
    out = attack(server, fn, "lambda", "create_function", FunctionName=unique("hostnet"),
                 Runtime="python3.12", Role=ROLE, Handler="app.handler",
                 Code={"ZipFileB64": code}, Tags={"nimbus:network": "host"})
    assert out["ok"] is False and out["code"] == "AccessDeniedException", out
    # The same role may create an ordinary function.
    made = unique("ordinary")
    out = attack(server, fn, "lambda", "create_function", FunctionName=made,
                 Runtime="python3.12", Role=ROLE, Handler="app.handler", Code={"ZipFileB64": code})
    assert out["ok"] is True, out
    assert run(server, made) == "the real victim"


def test_unknown_role_is_refused_as_lambda_refuses_it(server):
    with pytest.raises(ClientError) as e:
        server.create_function(unique("norole"), "python3.12", "app.handler", {"app.py": VICTIM},
                               Role=f"arn:aws:iam::{ACCOUNT}:role/no-such-role")
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "The role defined for the function cannot be assumed by Lambda." in str(e.value)


def test_role_that_does_not_trust_lambda_is_refused(server, iam):
    name = unique("untrusting")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    with pytest.raises(ClientError) as e:
        server.create_function(unique("fn"), "python3.12", "app.handler", {"app.py": VICTIM},
                               Role=f"arn:aws:iam::{ACCOUNT}:role/{name}")
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_dev_credentials_accept_unknown_role_with_own_logs_only(server_factory):
    s = server_factory.start("--dev-credentials")
    fn = unique("devfn")
    s.create_function(fn, "python3.12", "app.handler", {"app.py": ATTACKER},
                      Role=f"arn:aws:iam::{ACCOUNT}:role/made-up-elsewhere", Timeout=30)
    assert "made-up-elsewhere" in s.log() and "unknown to Nimbus" in s.log()
    out = attack(s, fn, "lambda", "list_functions")
    denied(out, "lambda:ListFunctions")
    out = attack(s, fn, "logs", "create_log_stream", logGroupName=f"/aws/lambda/{fn}",
                 logStreamName="mine")
    assert out["ok"] is True, out
    out = attack(s, fn, "logs", "create_log_stream", logGroupName="/aws/lambda/other",
                 logStreamName="x")
    denied(out, "logs:CreateLogStream")


def test_iam_api_with_the_aws_cli(server):
    name = unique("cli-role")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(LAMBDA_TRUST)
    made = json.loads(server.aws("iam", "create-role", "--role-name", name,
                                 "--assume-role-policy-document", f"file://{f.name}").stdout)
    os.unlink(f.name)
    assert made["Role"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/{name}"
    assert made["Role"]["RoleId"].startswith("AROA")
    server.aws("iam", "attach-role-policy", "--role-name", name, "--policy-arn",
               "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    attached = json.loads(server.aws("iam", "list-attached-role-policies", "--role-name",
                                     name).stdout)
    assert attached["AttachedPolicies"][0]["PolicyName"] == "AWSLambdaBasicExecutionRole"
    r = server.aws("iam", "delete-role", "--role-name", name, check=False)
    assert r.returncode != 0 and "DeleteConflict" in r.stderr
    got = server.aws("iam", "get-role", "--role-name", "nope", check=False)
    assert got.returncode != 0 and "NoSuchEntity" in got.stderr
