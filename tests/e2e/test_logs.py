"""Function logs through the CloudWatch Logs API (boto3, AWS CLI) and `nimbus logs`."""

import json
import re
import time

import botocore.exceptions
import pytest

from conftest import unique

LOG_APP = r'''
def handler(event, context):
    print("marker:" + event["marker"])
    print("second line for " + context.aws_request_id)
    return {"stream": context.log_stream_name}
'''


def wait_for(fn, timeout=15, interval=0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    return last


@pytest.fixture(scope="module")
def logged(server):
    """A function invoked twice on one instance; returns (name, stream, request ids, markers)."""
    name = unique("logs")
    server.create_function(name, "python3.12", "app.handler", {"app.py": LOG_APP})
    rids, markers, streams = [], [], set()
    for i in range(2):
        marker = f"m{i}-{unique('x')}"
        resp, out = server.invoke_json(name, {"marker": marker})
        rids.append(resp["ResponseMetadata"]["RequestId"])
        markers.append(marker)
        streams.add(out["stream"])
    assert len(streams) == 1
    # CloudWatch Logs is eventually consistent: wait until both REPORT lines are readable
    logs = server.logs_client()
    assert wait_for(lambda: len(group_events(logs, f"/aws/lambda/{name}", filterPattern="REPORT")) == 2
                    if logs_exist(logs, name) else False)
    return name, streams.pop(), rids, markers


def logs_exist(logs, name):
    return bool(logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")["logGroups"])


def group_events(logs, group, **kw):
    events = []
    token = None
    while True:
        args = dict(logGroupName=group, **kw)
        if token:
            args["nextToken"] = token
        page = logs.filter_log_events(**args)
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            return events


def test_log_group_and_stream_exist(server, logs, logged):
    name, stream, _, _ = logged
    group = f"/aws/lambda/{name}"
    groups = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert [g["logGroupName"] for g in groups] == [group]
    assert groups[0]["arn"].startswith("arn:aws:logs:us-east-1:000000000000:log-group:" + group)
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert stream in [s["logStreamName"] for s in streams]
    s = [s for s in streams if s["logStreamName"] == stream][0]
    assert s["firstEventTimestamp"] <= s["lastEventTimestamp"]


def test_get_log_events_in_order(server, logs, logged):
    name, stream, rids, markers = logged
    events = wait_for(lambda: logs.get_log_events(logGroupName=f"/aws/lambda/{name}",
                                                  logStreamName=stream, startFromHead=True)["events"])
    messages = [e["message"].rstrip("\n") for e in events]
    for rid, marker in zip(rids, markers):
        start = messages.index(f"START RequestId: {rid} Version: $LATEST")
        mark = messages.index(f"marker:{marker}")
        second = messages.index(f"second line for {rid}")
        end = messages.index(f"END RequestId: {rid}")
        report = [i for i, m in enumerate(messages) if m.startswith(f"REPORT RequestId: {rid}\t")]
        assert start < mark < second < end < report[0]
    timestamps = [e["timestamp"] for e in events]
    assert timestamps == sorted(timestamps)


def test_report_lines(server, logs, logged):
    name, _, rids, _ = logged
    events = group_events(logs, f"/aws/lambda/{name}", filterPattern="REPORT")
    reports = [e["message"] for e in events]
    assert len(reports) == 2 and all(m.startswith("REPORT") for m in reports)
    pattern = (r"REPORT RequestId: (\S+)\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\t"
               r"Memory Size: 128 MB\tMax Memory Used: \d+ MB")
    first = [m for m in reports if rids[0] in m][0]
    second = [m for m in reports if rids[1] in m][0]
    assert re.match(pattern, first) and re.match(pattern, second)
    assert re.search(r"\tInit Duration: \d+\.\d{2} ms", first)  # cold start
    assert "Init Duration" not in second


def test_filter_log_events(server, logs, logged):
    name, stream, rids, markers = logged
    group = f"/aws/lambda/{name}"
    hits = group_events(logs, group, filterPattern=f'"marker:{markers[1]}"')
    assert [e["message"].rstrip("\n") for e in hits] == [f"marker:{markers[1]}"]
    assert hits[0]["logStreamName"] == stream
    everything = group_events(logs, group)
    assert len(everything) >= 2 * 5  # START, two lines, END, REPORT per invocation
    assert len({e["eventId"] for e in everything}) == len(everything)


def test_aws_cli_filter_log_events(server, logged):
    name, _, rids, markers = logged
    out = server.aws("logs", "filter-log-events", "--log-group-name", f"/aws/lambda/{name}",
                     "--filter-pattern", "START")
    events = json.loads(out.stdout)["events"]
    assert sorted(e["message"].rstrip("\n") for e in events) == sorted(
        f"START RequestId: {r} Version: $LATEST" for r in rids)
    out = server.aws("logs", "describe-log-groups", "--log-group-name-prefix", f"/aws/lambda/{name}")
    assert json.loads(out.stdout)["logGroups"][0]["logGroupName"] == f"/aws/lambda/{name}"


def test_aws_cli_logs_tail(server, logged):
    name, stream, rids, markers = logged
    out = server.aws("logs", "tail", f"/aws/lambda/{name}", "--since", "1h").stdout
    assert f"marker:{markers[0]}" in out and f"marker:{markers[1]}" in out
    assert stream in out


def test_nimbus_logs_command(server, logged):
    name, _, rids, markers = logged
    out = server.nimbus("logs", name).stdout
    for rid, marker in zip(rids, markers):
        assert f"START RequestId: {rid}" in out
        assert f"marker:{marker}" in out
        assert f"REPORT RequestId: {rid}" in out
    filtered = server.nimbus("logs", name, "--filter", "REPORT").stdout.strip().splitlines()
    assert len(filtered) == 2 and all("REPORT RequestId:" in l for l in filtered)
    # with only --data-dir: the CLI reads server.json and the credentials file
    out = server.nimbus("logs", name, via_env=False).stdout
    assert f"marker:{markers[0]}" in out


def test_logs_of_a_deleted_function_are_kept(server, logs):
    name = unique("logs-del")
    server.create_function(name, "python3.12", "app.handler", {"app.py": LOG_APP})
    marker = unique("gone")
    server.invoke_json(name, {"marker": marker})
    server.lambda_client().delete_function(FunctionName=name)
    hits = wait_for(lambda: logs_exist(logs, name) and group_events(
        logs, f"/aws/lambda/{name}", filterPattern=f'"marker:{marker}"'))
    assert len(hits) == 1


def test_deleted_function_log_group_comes_back(server, logs):
    name = unique("logs-grp")
    server.create_function(name, "python3.12", "app.handler", {"app.py": LOG_APP})
    group = f"/aws/lambda/{name}"
    server.invoke_json(name, {"marker": "first"})
    assert wait_for(lambda: logs_exist(logs, name))
    logs.delete_log_group(logGroupName=group)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
    server.invoke_json(name, {"marker": "second"})
    events = wait_for(lambda: logs_exist(logs, name) and [
        e for e in group_events(logs, group) if e["message"].startswith("REPORT")])
    messages = [e["message"].rstrip("\n") for e in group_events(logs, group)]
    assert "marker:second" in messages and "marker:first" not in messages


def test_describe_log_groups_pages(server, logs):
    prefix = "/e2e/" + unique("pages") + "/"
    for i in range(5):
        logs.create_log_group(logGroupName=f"{prefix}{i}")
    seen, token = [], None
    while True:
        kw = {"nextToken": token} if token else {}
        page = logs.describe_log_groups(logGroupNamePrefix=prefix, limit=2, **kw)
        assert len(page["logGroups"]) <= 2
        seen += [g["logGroupName"] for g in page["logGroups"]]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == [f"{prefix}{i}" for i in range(5)]


def test_logs_api_round_trip(server, logs):
    group = "/e2e/" + unique("group")
    logs.create_log_group(logGroupName=group)
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        logs.create_log_group(logGroupName=group)
    assert ei.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"
    logs.create_log_stream(logGroupName=group, logStreamName="s1")
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        logs.create_log_stream(logGroupName=group, logStreamName="s1")
    assert ei.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName="s1",
                        logEvents=[{"timestamp": now, "message": "one"},
                                   {"timestamp": now + 1, "message": "two"}])
    # eventually consistent, as on CloudWatch Logs
    get = lambda: logs.get_log_events(logGroupName=group, logStreamName="s1", startFromHead=True)["events"]
    wait_for(lambda: len(get()) >= 2)
    events = get()
    assert [e["message"] for e in events] == ["one", "two"]
    assert [e["timestamp"] for e in events] == [now, now + 1]
    assert [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]] == ["s1"]
    hits = logs.filter_log_events(logGroupName=group, filterPattern="two")["events"]
    assert [e["message"] for e in hits] == ["two"]


