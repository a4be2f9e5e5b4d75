#include "iam/managed_policies.h"

#include <algorithm>
#include <cassert>
#include <cstdint>

namespace nimbus::iam {
namespace {

struct Definition {
  const char* name;
  const char* path;
  const char* version;
  const char* document;
};

// The documents as AWS serves them from GetPolicyVersion (whitespace aside).
constexpr Definition kDefinitions[] = {
    {"AWSLambdaBasicExecutionRole", "/service-role/", "v1", R"({
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents"
            ],
            "Resource": "*"
        }
    ]
})"},
    {"AWSLambdaDynamoDBExecutionRole", "/service-role/", "v1", R"({
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents"
            ],
            "Resource": "*"
        }
    ]
})"},
    {"AWSLambdaSQSQueueExecutionRole", "/service-role/", "v1", R"({
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents"
            ],
            "Resource": "*"
        }
    ]
})"},
    {"AWSLambdaKinesisExecutionRole", "/service-role/", "v2", R"({
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary",
                "kinesis:GetRecords",
                "kinesis:GetShardIterator",
                "kinesis:ListShards",
                "kinesis:ListStreams",
                "kinesis:SubscribeToShard",
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents"
            ],
            "Resource": "*"
        }
    ]
})"},
    {"AWSLambdaVPCAccessExecutionRole", "/service-role/", "v3", R"({
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AWSLambdaVPCAccessExecutionPermissions",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSubnets",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses"
            ],
            "Resource": "*"
        }
    ]
})"},
    {"AWSLambdaRole", "/service-role/", "v1", R"({
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "lambda:InvokeFunction"
            ],
            "Resource": [
                "*"
            ]
        }
    ]
})"},
    {"AWSXrayWriteOnlyAccess", "/", "v1", R"({
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
                "xray:GetSamplingStatisticSummaries"
            ],
            "Resource": [
                "*"
            ]
        }
    ]
})"},
    {"AdministratorAccess", "/", "v1", R"({
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*"
        }
    ]
})"},
};

// A stable "ANPA…" id derived from the name (FNV-1a), so that a policy's id
// is the same on every start and every machine.
std::string PolicyId(std::string_view name) {
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  uint64_t h = 14695981039346656037ull;
  std::string id = "ANPA";
  for (int i = 0; i < 17; ++i) {
    for (char c : name) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
    h ^= static_cast<uint64_t>(i);
    h *= 1099511628211ull;
    id.push_back(kAlphabet[h % 32]);
  }
  return id;
}

std::vector<ManagedPolicy> Build() {
  std::vector<ManagedPolicy> out;
  for (const Definition& d : kDefinitions) {
    ManagedPolicy p;
    p.name = d.name;
    p.path = d.path;
    p.arn = "arn:aws:iam::aws:policy" + p.path + p.name;
    p.policy_id = PolicyId(p.name);
    p.default_version_id = d.version;
    p.document = d.document;
    auto parsed = ParsePolicy(p.document, PolicyKind::kIdentity);
    assert(parsed.ok());  // the documents above are fixed; the unit test parses each
    if (parsed.ok()) p.parsed = *parsed;
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(),
            [](const ManagedPolicy& a, const ManagedPolicy& b) { return a.name < b.name; });
  return out;
}

}  // namespace

const std::vector<ManagedPolicy>& ManagedPolicies() {
  static const std::vector<ManagedPolicy> kPolicies = Build();
  return kPolicies;
}

const ManagedPolicy* FindManagedPolicy(std::string_view arn) {
  for (const ManagedPolicy& p : ManagedPolicies()) {
    if (p.arn == arn) return &p;
  }
  return nullptr;
}

}  // namespace nimbus::iam
