"""`nimbus deploy` makes the execution roles serverless.yml declares, as the
Serverless Framework v3 does (../shared/reference/iam.md §7), and a
function's own credentials may then do what its role allows and nothing
more: the generated shared role with provider.iam.role.statements, an
AWS::IAM::Role resource named by functions.<key>.role, and the
serverless-iam-roles-per-function plugin's iamRoleStatements.
"""

import json

import pytest

from conftest import ACCOUNT, deploy, write_service

# Tries each call with the function's own credentials (the environment
# boto3 reads in the sandbox) and says what it got.
PROBE = r'''
import json, os, boto3
from botocore.exceptions import ClientError

def attempt(call):
    try:
        call()
        return "ok"
    except ClientError as e:
        return e.response["Error"]["Code"]

def main(event, context):
    ddb = boto3.client("dynamodb")
    key = {"id": {"S": "k1"}}
    out = {}
    for op in event["ops"]:
        if op == "put":
            out[op] = attempt(lambda: ddb.put_item(TableName=os.environ["TABLE"], Item=key))
        elif op == "get":
            out[op] = attempt(lambda: ddb.get_item(TableName=os.environ["TABLE"], Key=key))
        elif op == "delete":
            out[op] = attempt(lambda: ddb.delete_item(TableName=os.environ["TABLE"], Key=key))
        elif op == "get-other":
            out[op] = attempt(lambda: ddb.get_item(TableName=os.environ["OTHER"], Key=key))
        elif op == "list-functions":
            out[op] = attempt(lambda: boto3.client("lambda").list_functions())
    return out
'''

TABLES = r'''
resources:
  Resources:
    Table:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: ${self:service}-${sls:stage}-items
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
        KeySchema: [{AttributeName: id, KeyType: HASH}]
    Other:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: ${self:service}-${sls:stage}-other
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
        KeySchema: [{AttributeName: id, KeyType: HASH}]
'''

SHARED = r'''
service: perms
provider:
  name: aws
  runtime: python3.11
  environment:
    TABLE: !Ref Table
    OTHER: !Ref Other
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [dynamodb:PutItem]
          Resource: !GetAtt Table.Arn
functions:
  probe:
    handler: probe.main
    timeout: 30
''' + TABLES

ROLE = "perms-dev-us-east-1-lambdaRole"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
ALL_OPS = ["put", "delete", "get-other", "list-functions"]


def probe(server, function, ops):
    _, out = server.invoke_json(function, {"ops": ops})
    return out


def policy_document(iam, role, name):
    return iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]


@pytest.fixture
def shared(server_factory, tmp_path):
    server = server_factory.start()
    d = write_service(tmp_path / "perms", {"serverless.yml": SHARED, "probe.py": PROBE})
    return server, d