@pytest.mark.parametrize(
    "call",
    [
        lambda l, g: l.get_log_events(logGroupName=g, logStreamName="nope"),
        lambda l, g: l.filter_log_events(logGroupName=g),
        lambda l, g: l.describe_log_streams(logGroupName=g),
        lambda l, g: l.create_log_stream(logGroupName=g, logStreamName="s"),
        lambda l, g: l.put_log_events(logGroupName=g, logStreamName="s",
                                      logEvents=[{"timestamp": int(time.time() * 1000), "message": "m"}]),
    ],
    ids=["get", "filter", "describe-streams", "create-stream", "put"],
)
def test_missing_log_group(server, logs, call):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        call(logs, "/e2e/missing-" + unique("g"))
    r = ei.value.response
    assert r["Error"]["Code"] == "ResourceNotFoundException"
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 400


# ---------------------------------------------------------------------------
# CloudWatch Logs API details (streams made with CreateLogStream)
# ---------------------------------------------------------------------------


@pytest.fixture
def ten_events(logs):
    """A group and stream holding e0 … e9, timestamps a minute ahead of now."""
    group = "/e2e/" + unique("ten")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    t0 = int(time.time() * 1000) + 60_000
    logs.put_log_events(logGroupName=group, logStreamName="s",
                        logEvents=[{"timestamp": t0 + i, "message": f"e{i}"} for i in range(10)])
    assert wait_for(lambda: len(group_events(logs, group)) == 10)
    return group, t0


