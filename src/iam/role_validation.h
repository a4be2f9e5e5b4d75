// The input constraints IAM enforces on its role APIs
// (../shared/reference/iam.md §1 Constraints), checked by hand. Each check
// returns Ok or an InvalidArgument Status with reason "ValidationError" (or
// "InvalidInput" where IAM answers that) in IAM's message style. Internal to
// src/iam; pure functions.
#pragma once

#include <string_view>
#include <vector>

#include "core/status.h"

namespace nimbus::iam {

struct Tag;

Status ValidateRoleName(std::string_view name);
Status ValidatePolicyName(std::string_view name);
Status ValidatePath(std::string_view path, std::string_view field);
// Length 1–131072 characters, each a tab, LF, CR or U+0020–U+00FF.
Status ValidatePolicyDocumentText(std::string_view document, std::string_view field);
Status ValidateDescription(std::string_view description);
Status ValidateMaxSessionDuration(int64_t seconds);
Status ValidateTags(const std::vector<Tag>& tags);
// 20–2048 characters and the shape "arn:aws:iam::ACCOUNT:policy/…".
Status ValidatePolicyArn(std::string_view arn);

// A document's size as IAM counts it against its size quotas: characters
// other than white space.
size_t PolicyQuotaSize(std::string_view document);

}  // namespace nimbus::iam
