"""Several invocations per instance (Lambda Managed Instances' multi-concurrency):
`capacityProvider.maxConcurrency` in serverless.yml and CapacityProviderConfig
on the Lambda API put up to that many invocations on one instance at once.
"""

import json
import threading

from conftest import ROLE, deploy, http_call, write_service

# Each invocation waits until `want` invocations are running in this process
# (or 20 s pass): only an instance that takes them together answers quickly
# with every reply from the same instance and all of them seen at once.
HANDLER = r'''
const instance = require('crypto').randomUUID();  // (every sandbox's pid is the same)
let running = 0, peak = 0, waiters = [];
exports.handler = async (event) => {
  const want = Number(event.queryStringParameters?.want ?? 1);
  running++;
  peak = Math.max(peak, running);
  if (running >= want) { waiters.forEach((w) => w()); waiters = []; }
  else await new Promise((r) => { waiters.push(r); setTimeout(r, 20000); });
  running--;
  console.log('answered');
  return { instance, peak };
};
'''

SERVICE = r'''
service: multi
provider:
  name: aws
  runtime: nodejs20.x
functions:
  api:
    handler: index.handler
    capacityProvider:
      name: shared
      maxConcurrency: 4
    events:
      - httpApi: 'GET /wait'
'''


def _together(url: str, n: int) -> list:
    replies = [None] * n

    def call(i):
        replies[i] = http_call("GET", url)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return replies


def test_one_instance_takes_several_invocations_at_once(server_factory, tmp_path):
    server = server_factory.start()
    d = write_service(tmp_path / "multi", {"serverless.yml": SERVICE, "index.js": HANDLER})
    deploy(server, d)
    conf = server.signed("GET", "/2015-03-31/functions/multi-dev-api/configuration").json()
    mi = conf["CapacityProviderConfig"]["LambdaManagedInstancesCapacityProviderConfig"]
    assert mi["PerExecutionEnvironmentMaxConcurrency"] == 4
    replies = _together(server.gateway + "/wait?want=4", 4)
    assert all(r.status == 200 for r in replies), replies
    bodies = [r.json() for r in replies]
    assert len({b["instance"] for b in bodies}) == 1
    assert max(b["peak"] for b in bodies) == 4
    # an unchanged deploy touches nothing; dropping the setting goes back to one at a time
    assert "no changes" in deploy(server, d).stdout
    (d / "serverless.yml").write_text(SERVICE.replace(
        "    capacityProvider:\n      name: shared\n      maxConcurrency: 4\n", ""))
    assert "configuration updated" in deploy(server, d).stderr
    conf = server.signed("GET", "/2015-03-31/functions/multi-dev-api/configuration").json()
    assert "CapacityProviderConfig" not in conf
    replies = _together(server.gateway + "/wait?want=1", 3)
    assert all(r.status == 200 and r.json()["peak"] == 1 for r in replies), replies


def test_lambda_api_capacity_provider_config(server):
    body = {
        "FunctionName": "mc-api", "Runtime": "nodejs20.x", "Handler": "index.handler",
        "Role": ROLE,
        "Code": {"ZipFile": __import__("base64").b64encode(
            __import__("conftest").make_zip({"index.js": HANDLER})).decode()},
        "CapacityProviderConfig": {"LambdaManagedInstancesCapacityProviderConfig": {
            "CapacityProviderArn": "arn:aws:lambda:us-east-1:000000000000:capacity-provider:p",
            "PerExecutionEnvironmentMaxConcurrency": 3}},
    }
    r = server.signed("POST", "/2015-03-31/functions", json.dumps(body).encode(),
                      {"Content-Type": "application/json"})
    assert r.status == 201, r
    mi = r.json()["CapacityProviderConfig"]["LambdaManagedInstancesCapacityProviderConfig"]
    assert mi["PerExecutionEnvironmentMaxConcurrency"] == 3
    # three direct invocations at once meet on one instance
    out = [None] * 3

    def call(i):
        out[i] = server.invoke_json("mc-api", {"queryStringParameters": {"want": "3"}})[1]

    threads = [threading.Thread(target=call, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all("instance" in o for o in out), out
    assert len({o["instance"] for o in out}) == 1 and max(o["peak"] for o in out) == 3
    # out of Lambda's range, and on a runtime that runs one at a time
    body.update(FunctionName="mc-bad")
    body["CapacityProviderConfig"]["LambdaManagedInstancesCapacityProviderConfig"][
        "PerExecutionEnvironmentMaxConcurrency"] = 0
    r = server.signed("POST", "/2015-03-31/functions", json.dumps(body).encode(),
                      {"Content-Type": "application/json"})
    assert r.status == 400 and "between 1 and 1600" in r.json()["message"], r
    body["CapacityProviderConfig"]["LambdaManagedInstancesCapacityProviderConfig"][
        "PerExecutionEnvironmentMaxConcurrency"] = 2
    body.update(Runtime="python3.11", Handler="h.handler")
    r = server.signed("POST", "/2015-03-31/functions", json.dumps(body).encode(),
                      {"Content-Type": "application/json"})
    assert r.status == 400 and "one invocation at a time" in r.json()["message"], r