def test_generated_role_grants_the_statements_and_nothing_more(shared):
    server, d = shared
    out = deploy(server, d)
    assert f"role {ROLE}: created" in out.stderr
    iam = server.client("iam")
    role = iam.get_role(RoleName=ROLE)["Role"]
    assert role["Arn"] == ROLE_ARN and role["Path"] == "/"
    assert role["AssumeRolePolicyDocument"] == {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]},
        "Action": ["sts:AssumeRole"]}]}
    assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == ["perms-dev-lambda"]
    doc = policy_document(iam, ROLE, "perms-dev-lambda")
    table_arn = server.client("dynamodb").describe_table(TableName="perms-dev-items")["Table"]["TableArn"]
    logs = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/perms-dev*"
    assert doc["Statement"] == [
        {"Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"],
         "Resource": [logs + ":*"]},
        {"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": [logs + ":*:*"]},
        {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": table_arn},
    ]
    lam = server.lambda_client()
    assert lam.get_function_configuration(FunctionName="perms-dev-probe")["Role"] == ROLE_ARN

    # The function's own credentials: PutItem on its table, nothing else.
    assert probe(server, "perms-dev-probe", ALL_OPS) == {
        "put": "ok", "delete": "AccessDeniedException", "get-other": "AccessDeniedException",
        "list-functions": "AccessDeniedException"}

    # An unchanged deploy writes nothing, to IAM or anywhere else.
    before = lam.get_function_configuration(FunctionName="perms-dev-probe")
    again = deploy(server, d)
    assert "no changes" in again.stdout
    assert "role " not in again.stderr
    assert lam.get_function_configuration(FunctionName="perms-dev-probe")["LastModified"] == \
        before["LastModified"]

    # A new statement reaches the role's policy, and only that is written.
    (d / "serverless.yml").write_text(SHARED.replace(
        "Action: [dynamodb:PutItem]", "Action: [dynamodb:PutItem, dynamodb:DeleteItem]"))
    out = deploy(server, d)
    assert f"role {ROLE}: policy perms-dev-lambda updated" in out.stderr
    assert "function probe" not in out.stderr
    assert policy_document(iam, ROLE, "perms-dev-lambda")["Statement"][2]["Action"] == [
        "dynamodb:PutItem", "dynamodb:DeleteItem"]
    assert probe(server, "perms-dev-probe", ["delete", "get-other"]) == {
        "delete": "ok", "get-other": "AccessDeniedException"}

    # A managed policy in the file is attached; out of the file, detached.
    (d / "serverless.yml").write_text(SHARED.replace(
        "      statements:\n",
        "      managedPolicies: [arn:aws:iam::aws:policy/service-role/AWSLambdaRole]\n"
        "      statements:\n"))
    out = deploy(server, d)
    assert "attached arn:aws:iam::aws:policy/service-role/AWSLambdaRole" in out.stderr
    assert [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=ROLE)[
        "AttachedPolicies"]] == ["AWSLambdaRole"]
    (d / "serverless.yml").write_text(SHARED)
    out = deploy(server, d)
    assert "detached arn:aws:iam::aws:policy/service-role/AWSLambdaRole" in out.stderr
    assert iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"] == []

    # `nimbus remove` deletes the role with its policy.
    server.nimbus("remove", "--config", str(d / "serverless.yml"))
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=ROLE)


OWN_ROLES = r'''
service: own
plugins:
  - serverless-iam-roles-per-function
provider:
  name: aws
  runtime: python3.11
  environment:
    TABLE: !Ref Table
    OTHER: !Ref Other
functions:
  writer:
    handler: probe.main
    timeout: 30
    iamRoleStatements:
      - Effect: Allow
        Action: dynamodb:PutItem
        Resource: !GetAtt Table.Arn
  reader:
    handler: probe.main
    timeout: 30
    role: ReaderRole
''' + TABLES + r'''
    ReaderRole:
      Type: AWS::IAM::Role
      Properties:
        RoleName: own-dev-reader
        AssumeRolePolicyDocument:
          Version: '2012-10-17'
          Statement:
            - Effect: Allow
              Principal: {Service: lambda.amazonaws.com}
              Action: sts:AssumeRole
        Policies:
          - PolicyName: read
            PolicyDocument:
              Version: '2012-10-17'
              Statement:
                - Effect: Allow
                  Action: [dynamodb:GetItem]
                  Resource:
                    - Fn::Join: ['', ['arn:aws:dynamodb:', !Ref 'AWS::Region', ':',
                                      !Ref 'AWS::AccountId', ':table/', !Ref Other]]
'''


