// Byte encodings used on the wire: hex, base64, percent-encoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nimbus {

std::string Hex(std::string_view bytes);  // lowercase
std::optional<std::string> Unhex(std::string_view hex);

std::string Base64Encode(std::string_view bytes);
// Strict standard-alphabet base64 with padding; whitespace is not accepted.
std::optional<std::string> Base64Decode(std::string_view text);

// RFC 3986 percent-encoding keeping A-Z a-z 0-9 - _ . ~ (and '/' when
// keep_slash), with uppercase hex digits: the encoding SigV4 canonicalises with.
std::string UriEncode(std::string_view in, bool keep_slash);
// Decodes %XX sequences; '+' stays '+'. Malformed escapes are kept literally.
std::string PercentDecode(std::string_view in);
// application/x-www-form-urlencoded decoding: like PercentDecode, '+' is a space.
std::string FormDecode(std::string_view in);

}  // namespace nimbus
