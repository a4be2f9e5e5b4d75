"""DynamoDB through the clients people use: boto3's Table resource (Key/Attr
condition builders, batch_writer), Debian's AWS CLI v2, the AWS SDK v3 for
JavaScript (client-dynamodb + lib-dynamodb's DynamoDBDocumentClient) inside a
Node.js function and boto3 inside a Python function, both reaching Nimbus
through the AWS_ENDPOINT_URL the platform sets."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import Binary
from botocore.exceptions import ClientError

from conftest import ddb_client, ddb_create_table, ddb_resource, unique

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731


@pytest.fixture(scope="module")
def ddb(server):
    return ddb_client(server)


@pytest.fixture(scope="module")
def resource(server):
    return ddb_resource(server)


# ---------------------------------------------------------------------------
# boto3 resource layer
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table(resource):
    name = unique("res")
    t = resource.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}])
    t.wait_until_exists()
    assert t.table_status == "ACTIVE"
    return t


def test_resource_types_round_trip(table):
    item = {"pk": "types", "sk": 1, "s": "text", "i": 42, "d": Decimal("-1.50"), "big": Decimal("1" * 38),
            "t": True, "f": False, "none": None, "bin": Binary(b"\x00\xff"), "raw": b"bytes",
            "l": [1, "two", [Decimal("3.25")], {"k": "v"}], "m": {"nested": {"deep": [True, None]}},
            "ss": {"a", "b"}, "ns": {1, 2, Decimal("3.5")}, "bs": {Binary(b"x"), Binary(b"y")}, "empty": ""}
    table.put_item(Item=item)
    got = table.get_item(Key={"pk": "types", "sk": 1}, ConsistentRead=True)["Item"]
    expected = dict(item, d=Decimal("-1.5"), raw=Binary(b"bytes"))
    assert got == expected
    assert isinstance(got["i"], Decimal)


def test_resource_conditions_and_updates(table):
    with table.batch_writer() as batch:
        for i in range(10):
            batch.put_item(Item={"pk": "q", "sk": i, "n": i, "tags": {"even" if i % 2 == 0 else "odd", f"t{i}"},
                                 "name": f"item-{i}", **({"opt": i} if i % 3 == 0 else {})})
    r = table.query(KeyConditionExpression=Key("pk").eq("q") & Key("sk").between(2, 5))
    assert [i["sk"] for i in r["Items"]] == [2, 3, 4, 5]
    r = table.query(KeyConditionExpression=Key("pk").eq("q") & Key("sk").gte(7), ScanIndexForward=False)
    assert [i["sk"] for i in r["Items"]] == [9, 8, 7]
    r = table.query(KeyConditionExpression=Key("pk").eq("q") & Key("sk").lt(3),
                    FilterExpression=Attr("tags").contains("even"))
    assert [i["sk"] for i in r["Items"]] == [0, 2]
    r = table.query(KeyConditionExpression=Key("pk").eq("q"),
                    FilterExpression=Attr("opt").exists() & (Attr("n").gt(2) | Attr("name").begins_with("item-0")))
    assert [i["sk"] for i in r["Items"]] == [0, 3, 6, 9]
    r = table.query(KeyConditionExpression=Key("pk").eq("q"),
                    FilterExpression=Attr("opt").not_exists() & Attr("n").is_in([1, 2, 3, 4]) & ~Attr("n").eq(2))
    assert [i["sk"] for i in r["Items"]] == [1, 4]
    r = table.query(KeyConditionExpression=Key("pk").eq("q"),
                    FilterExpression=Attr("tags").size().eq(2) & Attr("name").attribute_type("S") & Attr("n").lte(1))
    assert [i["sk"] for i in r["Items"]] == [0, 1]
    r = table.update_item(Key={"pk": "q", "sk": 0}, UpdateExpression="SET n = n + :d, #nm = :nm ADD tags :t",
                          ConditionExpression=Attr("n").eq(0) & Attr("name").ne("x"),
                          ExpressionAttributeNames={"#nm": "name"},
                          ExpressionAttributeValues={":d": 5, ":nm": "renamed", ":t": {"new"}},
                          ReturnValues="ALL_NEW")
    assert r["Attributes"]["n"] == 5 and r["Attributes"]["name"] == "renamed"
    assert r["Attributes"]["tags"] == {"even", "t0", "new"}
    with pytest.raises(ClientError) as e:
        table.delete_item(Key={"pk": "q", "sk": 0}, ConditionExpression=Attr("n").eq(0))
    assert isinstance(e.value, table.meta.client.exceptions.ConditionalCheckFailedException)
    r = table.scan(FilterExpression=Attr("pk").eq("q") & Attr("n").between(4, 6))
    assert sorted(i["sk"] for i in r["Items"]) == [0, 4, 5, 6]


def test_resource_batch_writer_and_pagination(table, resource):
    with table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
        for i in range(60):
            batch.put_item(Item={"pk": "bw", "sk": i, "v": "first"})
        batch.put_item(Item={"pk": "bw", "sk": 59, "v": "second"})  # same key: kept last
        for i in range(0, 60, 10):
            batch.delete_item(Key={"pk": "bw", "sk": i})
    items, kw = [], {}
    while True:
        page = table.query(KeyConditionExpression=Key("pk").eq("bw"), Limit=16, **kw)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert [i["sk"] for i in items] == [i for i in range(60) if i % 10]
    assert items[-1]["v"] == "second"
    got = resource.batch_get_item(RequestItems={table.name: {"Keys": [{"pk": "bw", "sk": 1}, {"pk": "bw", "sk": 10}]}})
    assert got["Responses"][table.name] == [{"pk": "bw", "sk": 1, "v": "first"}]
    assert got["UnprocessedKeys"] == {}
    # the client's paginator follows LastEvaluatedKey too
    paginator = table.meta.client.get_paginator("query")
    count = sum(p["Count"] for p in paginator.paginate(
        TableName=table.name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": "bw"},
        PaginationConfig={"PageSize": 7}))
    assert count == 54


def test_resource_table_lifecycle(resource):
    name = unique("reslife")
    t = resource.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}])
    t.wait_until_exists()
    t.reload()
    assert t.key_schema == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert t.item_count == 0
    assert name in [x.name for x in resource.tables.all()]
    t.delete()
    t.wait_until_not_exists()
    assert name not in [x.name for x in resource.tables.all()]


# ---------------------------------------------------------------------------
# AWS CLI v2
# ---------------------------------------------------------------------------


def test_aws_cli_round_trip(server, ddb):
    name = unique("cli")

    def aws(*args, check=True):
        return server.aws("dynamodb", *args, check=check)

    out = json.loads(aws("create-table", "--table-name", name, "--billing-mode", "PAY_PER_REQUEST",
                         "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
                         "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE").stdout)
    assert out["TableDescription"]["TableName"] == name
    aws("wait", "table-exists", "--table-name", name)
    aws("put-item", "--table-name", name, "--item", json.dumps({"pk": {"S": "cli"}, "sk": {"N": "0"},
                                                                "msg": {"S": "hello 0"}}))
    out = json.loads(aws("batch-write-item", "--request-items", json.dumps({name: [
        {"PutRequest": {"Item": {"pk": {"S": "cli"}, "sk": {"N": str(i)}, "msg": {"S": f"hello {i}"}}}}
        for i in range(1, 5)]})).stdout)
    assert out["UnprocessedItems"] == {}
    got = json.loads(aws("get-item", "--table-name", name, "--key", json.dumps({"pk": {"S": "cli"}, "sk": {"N": "3"}})).stdout)
    assert got["Item"] == {"pk": S("cli"), "sk": N(3), "msg": S("hello 3")}
    q = json.loads(aws("query", "--table-name", name, "--key-condition-expression", "pk = :p AND sk >= :s",
                       "--expression-attribute-values", json.dumps({":p": {"S": "cli"}, ":s": {"N": "2"}})).stdout)
    assert [i["sk"]["N"] for i in q["Items"]] == ["2", "3", "4"]
    assert q["Count"] == 3
    # the CLI follows LastEvaluatedKey by itself
    sc = json.loads(aws("scan", "--table-name", name, "--page-size", "2").stdout)
    assert sorted(i["sk"]["N"] for i in sc["Items"]) == ["0", "1", "2", "3", "4"]
    assert sc["Count"] == 5
    up = json.loads(aws("update-item", "--table-name", name, "--key", json.dumps({"pk": {"S": "cli"}, "sk": {"N": "0"}}),
                        "--update-expression", "SET msg = :m ADD hits :one",
                        "--expression-attribute-values", json.dumps({":m": {"S": "updated"}, ":one": {"N": "1"}}),
                        "--return-values", "ALL_NEW").stdout)
    assert up["Attributes"] == {"pk": S("cli"), "sk": N(0), "msg": S("updated"), "hits": N(1)}
    bad = aws("put-item", "--table-name", name, "--item", json.dumps({"pk": {"S": "cli"}, "sk": {"N": "0"}}),
              "--condition-expression", "attribute_not_exists(pk)", check=False)
    assert bad.returncode != 0
    assert "ConditionalCheckFailedException" in bad.stderr
    aws("delete-item", "--table-name", name, "--key", json.dumps({"pk": {"S": "cli"}, "sk": {"N": "4"}}))
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": S("cli"), "sk": N(4)})
    aws("delete-table", "--table-name", name)
    aws("wait", "table-not-exists", "--table-name", name)
    missing = aws("describe-table", "--table-name", name, check=False)
    assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr


# ---------------------------------------------------------------------------
# SDKs inside functions
# ---------------------------------------------------------------------------


NODE_APP = r"""
import { DynamoDBClient, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, GetCommand, QueryCommand, UpdateCommand, BatchWriteCommand,
         TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

const client = new DynamoDBClient({});
const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

export const handler = async (event) => {
  const TableName = event.table;
  const desc = await client.send(new DescribeTableCommand({ TableName }));
  await doc.send(new PutCommand({ TableName, Item: { pk: 'user#1', sk: 1, name: 'Ada', tags: new Set(['x', 'y']),
                                                     profile: { langs: ['js', 'c++'], score: 9.5 }, active: true } }));
  await doc.send(new BatchWriteCommand({ RequestItems: { [TableName]: [2, 3, 4].map((i) => (
    { PutRequest: { Item: { pk: 'user#1', sk: i, name: 'n' + i } } })) } }));
  const got = await doc.send(new GetCommand({ TableName, Key: { pk: 'user#1', sk: 1 }, ConsistentRead: true }));
  const q = await doc.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :p AND sk BETWEEN :a AND :b',
                                              ExpressionAttributeValues: { ':p': 'user#1', ':a': 2, ':b': 3 } }));
  const upd = await doc.send(new UpdateCommand({ TableName, Key: { pk: 'user#1', sk: 1 },
    UpdateExpression: 'SET #n = :n, visits = if_not_exists(visits, :zero) + :one',
    ConditionExpression: 'active = :t', ExpressionAttributeNames: { '#n': 'name' },
    ExpressionAttributeValues: { ':n': 'Ada L.', ':zero': 0, ':one': 1, ':t': true }, ReturnValues: 'ALL_NEW' }));
  let conditional = 'none';
  try {
    await doc.send(new PutCommand({ TableName, Item: { pk: 'user#1', sk: 1 }, ConditionExpression: 'attribute_not_exists(pk)' }));
  } catch (e) { conditional = e.name; }
  let cancelled = null;
  try {
    await doc.send(new TransactWriteCommand({ TransactItems: [
      { Put: { TableName, Item: { pk: 'user#2', sk: 1 } } },
      { ConditionCheck: { TableName, Key: { pk: 'user#1', sk: 1 }, ConditionExpression: 'visits > :v',
                          ExpressionAttributeValues: { ':v': 100 } } }] }));
  } catch (e) { cancelled = { name: e.name, codes: (e.CancellationReasons || []).map((r) => r.Code) }; }
  return { status: desc.Table.TableStatus, item: { ...got.Item, tags: [...got.Item.tags].sort() },
           queried: q.Items.map((i) => i.sk), updated: upd.Attributes, conditional, cancelled,
           endpoint: process.env.AWS_ENDPOINT_URL ? 'set' : 'unset' };
};
"""


def test_node_sdk_v3_inside_a_function(server, ddb):
    table = unique("node")
    ddb_create_table(ddb, table, ("pk", "S"), ("sk", "N"))
    fn = unique("node-ddb")
    server.create_function(fn, "nodejs20.x", "index.handler", {"index.mjs": NODE_APP}, Timeout=30, MemorySize=256)
    resp, out = server.invoke_json(fn, {"table": table})
    assert "FunctionError" not in resp, out
    assert out["endpoint"] == "set"
    assert out["status"] == "ACTIVE"
    assert out["item"] == {"pk": "user#1", "sk": 1, "name": "Ada", "tags": ["x", "y"],
                           "profile": {"langs": ["js", "c++"], "score": 9.5}, "active": True}
    assert out["queried"] == [2, 3]
    assert out["updated"]["name"] == "Ada L." and out["updated"]["visits"] == 1
    assert out["conditional"] == "ConditionalCheckFailedException"
    assert out["cancelled"] == {"name": "TransactionCanceledException", "codes": ["None", "ConditionalCheckFailed"]}
    # the writes landed, as seen from outside
    item = ddb.get_item(TableName=table, Key={"pk": S("user#1"), "sk": N(1)}, ConsistentRead=True)["Item"]
    assert item["name"] == S("Ada L.")
    assert item["visits"] == N(1)
    assert sorted(item["tags"]["SS"]) == ["x", "y"]
    assert item["profile"] == {"M": {"langs": {"L": [S("js"), S("c++")]}, "score": N("9.5")}}
    assert item["active"] == {"BOOL": True}
    q = ddb.query(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("user#1")})
    assert [i["sk"]["N"] for i in q["Items"]] == ["1", "2", "3", "4"]
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": S("user#2"), "sk": N(1)})


PY_APP = r"""
import os
from decimal import Decimal
import boto3
from boto3.dynamodb.conditions import Key, Attr