def test_per_function_and_resource_roles(server_factory, tmp_path):
    server = server_factory.start()
    d = write_service(tmp_path / "own", {"serverless.yml": OWN_ROLES, "probe.py": PROBE})
    out = deploy(server, d)
    assert "role own-dev-writer-us-east-1-lambdaRole: created" in out.stderr
    assert "role own-dev-reader: created" in out.stderr
    # v3 still makes the shared role: not every function names a role.
    assert "role own-dev-us-east-1-lambdaRole: created" in out.stderr
    assert "serverless-iam-roles-per-function" not in out.stderr  # not reported as unsupported
    iam = server.client("iam")
    lam = server.lambda_client()
    writer_arn = f"arn:aws:iam::{ACCOUNT}:role/own-dev-writer-us-east-1-lambdaRole"
    assert lam.get_function_configuration(FunctionName="own-dev-writer")["Role"] == writer_arn
    assert lam.get_function_configuration(FunctionName="own-dev-reader")["Role"] == \
        f"arn:aws:iam::{ACCOUNT}:role/own-dev-reader"
    statements = policy_document(iam, "own-dev-writer-us-east-1-lambdaRole",
                                 "own-dev-lambda")["Statement"]
    assert statements[0]["Resource"] == [
        f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/own-dev-writer:*:*"]
    assert statements[1]["Action"] == "dynamodb:PutItem"

    assert probe(server, "own-dev-writer", ["put", "get", "get-other"]) == {
        "put": "ok", "get": "AccessDeniedException", "get-other": "AccessDeniedException"}
    assert probe(server, "own-dev-reader", ["put", "get-other", "list-functions"]) == {
        "put": "AccessDeniedException", "get-other": "ok",
        "list-functions": "AccessDeniedException"}

    # An inline policy renamed in the file: the new one is put, the old one deleted.
    renamed = OWN_ROLES.replace("PolicyName: read", "PolicyName: read-other")
    (d / "serverless.yml").write_text(renamed)
    out = deploy(server, d)
    assert "role own-dev-reader: policy read-other added" in out.stderr
    assert "role own-dev-reader: policy read deleted" in out.stderr
    assert iam.list_role_policies(RoleName="own-dev-reader")["PolicyNames"] == ["read-other"]
    assert probe(server, "own-dev-reader", ["get-other"]) == {"get-other": "ok"}

    # Without its statements the writer moves to the shared role; its own
    # role is deleted once no function uses it.
    (d / "serverless.yml").write_text(renamed.replace(
        "    iamRoleStatements:\n      - Effect: Allow\n        Action: dynamodb:PutItem\n"
        "        Resource: !GetAtt Table.Arn\n", ""))
    out = deploy(server, d)
    assert "function writer: configuration updated" in out.stderr
    assert "role own-dev-writer-us-east-1-lambdaRole: deleted" in out.stderr
    assert lam.get_function_configuration(FunctionName="own-dev-writer")["Role"] == \
        f"arn:aws:iam::{ACCOUNT}:role/own-dev-us-east-1-lambdaRole"
    assert probe(server, "own-dev-writer", ["put"]) == {"put": "AccessDeniedException"}

    server.nimbus("remove", "--config", str(d / "serverless.yml"))
    names = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert not names & {"own-dev-us-east-1-lambdaRole", "own-dev-reader",
                        "own-dev-writer-us-east-1-lambdaRole"}


def test_an_existing_role_by_arn_is_used_and_never_touched(server_factory, tmp_path):
    server = server_factory.start()
    iam = server.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]})
    arn = iam.create_role(RoleName="team-runtime", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    text = SHARED.replace(
        "  iam:\n    role:\n      statements:\n        - Effect: Allow\n"
        "          Action: [dynamodb:PutItem]\n          Resource: !GetAtt Table.Arn\n",
        f"  iam:\n    role: {arn}\n")
    d = write_service(tmp_path / "perms", {"serverless.yml": text, "probe.py": PROBE})
    out = deploy(server, d)
    assert "role " not in out.stderr
    assert server.lambda_client().get_function_configuration(
        FunctionName="perms-dev-probe")["Role"] == arn
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=ROLE)
    server.nimbus("remove", "--config", str(d / "serverless.yml"))
    assert iam.get_role(RoleName="team-runtime")["Role"]["Arn"] == arn


def test_function_create_without_role_makes_a_basic_execution_role(server_factory, tmp_path):
    server = server_factory.start()
    iam = server.client("iam")
    # The harness gives every server a broad "lambda" role; start without it.
    for p in iam.list_attached_role_policies(RoleName="lambda")["AttachedPolicies"]:
        iam.detach_role_policy(RoleName="lambda", PolicyArn=p["PolicyArn"])
    iam.delete_role(RoleName="lambda")
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(PROBE)
    out = server.nimbus("function", "create", "no-role", "--runtime", "python3.12",
                        "--handler", "app.main", "--dir", str(code), "--timeout", "30")
    assert "created the role" in out.stderr
    arn = f"arn:aws:iam::{ACCOUNT}:role/lambda"
    assert json.loads(out.stdout)["Role"] == arn
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="lambda")[
        "AttachedPolicies"]] == ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    _, got = server.invoke_json("no-role", {"ops": ["list-functions"]})
    assert got == {"list-functions": "AccessDeniedException"}
    # The next function finds the role and uses it as it is.
    out = server.nimbus("function", "create", "no-role-2", "--runtime", "python3.12",
                        "--handler", "app.main", "--dir", str(code))
    assert "created the role" not in out.stderr
    assert json.loads(out.stdout)["Role"] == arn
