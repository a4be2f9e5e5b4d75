// The stored form of a Role: one JSON value per role under the IAM keyspace.
// Internal to src/iam; pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "iam/iam_service.h"

namespace nimbus::iam {

std::string EncodeRole(const Role& role);
Result<Role> DecodeRole(std::string_view stored);

}  // namespace nimbus::iam