def handler(event, context):
    table = boto3.resource("dynamodb").Table(event["table"])
    with table.batch_writer() as batch:
        for i in range(30):
            batch.put_item(Item={"pk": "order", "sk": i, "total": Decimal(i) / 4, "paid": i % 2 == 0})
    table.update_item(Key={"pk": "order", "sk": 0}, UpdateExpression="SET note = :n ADD tags :t",
                      ExpressionAttributeValues={":n": "first", ":t": {"vip"}})
    got = table.get_item(Key={"pk": "order", "sk": 0}, ConsistentRead=True)["Item"]
    q = table.query(KeyConditionExpression=Key("pk").eq("order") & Key("sk").gte(25),
                    FilterExpression=Attr("paid").eq(True))
    low = boto3.client("dynamodb")
    described = low.describe_table(TableName=event["table"])["Table"]["TableStatus"]
    return {"note": got["note"], "tags": sorted(got["tags"]), "queried": [int(i["sk"]) for i in q["Items"]],
            "status": described, "key_prefix": os.environ["AWS_ACCESS_KEY_ID"][:4]}
"""


def test_python_boto3_inside_a_function(server, ddb):
    table = unique("py")
    ddb_create_table(ddb, table, ("pk", "S"), ("sk", "N"))
    fn = unique("py-ddb")
    server.create_function(fn, "python3.12", "app.handler", {"app.py": PY_APP}, Timeout=30, MemorySize=256)
    resp, out = server.invoke_json(fn, {"table": table})
    assert "FunctionError" not in resp, out
    assert out == {"note": "first", "tags": ["vip"], "queried": [26, 28], "status": "ACTIVE", "key_prefix": "ASIA"}
    r = ddb.scan(TableName=table, Select="COUNT")
    assert r["Count"] == 30
    item = ddb.get_item(TableName=table, Key={"pk": S("order"), "sk": N(7)})["Item"]
    assert item == {"pk": S("order"), "sk": N(7), "total": N("1.75"), "paid": {"BOOL": False}}