def test_get_log_events_limit_from_head(logs, ten_events):
    group, _ = ten_events
    page = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True, limit=3)
    assert [e["message"] for e in page["events"]] == ["e0", "e1", "e2"]
    page = logs.get_log_events(logGroupName=group, logStreamName="s", nextToken=page["nextForwardToken"],
                               limit=3)
    assert [e["message"] for e in page["events"]] == ["e3", "e4", "e5"]


def test_get_log_events_backward_token(logs, ten_events):
    group, _ = ten_events
    page = logs.get_log_events(logGroupName=group, logStreamName="s", limit=3)
    assert [e["message"] for e in page["events"]] == ["e7", "e8", "e9"]  # the newest
    older = logs.get_log_events(logGroupName=group, logStreamName="s", limit=3,
                                nextToken=page["nextBackwardToken"])
    assert [e["message"] for e in older["events"]] == ["e4", "e5", "e6"]


def test_get_log_events_forward_token_at_the_end(logs, ten_events):
    group, _ = ten_events
    page = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)
    assert [e["message"] for e in page["events"]] == [f"e{i}" for i in range(10)]
    again = logs.get_log_events(logGroupName=group, logStreamName="s", nextToken=page["nextForwardToken"])
    assert again["events"] == []
    assert again["nextForwardToken"] == page["nextForwardToken"]


def test_filter_log_events_limit(logs, ten_events):
    group, t0 = ten_events
    page = logs.filter_log_events(logGroupName=group, limit=4)
    assert [e["message"] for e in page["events"]] == ["e0", "e1", "e2", "e3"]
    rest = logs.filter_log_events(logGroupName=group, limit=4, nextToken=page["nextToken"])
    assert [e["message"] for e in rest["events"]] == ["e4", "e5", "e6", "e7"]


def test_filter_log_events_time_range(logs, ten_events):
    group, t0 = ten_events
    page = logs.filter_log_events(logGroupName=group, startTime=t0 + 5, endTime=t0 + 7)
    assert [e["message"] for e in page["events"]] == ["e5", "e6", "e7"]


def test_describe_log_streams_event_timestamps(logs, ten_events):
    group, t0 = ten_events
    s = logs.describe_log_streams(logGroupName=group)["logStreams"][0]
    assert s["firstEventTimestamp"] == t0
    assert s["lastEventTimestamp"] == t0 + 9


def test_put_log_events_to_a_missing_stream(logs, ten_events):
    group, _ = ten_events
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        logs.put_log_events(logGroupName=group, logStreamName="no-such-stream",
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": "m"}])
    assert ei.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_retention_policy_through_the_api(server):
    logs = server.logs_client()
    group = "/custom/" + unique("retention")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    logs.create_log_group(logGroupName=group)
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["retentionInDays"] == 7
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.put_retention_policy(logGroupName=group, retentionInDays=2)
    assert e.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "3653" in e.value.response["Error"]["Message"]
    logs.delete_retention_policy(logGroupName=group)
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]


def test_retention_policy_with_the_aws_cli(server):
    group = "/custom/" + unique("retention-cli")
    server.aws("logs", "create-log-group", "--log-group-name", group)
    server.aws("logs", "put-retention-policy", "--log-group-name", group, "--retention-in-days", "30")
    out = json.loads(server.aws("logs", "describe-log-groups", "--log-group-name-prefix", group).stdout)
    assert out["logGroups"][0]["retentionInDays"] == 30
