"""DynamoDB control plane: CreateTable / DescribeTable / ListTables /
UpdateTable / DeleteTable, TTL settings, tags, and their errors
(/work/shared/reference/dynamodb-api.md §4, §8)."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, ddb_client, ddb_create_table, ddb_error, ddb_raw, unique

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731


@pytest.fixture(scope="module")
def ddb(server):
    # validate=False: the server's own validation is what is tested
    return ddb_client(server, validate=False)


def table_name(prefix="tbl"):
    return unique(prefix)


def attr_defs(**types):
    return [{"AttributeName": a, "AttributeType": t} for a, t in types.items()]


def key_schema(hash_key, range_key=None):
    ks = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        ks.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return ks


# ---------------------------------------------------------------------------
# CreateTable / DescribeTable
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("hash_type,range_type", [("S", None), ("N", None), ("B", None),
                                                  ("S", "N"), ("N", "S"), ("B", "B")])
def test_create_and_describe_key_types(ddb, hash_type, range_type):
    name = table_name()
    desc = ddb_create_table(ddb, name, ("pk", hash_type), ("sk", range_type) if range_type else None)
    assert desc["TableName"] == name
    assert desc["TableStatus"] in ("CREATING", "ACTIVE")
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["TableName"] == name
    assert table["KeySchema"] == key_schema("pk", "sk" if range_type else None)
    expected_defs = {"pk": hash_type, **({"sk": range_type} if range_type else {})}
    assert {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]} == expected_defs
    assert table["TableArn"] == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    assert table["ItemCount"] == 0
    assert table["TableSizeBytes"] == 0
    assert isinstance(table["CreationDateTime"], dt.datetime)
    assert abs((dt.datetime.now(dt.timezone.utc) - table["CreationDateTime"]).total_seconds()) < 600
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TableId"]
    assert "StreamSpecification" not in table or not table["StreamSpecification"].get("StreamEnabled")
    assert "LatestStreamArn" not in table


def test_provisioned_table_and_waiter(ddb):
    name = table_name()
    desc = ddb_create_table(ddb, name, ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3})
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert desc["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
    # the waiter polls before it sleeps: an ACTIVE table returns at once
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
    assert table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED") == "PROVISIONED"


def test_item_count_and_size_follow_writes(ddb):
    name = table_name()
    ddb_create_table(ddb, name)
    for i in range(3):
        ddb.put_item(TableName=name, Item={"pk": S(f"k{i}"), "data": S("x" * 100)})
    table = ddb.describe_table(TableName=name)["Table"]
    # approximate on AWS; Nimbus keeps them exact, but only the shape is asserted strictly
    assert 0 <= table["ItemCount"] <= 3
    assert table["TableSizeBytes"] >= 0


def test_duplicate_create_is_resource_in_use(ddb):
    name = table_name()
    ddb_create_table(ddb, name)
    with pytest.raises(ClientError) as e:
        ddb_create_table(ddb, name)
    assert ddb_error(e) == ("ResourceInUseException", f"Table already exists: {name}")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_resource_not_found_on_every_operation(ddb, server):
    missing = table_name("missing")
    calls = [
        (ddb.describe_table, dict(TableName=missing)),
        (ddb.delete_table, dict(TableName=missing)),
        (ddb.update_table, dict(TableName=missing, StreamSpecification={"StreamEnabled": False})),
        (ddb.describe_time_to_live, dict(TableName=missing)),
        (ddb.update_time_to_live, dict(TableName=missing, TimeToLiveSpecification={"Enabled": True, "AttributeName": "t"})),
        (ddb.get_item, dict(TableName=missing, Key={"pk": S("a")})),
        (ddb.put_item, dict(TableName=missing, Item={"pk": S("a")})),
        (ddb.update_item, dict(TableName=missing, Key={"pk": S("a")}, UpdateExpression="SET a = :v",
                               ExpressionAttributeValues={":v": S("x")})),
        (ddb.delete_item, dict(TableName=missing, Key={"pk": S("a")})),
        (ddb.query, dict(TableName=missing, KeyConditionExpression="pk = :v", ExpressionAttributeValues={":v": S("x")})),
        (ddb.scan, dict(TableName=missing)),
        (ddb.batch_get_item, dict(RequestItems={missing: {"Keys": [{"pk": S("a")}]}})),
        (ddb.batch_write_item, dict(RequestItems={missing: [{"PutRequest": {"Item": {"pk": S("a")}}}]})),
        (ddb.transact_get_items, dict(TransactItems=[{"Get": {"TableName": missing, "Key": {"pk": S("a")}}}])),
        (ddb.transact_write_items, dict(TransactItems=[{"Put": {"TableName": missing, "Item": {"pk": S("a")}}}])),
        (ddb.list_tags_of_resource, dict(ResourceArn=f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{missing}")),
    ]
    for fn, kw in calls:
        with pytest.raises(ClientError) as e:
            fn(**kw)
        code, message = ddb_error(e)
        assert code == "ResourceNotFoundException", (fn.__name__, code, message)
        assert message.startswith("Requested resource not found"), (fn.__name__, message)
    with pytest.raises(ClientError) as e:
        ddb.describe_table(TableName=missing)
    assert ddb_error(e)[1] == f"Requested resource not found: Table: {missing} not found"
    # the raw error document: the dynamodb prefix and HTTP 400
    r = ddb_raw(server, "DescribeTable", {"TableName": missing})
    assert r.status == 400
    assert r.json()["__type"] == "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
    assert r.headers["content-type"].startswith("application/x-amz-json-1.0")


def test_attribute_definitions_must_match_key_schema(ddb):
    name = table_name()
    # an extra definition that no key uses
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=key_schema("pk"),
                         AttributeDefinitions=attr_defs(pk="S", extra="N"))
    assert ddb_error(e) == ("ValidationException",
                            "One or more parameter values were invalid: Number of attributes in KeySchema "
                            "does not exactly match number of attributes defined in AttributeDefinitions")
    # a key attribute without a definition
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=key_schema("pk"),
                         AttributeDefinitions=attr_defs(other="S"))
    code, message = ddb_error(e)
    assert code == "ValidationException"
    assert message.startswith("One or more parameter values were invalid: Some index key attributes are "
                              "not defined in AttributeDefinitions. Keys: [pk]"), message
    # a GSI key that is not defined
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=key_schema("pk"),
                         AttributeDefinitions=attr_defs(pk="S"),
                         GlobalSecondaryIndexes=[{"IndexName": "g", "KeySchema": key_schema("email"),
                                                  "Projection": {"ProjectionType": "ALL"}}])
    code, message = ddb_error(e)
    assert code == "ValidationException"
    assert "Some index key attributes are not defined in AttributeDefinitions" in message
    assert "email" in message
    # nothing was created by the refused calls
    with pytest.raises(ClientError) as e:
        ddb.describe_table(TableName=name)
    assert ddb_error(e)[0] == "ResourceNotFoundException"


CREATE_BASE = dict(KeySchema=key_schema("pk"), AttributeDefinitions=attr_defs(pk="S"))


@pytest.mark.parametrize("params,message", [
    (dict(CREATE_BASE, TableName="ab", BillingMode="PAY_PER_REQUEST"),
     "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
     "Member must have length greater than or equal to 3"),
    (dict(CREATE_BASE, TableName="bad name!", BillingMode="PAY_PER_REQUEST"),
     "1 validation error detected: Value 'bad name!' at 'tableName' failed to satisfy constraint: "
     "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    (dict(CREATE_BASE, TableName="valid-name", BillingMode="BAD"),
     "1 validation error detected: Value 'BAD' at 'billingMode' failed to satisfy constraint: "
     "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"),
    (dict(CREATE_BASE, TableName="valid-name", BillingMode="PAY_PER_REQUEST",
          KeySchema=[{"AttributeName": "pk", "KeyType": "FIRST"}]),
     "1 validation error detected: Value 'FIRST' at 'keySchema.1.member.keyType' "
     "failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]"),
    pytest.param(
        dict(CREATE_BASE, TableName="valid-name", BillingMode="PAY_PER_REQUEST",
             AttributeDefinitions=attr_defs(pk="S", other="X")),
        "1 validation error detected: Value 'X' at 'attributeDefinitions.2.member.attributeType' "
        "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"),
    pytest.param(
        dict(CREATE_BASE, TableName="ab", BillingMode="BAD"),
        "2 validation errors detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3; Value 'BAD' at 'billingMode' failed to "
        "satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"),
], ids=["short-name", "name-pattern", "billing-enum", "key-type-enum", "attribute-type-enum", "two-errors"])
def test_create_table_parameter_validation(ddb, params, message):
    with pytest.raises(ClientError) as e:
        ddb.create_table(**params)
    assert ddb_error(e) == ("ValidationException", message)


@pytest.mark.parametrize("params,fragment", [
    (dict(), "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"),
    (dict(BillingMode="PAY_PER_REQUEST", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}),
     "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"),
    (dict(BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "RANGE"}]),
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
    (dict(BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                                     {"AttributeName": "pk", "KeyType": "RANGE"}]),
     "Both the Hash Key and the Range Key element in the KeySchema have the same name"),
])
def test_create_table_billing_and_key_schema_errors(ddb, params, fragment):
    base = dict(TableName=table_name(), KeySchema=key_schema("pk"), AttributeDefinitions=attr_defs(pk="S"))
    with pytest.raises(ClientError) as e:
        ddb.create_table(**{**base, **params})
    code, message = ddb_error(e)
    assert code == "ValidationException"
    assert fragment in message


def test_indexes_on_create_are_described(ddb):
    name = table_name()
    ddb_create_table(
        ddb, name, ("pk", "S"), ("sk", "N"),
        gsis={"byEmail": (("email", "S"), None, {"ProjectionType": "KEYS_ONLY"}),
              "byCity": (("city", "S"), ("age", "N"),
                         {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["name", "zip"]})},
        lsis={"byCreated": (("created", "N"), {"ProjectionType": "ALL"})})
    table = ddb.describe_table(TableName=name)["Table"]
    gsis = {g["IndexName"]: g for g in table["GlobalSecondaryIndexes"]}
    assert set(gsis) == {"byEmail", "byCity"}
    assert gsis["byEmail"]["KeySchema"] == key_schema("email")
    assert gsis["byEmail"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert gsis["byCity"]["KeySchema"] == key_schema("city", "age")
    assert gsis["byCity"]["Projection"]["ProjectionType"] == "INCLUDE"
    assert sorted(gsis["byCity"]["Projection"]["NonKeyAttributes"]) == ["name", "zip"]
    for g in gsis.values():
        assert g["IndexStatus"] == "ACTIVE"
        assert g["IndexArn"] == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}/index/{g['IndexName']}"
        assert g["ItemCount"] == 0
    (lsi,) = table["LocalSecondaryIndexes"]
    assert lsi["IndexName"] == "byCreated"
    assert lsi["KeySchema"] == key_schema("pk", "created")
    assert lsi["Projection"] == {"ProjectionType": "ALL"}
    assert lsi["IndexArn"] == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}/index/byCreated"
    defs = {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]}
    assert defs == {"pk": "S", "sk": "N", "email": "S", "city": "S", "age": "N", "created": "N"}


def test_index_definition_errors(ddb):
    # an LSI needs a table with a range key
    with pytest.raises(ClientError) as e:
        ddb_create_table(ddb, table_name(), lsis={"l": (("x", "S"), {"ProjectionType": "ALL"})})
    assert ddb_error(e)[0] == "ValidationException"
    # an LSI must use the table's hash key
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=table_name(), BillingMode="PAY_PER_REQUEST",
                         KeySchema=key_schema("pk", "sk"), AttributeDefinitions=attr_defs(pk="S", sk="S", o="S", x="S"),
                         LocalSecondaryIndexes=[{"IndexName": "l", "KeySchema": key_schema("o", "x"),
                                                 "Projection": {"ProjectionType": "ALL"}}])
    assert ddb_error(e)[0] == "ValidationException"
    # two indexes with the same name
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=table_name(), BillingMode="PAY_PER_REQUEST",
                         KeySchema=key_schema("pk"), AttributeDefinitions=attr_defs(pk="S", a="S"),
                         GlobalSecondaryIndexes=[
                             {"IndexName": "g", "KeySchema": key_schema("a"), "Projection": {"ProjectionType": "ALL"}},
                             {"IndexName": "g", "KeySchema": key_schema("a"), "Projection": {"ProjectionType": "ALL"}}])
    assert ddb_error(e)[0] == "ValidationException"
    # NonKeyAttributes only with INCLUDE
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName=table_name(), BillingMode="PAY_PER_REQUEST",
                         KeySchema=key_schema("pk"), AttributeDefinitions=attr_defs(pk="S", a="S"),
                         GlobalSecondaryIndexes=[{"IndexName": "g", "KeySchema": key_schema("a"),
                                                  "Projection": {"ProjectionType": "KEYS_ONLY",
                                                                 "NonKeyAttributes": ["x"]}}])
    assert ddb_error(e)[0] == "ValidationException"


# ---------------------------------------------------------------------------
# ListTables
# ---------------------------------------------------------------------------


def list_all_tables(ddb, limit):
    names, kw, pages = [], {}, 0
    while True:
        page = ddb.list_tables(Limit=limit, **kw)
        pages += 1
        assert len(page["TableNames"]) <= limit
        names += page["TableNames"]
        if "LastEvaluatedTableName" not in page:
            return names, pages
        assert page["LastEvaluatedTableName"] == page["TableNames"][-1]
        kw = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}


def test_list_tables_sorted_and_paginated(ddb):
    prefix = unique("lst")
    mine = [f"{prefix}-{c}" for c in ("c", "a", "b", "e", "d")]
    for n in mine:
        ddb_create_table(ddb, n)
    everything = ddb.list_tables()["TableNames"]
    assert everything == sorted(everything)
    for limit in (1, 2, 100):
        names, pages = list_all_tables(ddb, limit)
        assert names == sorted(names)
        assert len(names) == len(set(names))
        assert [n for n in names if n.startswith(prefix)] == sorted(mine)
        if limit == 1:
            assert pages >= len(mine)
    # ExclusiveStartTableName need not be an existing table
    page = ddb.list_tables(ExclusiveStartTableName=f"{prefix}-b0", Limit=2)
    assert page["TableNames"] == [f"{prefix}-c", f"{prefix}-d"]
    # the boto3 paginator walks the same list
    paged = [n for p in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2})
             for n in p["TableNames"]]
    assert [n for n in paged if n.startswith(prefix)] == sorted(mine)


@pytest.mark.parametrize("limit,message", [
    (0, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"),
    (101, "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
          "Member must have value less than or equal to 100"),
])
def test_list_tables_limit_bounds(ddb, limit, message):
    with pytest.raises(ClientError) as e:
        ddb.list_tables(Limit=limit)
    assert ddb_error(e) == ("ValidationException", message)


# ---------------------------------------------------------------------------
# UpdateTable
# ---------------------------------------------------------------------------


def test_update_throughput_and_billing_mode(ddb):
    name = table_name()
    ddb_create_table(ddb, name, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    desc = ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 6})
    assert desc["TableDescription"]["TableName"] == name
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 6
    ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TableStatus"] == "ACTIVE"


def test_update_streams_on_and_off(ddb):
    name = table_name()
    ddb_create_table(ddb, name)
    desc = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True,
                                                                 "StreamViewType": "NEW_AND_OLD_IMAGES"})
    arn = desc["TableDescription"]["LatestStreamArn"]
    label = desc["TableDescription"]["LatestStreamLabel"]
    assert arn == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}/stream/{label}"
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["LatestStreamArn"] == arn
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    code, message = ddb_error(e)
    assert code == "ValidationException"
    assert "Table already has an enabled stream" in message
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    table = ddb.describe_table(TableName=name)["Table"]
    assert not table.get("StreamSpecification", {}).get("StreamEnabled", False)
    # re-enabling makes a new stream
    desc = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    assert desc["TableDescription"]["LatestStreamArn"] != arn
    assert ddb.describe_table(TableName=name)["Table"]["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"


def test_update_table_add_gsi_backfills_and_delete_gsi(ddb):
    name = table_name()
    ddb_create_table(ddb, name)
    for i in range(6):
        item = {"pk": S(f"u{i}"), "n": N(i)}
        if i % 2 == 0:
            item["email"] = S(f"e{i % 4}@x")
        ddb.put_item(TableName=name, Item=item)
    ddb.update_table(
        TableName=name, AttributeDefinitions=attr_defs(pk="S", email="S"),
        GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "byEmail", "KeySchema": key_schema("email"),
                                                 "Projection": {"ProjectionType": "ALL"}}}])
    table = ddb.describe_table(TableName=name)["Table"]
    (gsi,) = table["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == "byEmail"
    assert gsi["IndexStatus"] in ("CREATING", "ACTIVE")
    # existing items are in the new index (the index is sparse: odd items have no email)
    r = ddb.query(TableName=name, IndexName="byEmail", KeyConditionExpression="email = :e",
                  ExpressionAttributeValues={":e": S("e0@x")})
    assert sorted(i["pk"]["S"] for i in r["Items"]) == ["u0", "u4"]
    scanned = ddb.scan(TableName=name, IndexName="byEmail")["Items"]
    assert sorted(i["pk"]["S"] for i in scanned) == ["u0", "u2", "u4"]
    # new writes go into it too
    ddb.put_item(TableName=name, Item={"pk": S("u9"), "email": S("e0@x")})
    r = ddb.query(TableName=name, IndexName="byEmail", KeyConditionExpression="email = :e",
                  ExpressionAttributeValues={":e": S("e0@x")})
    assert sorted(i["pk"]["S"] for i in r["Items"]) == ["u0", "u4", "u9"]
    # adding the same index again is refused
    with pytest.raises(ClientError) as e:
        ddb.update_table(
            TableName=name, AttributeDefinitions=attr_defs(pk="S", email="S"),
            GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "byEmail", "KeySchema": key_schema("email"),
                                                     "Projection": {"ProjectionType": "ALL"}}}])
    assert ddb_error(e)[0] in ("ValidationException", "ResourceInUseException")
    ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byEmail"}}])
    assert not ddb.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes")
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=name, IndexName="byEmail", KeyConditionExpression="email = :e",
                  ExpressionAttributeValues={":e": S("e0@x")})
    assert ddb_error(e) == ("ValidationException", "The table does not have the specified index: byEmail")
    # deleting a missing index
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byEmail"}}])
    assert ddb_error(e)[0] in ("ValidationException", "ResourceNotFoundException")
    # the table's items are untouched
    assert ddb.scan(TableName=name, Select="COUNT")["Count"] == 7


def test_update_table_new_gsi_enforces_key_type(ddb):
    name = table_name()
    ddb_create_table(ddb, name)
    ddb.update_table(
        TableName=name, AttributeDefinitions=attr_defs(pk="S", score="N"),
        GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "byScore", "KeySchema": key_schema("score"),
                                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=name, Item={"pk": S("a"), "score": S("high")})
    assert ddb_error(e) == ("ValidationException",
                            "One or more parameter values were invalid: Type mismatch for Index Key score "
                            "Expected: N Actual: S IndexName: byScore")


def test_stream_view_type_enum(ddb):
    name = table_name()
    ddb_create_table(ddb, name)
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "BOGUS"})
    code, message = ddb_error(e)
    assert code == "ValidationException"
    assert "Value 'BOGUS' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must " \
           "satisfy enum value set: [" in message, message


# ---------------------------------------------------------------------------
# DeleteTable
# ---------------------------------------------------------------------------


def test_delete_table(ddb):
    name = table_name()
    ddb_create_table(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": S("a")})
    desc = ddb.delete_table(TableName=name)["TableDescription"]
    assert desc["TableName"] == name
    assert desc["TableStatus"] in ("DELETING", "ACTIVE")
    ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    with pytest.raises(ClientError) as e:
        ddb.describe_table(TableName=name)
    assert ddb_error(e)[0] == "ResourceNotFoundException"
    assert name not in list_all_tables(ddb, 100)[0]
    with pytest.raises(ClientError) as e:
        ddb.delete_table(TableName=name)
    assert ddb_error(e)[0] == "ResourceNotFoundException"
    # the name can be reused, and the new table starts empty
    ddb_create_table(ddb, name, ("id", "N"))
    assert ddb.scan(TableName=name)["Items"] == []
    assert ddb.describe_table(TableName=name)["Table"]["KeySchema"] == key_schema("id")


# ---------------------------------------------------------------------------
# TTL settings
# ---------------------------------------------------------------------------


def test_time_to_live_settings(ddb):
    name = table_name()
    ddb_create_table(ddb, name)
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    r = ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    assert r["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expires"}
    d = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert d["TimeToLiveStatus"] in ("ENABLED", "ENABLING")
    assert d["AttributeName"] == "expires"
    with pytest.raises(ClientError) as e:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    code, message = ddb_error(e)
    assert code == "ValidationException"
    assert "TimeToLive is already enabled" in message
    r = ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"})
    assert r["TimeToLiveSpecification"] == {"Enabled": False, "AttributeName": "expires"}
    d = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert d["TimeToLiveStatus"] in ("DISABLED", "DISABLING")


# ---------------------------------------------------------------------------
# Tags
# ---------------------------------------------------------------------------


def test_tags(ddb):
    name = table_name()
    desc = ddb_create_table(ddb, name, Tags=[{"Key": "team", "Value": "core"}, {"Key": "env", "Value": "dev"}])
    arn = desc["TableArn"]

    def tags():
        return {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}

    assert tags() == {"team": "core", "env": "dev"}
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "cost", "Value": "42"}])
    assert tags() == {"team": "core", "env": "prod", "cost": "42"}
    ddb.untag_resource(ResourceArn=arn, TagKeys=["team", "not-there"])
    assert tags() == {"env": "prod", "cost": "42"}
    missing = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table_name('missing')}"
    for call in (lambda: ddb.tag_resource(ResourceArn=missing, Tags=[{"Key": "a", "Value": "b"}]),
                 lambda: ddb.untag_resource(ResourceArn=missing, TagKeys=["a"])):
        with pytest.raises(ClientError) as e:
            call()
        assert ddb_error(e)[0] == "ResourceNotFoundException"


# ---------------------------------------------------------------------------
# transport
# ---------------------------------------------------------------------------


def test_transport_errors(server):
    r = ddb_raw(server, "NoSuchOperation", {})
    assert r.status == 400
    assert r.json()["__type"].endswith("#UnknownOperationException")
    r = ddb_raw(server, "ListTables", b"{not json")
    assert r.status == 400
    assert r.json()["__type"].endswith("#SerializationException")
    r = ddb_raw(server, "ListTables", {"Limit": 1})
    assert r.status == 200
    assert r.headers["content-type"].startswith("application/x-amz-json-1.0")
    assert r.headers.get("x-amzn-requestid")
    import zlib
    if "x-amz-crc32" in r.headers:
        assert int(r.headers["x-amz-crc32"]) == zlib.crc32(r.body)
    # a validation error carries the coral validate prefix
    r = ddb_raw(server, "ListTables", {"Limit": 0})
    assert r.status == 400
    assert r.json()["__type"] == "com.amazon.coral.validate#ValidationException"
