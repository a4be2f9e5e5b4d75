#include "iam/role_validation.h"

#include <set>
#include <string>

#include "core/strings.h"
#include "iam/iam_service.h"

namespace nimbus::iam {
namespace {

constexpr uint32_t kBadUtf8 = 0xFFFFFFFF;

// Decodes the UTF-8 code point at `*pos` and advances past it; kBadUtf8 for
// malformed input (overlong forms, surrogates, truncation).
uint32_t NextCodePoint(std::string_view s, size_t* pos) {
  unsigned char c = static_cast<unsigned char>(s[*pos]);
  if (c < 0x80) {
    ++*pos;
    return c;
  }
  int len;
  uint32_t cp, min;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return kBadUtf8;
  }
  if (*pos + len > s.size()) return kBadUtf8;
  for (int i = 1; i < len; ++i) {
    unsigned char d = static_cast<unsigned char>(s[*pos + i]);
    if ((d & 0xC0) != 0x80) return kBadUtf8;
    cp = (cp << 6) | (d & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kBadUtf8;
  *pos += len;
  return cp;
}

// Counts code points; false when `s` is not valid UTF-8 or `allowed` refuses one.
template <typename Allowed>
bool Scan(std::string_view s, size_t* count, Allowed allowed) {
  size_t pos = 0, n = 0;
  while (pos < s.size()) {
    uint32_t cp = NextCodePoint(s, &pos);
    if (cp == kBadUtf8 || !allowed(cp)) return false;
    ++n;
  }
  *count = n;
  return true;
}

std::string Shown(std::string_view value) {
  constexpr size_t kMax = 256;
  if (value.size() <= kMax) return std::string(value);
  return std::string(value.substr(0, kMax)) + "...";
}

Status Violation(std::string_view value, std::string_view field, std::string_view rule) {
  return Status(Code::kInvalidArgument,
                "1 validation error detected: Value '" + Shown(value) + "' at '" +
                    std::string(field) + "' failed to satisfy constraint: " + std::string(rule),
                "ValidationError");
}

Status Length(std::string_view value, std::string_view field, size_t chars, size_t min,
              size_t max) {
  if (chars < min) {
    return Violation(value, field,
                     "Member must have length greater than or equal to " + std::to_string(min));
  }
  if (chars > max) {
    return Violation(value, field,
                     "Member must have length less than or equal to " + std::to_string(max));
  }
  return Status::Ok();
}

bool NameChar(uint32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}

Status Name(std::string_view name, std::string_view field, size_t max) {
  RETURN_IF_ERROR(Length(name, field, name.size(), 1, max));
  for (char c : name) {
    if (!NameChar(static_cast<unsigned char>(c))) {
      return Violation(name, field, "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    }
  }
  return Status::Ok();
}

// Tag keys and values: [\p{L}\p{Z}\p{N}_.:/=+\-@]. ASCII is checked
// exactly; beyond ASCII every printable code point is accepted (letters,
// separators and numbers are most of them, and telling them apart needs
// Unicode tables).
bool TagChar(uint32_t c) {
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
           c == '_' || c == '.' || c == ':' || c == '/' || c == '=' || c == '+' || c == '-' ||
           c == '@';
  }
  return c >= 0xA0;
}

}  // namespace

Status ValidateRoleName(std::string_view name) {
  return Name(name, "roleName", 64);
}

Status ValidatePolicyName(std::string_view name) {
  return Name(name, "policyName", 128);
}

Status ValidatePath(std::string_view path, std::string_view field) {
  RETURN_IF_ERROR(Length(path, field, path.size(), 1, 512));
  bool ok = path == "/" || (path.size() >= 3 && path.front() == '/' && path.back() == '/');
  for (char c : path) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7F) ok = false;
  }
  if (!ok) {
    return Violation(path, field,
                     "Member must satisfy regular expression pattern: "
                     "(\\u002F)|(\\u002F[\\u0021-\\u007F]+\\u002F)");
  }
  return Status::Ok();
}

Status ValidatePolicyDocumentText(std::string_view document, std::string_view field) {
  size_t chars = 0;
  bool ok = Scan(document, &chars, [](uint32_t c) {
    return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xFF);
  });
  if (!ok) {
    return Violation(document, field,
                     "Member must satisfy regular expression pattern: "
                     "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
  }
  return Length(document, field, chars, 1, 131072);
}

Status ValidateDescription(std::string_view description) {
  size_t chars = 0;
  if (!Scan(description, &chars, [](uint32_t c) { return c >= 0x09; })) {
    return Violation(description, "description",
                     "Member must satisfy regular expression pattern: "
                     "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*");
  }
  return Length(description, "description", chars, 0, 1000);
}

Status ValidateMaxSessionDuration(int64_t seconds) {
  if (seconds < 3600) {
    return Violation(std::to_string(seconds), "maxSessionDuration",
                     "Member must have value greater than or equal to 3600");
  }
  if (seconds > 43200) {
    return Violation(std::to_string(seconds), "maxSessionDuration",
                     "Member must have value less than or equal to 43200");
  }
  return Status::Ok();
}

Status ValidateTags(const std::vector<Tag>& tags) {
  if (tags.size() > 50) {
    return Violation("[...]", "tags", "Member must have length less than or equal to 50");
  }
  std::set<std::string> keys;
  for (size_t i = 0; i < tags.size(); ++i) {
    const Tag& t = tags[i];
    std::string at = "tags." + std::to_string(i + 1) + ".member.";
    size_t chars = 0;
    constexpr std::string_view kPattern =
        "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+";
    if (!Scan(t.key, &chars, TagChar)) return Violation(t.key, at + "key", kPattern);
    RETURN_IF_ERROR(Length(t.key, at + "key", chars, 1, 128));
    if (!Scan(t.value, &chars, TagChar)) return Violation(t.value, at + "value", kPattern);
    RETURN_IF_ERROR(Length(t.value, at + "value", chars, 0, 256));
    if (!keys.insert(ToLower(t.key)).second) {
      return Status(Code::kInvalidArgument,
                    "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
                    "InvalidInput");
    }
  }
  return Status::Ok();
}

Status ValidatePolicyArn(std::string_view arn) {
  RETURN_IF_ERROR(Length(arn, "policyArn", arn.size(), 20, 2048));
  // arn:PARTITION:iam::ACCOUNT:policy/NAME
  std::vector<std::string_view> parts = Split(arn, ':');
  bool ok = parts.size() == 6 && parts[0] == "arn" && !parts[1].empty() && parts[2] == "iam" &&
            parts[3].empty() && !parts[4].empty() && parts[5].starts_with("policy/") &&
            parts[5].size() > 7 && parts[5].back() != '/';
  if (!ok) {
    return Status(Code::kInvalidArgument, "ARN " + std::string(arn) + " is not valid.",
                  "InvalidInput");
  }
  return Status::Ok();
}

size_t PolicyQuotaSize(std::string_view document) {
  size_t n = 0;
  for (char c : document) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') ++n;
  }
  return n;
}

}  // namespace nimbus::iam
